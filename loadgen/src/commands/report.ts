// speedlab report DIR: DIR/summary.csv and DIR/report.html from a run's results (DESIGN §7–8).
// speedlab report --index DIR: DIR/index.html, a page listing the runs under DIR.
import { writeReport, writeRunsIndex, type Finding } from '../report/index.js';
import { REPORT } from './definitions.js';

function parse(argv: string[]): { dir: string; index: boolean } | undefined {
  const args = REPORT.parse(argv);
  if (!args) return undefined;
  const [dir] = args.operands;
  const { index } = args.values;
  if (index !== undefined) {
    if (dir !== undefined) throw REPORT.fail(`give DIR or --index DIR, not both (got '${dir}' and --index ${index})`, true);
    return { dir: index, index: true };
  }
  if (dir === undefined) throw REPORT.fail('missing DIR (a run\'s results directory), or --index DIR', true);
  return { dir, index: false };
}

export async function main(argv: string[]): Promise<number> {
  const args = parse(argv);
  if (!args) return 0;
  if (args.index) {
    const result = await writeRunsIndex(args.dir);
    for (const w of result.warnings) console.error(`warning: ${w}`);
    console.log(`wrote ${result.htmlPath}`);
    return 0;
  }
  const { dir } = args;
  const result = await writeReport(dir);
  for (const w of result.warnings) console.error(`warning: ${w}`);
  if (result.points === 0) console.error(`warning: ${dir}/points.jsonl holds no point: the report shows the environment only.`);
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
