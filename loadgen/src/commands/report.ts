// speedlab report DIR: DIR/summary.csv and DIR/report.html from a run's results (DESIGN §7–8).
import { parseArgs } from 'node:util';
import { CliError } from '../cli-error.js';
import { writeReport, type Finding } from '../report/index.js';

const USAGE = 'usage: speedlab report DIR\n\nWrites DIR/report.html (self-contained, works offline) and DIR/summary.csv from DIR/run.json and DIR/points.jsonl.';

export async function main(argv: string[]): Promise<number> {
  let positionals: string[];
  let help: boolean | undefined;
  try {
    ({ positionals, values: { help } } = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } }));
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n${USAGE}`, 2);
  }
  if (help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new CliError(USAGE, 2);
  const result = await writeReport(positionals[0]!);
  for (const w of result.warnings) console.error(`warning: ${w}`);
  if (result.points === 0) console.error(`warning: ${positionals[0]}/points.jsonl holds no point: the report shows the environment only.`);
  printFindings(result.findings);
  console.log(`wrote ${result.htmlPath}`);
  console.log(`wrote ${result.summaryPath}`);
  return 0;
}

export function printFindings(findings: readonly Finding[], indent = ''): void {
  for (const f of findings) {
    const mark = f.kind === 'expectation' ? (f.passed ? 'ok  ' : 'FAIL') : f.level === 'bad' ? '!!  ' : f.level === 'warn' ? '!   ' : '    ';
    console.log(`${indent}${mark} ${f.text}`);
  }
}
