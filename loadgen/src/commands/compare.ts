// speedlab compare DIR_A DIR_B: one report with both runs side by side and the ratio B / A per point.
import { parseArgs } from 'node:util';
import { CliError } from '../errors.js';
import { writeComparison } from '../report/index.js';
import { printFindings } from './report.js';

const USAGE = 'usage: speedlab compare DIR_A DIR_B [-o FILE]\n\nWrites one self-contained HTML page comparing two runs (default: compare-<A>-vs-<B>.html next to DIR_B).';

export async function main(argv: string[]): Promise<number> {
  let positionals: string[];
  let values: { help?: boolean; out?: string };
  try {
    ({ positionals, values } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { help: { type: 'boolean', short: 'h' }, out: { type: 'string', short: 'o' } },
    }));
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n${USAGE}`, 2);
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 2) throw new CliError(USAGE, 2);
  const [dirA, dirB] = positionals as [string, string];
  const result = await writeComparison(dirA, dirB, values.out);
  for (const w of result.warnings) console.error(`warning: ${w}`);
  console.log(`${dirA}:`);
  printFindings(result.findings.a, '  ');
  console.log(`${dirB}:`);
  printFindings(result.findings.b, '  ');
  console.log(`wrote ${result.htmlPath}`);
  return 0;
}
