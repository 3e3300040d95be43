// speedlab report DIR: DIR/summary.csv and DIR/report.html from a run's results (DESIGN §7–8).
// speedlab report --index DIR: DIR/index.html, a page listing the runs under DIR.
import { parseArgs } from 'node:util';
import { CliError } from '../errors.js';
import { writeReport, writeRunsIndex, type Finding } from '../report/index.js';

const USAGE = `usage: speedlab report DIR
       speedlab report --index DIR

Writes DIR/report.html (self-contained, works offline) and DIR/summary.csv from DIR/run.json and DIR/points.jsonl.
--index DIR: writes DIR/index.html, one offline page linking every run directory directly under DIR
  (each one with a run.json) to its report.html, with its date, runtime, engines, expectations passed,
  headline finding and code version: its commit, and whether server/ or the load path
  (loadgen/src/workload) changed since, against this checkout's HEAD.`;

function parse(argv: string[]): { dir: string; index: boolean } | undefined {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { index: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n${USAGE}`, 2);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return undefined;
  }
  if (values.index !== undefined) {
    if (positionals.length !== 0) throw new CliError(USAGE, 2);
    return { dir: values.index, index: true };
  }
  if (positionals.length !== 1) throw new CliError(USAGE, 2);
  return { dir: positionals[0]!, index: false };
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
