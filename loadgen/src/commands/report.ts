// speedlab report DIR: DIR/summary.csv and DIR/report.html from a run's results (DESIGN §7–8).
import { singlePositional } from '../cli-args.js';
import { writeReport, type Finding } from '../report/index.js';

const USAGE = 'usage: speedlab report DIR\n\nWrites DIR/report.html (self-contained, works offline) and DIR/summary.csv from DIR/run.json and DIR/points.jsonl.';

export async function main(argv: string[]): Promise<number> {
  const dir = singlePositional(argv, USAGE);
  if (dir === undefined) return 0;
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
