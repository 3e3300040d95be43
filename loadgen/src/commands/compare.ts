// speedlab compare DIR_A DIR_B: one report with both runs side by side and the ratio B / A per point.
import { writeComparison } from '../report/index.js';
import { COMPARE } from './definitions.js';
import { printFindings } from './report.js';

export async function main(argv: string[]): Promise<number> {
  const args = COMPARE.parse(argv);
  if (!args) return 0;
  const { values } = args;
  const [dirA, dirB] = args.operands as [string, string];
  const result = await writeComparison(dirA, dirB, values.out);
  for (const w of result.warnings) console.error(`warning: ${w}`);
  console.log(`${dirA}:`);
  printFindings(result.findings.a, '  ');
  console.log(`${dirB}:`);
  printFindings(result.findings.b, '  ');
  console.log(`wrote ${result.htmlPath}`);
  return 0;
}
