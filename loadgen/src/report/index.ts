// The report library: `speedlab report DIR`, `speedlab compare A B`, and the end of `speedlab run`.
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { analyze } from '../analysis/analyze.js';
import { absentDesigns } from '../analysis/series.js';
import { computeFindings, type Finding } from '../analysis/findings.js';
import { CliError } from '../errors.js';
import { currentCheckout } from './code-version.js';
import { analyzePair, defaultComparisonPath, renderComparison, runLabels } from './comparison.js';
import { inlineLibraries } from './libs.js';
import { loadRun } from './load-run.js';
import { collectRuns } from './runs-index.js';
import { renderRunsIndex } from './runs-index-page.js';
import { renderSingleReport } from './single.js';
import { summaryCsv } from './summary-csv.js';

export type { Finding } from '../analysis/findings.js';

export interface ReportResult {
  htmlPath: string;
  summaryPath: string;
  findings: Finding[];
  /** problems met while reading the results (skipped lines, missing run.json) */
  warnings: string[];
  points: number;
}

/** Writes DIR/summary.csv and DIR/report.html from DIR/run.json and DIR/points.jsonl. */
export async function writeReport(dir: string): Promise<ReportResult> {
  const [run, libs] = await Promise.all([loadRun(dir), inlineLibraries()]);
  const analysis = analyze(run.points, [], absentDesigns(run.info?.experiment));
  const findings = computeFindings(analysis, run.info);
  const summaryPath = join(dir, 'summary.csv');
  const htmlPath = join(dir, 'report.html');
  const elsewhere = 'copy the run directory to one you can write and report it there';
  await writeAtomically(summaryPath, summaryCsv(analysis), 'the summary', elsewhere);
  await writeAtomically(htmlPath, await renderSingleReport({ run, analysis, findings, libs, generatedAt: new Date() }), 'the report', elsewhere);
  return { htmlPath, summaryPath, findings, warnings: run.warnings, points: run.points.length };
}

export interface ComparisonResult {
  htmlPath: string;
  findings: { a: Finding[]; b: Finding[] };
  warnings: string[];
}

/** Writes one HTML page with the runs in dirA and dirB side by side (default: next to dirB). */
export async function writeComparison(dirA: string, dirB: string, outPath?: string): Promise<ComparisonResult> {
  const [runA, runB, libs] = await Promise.all([loadRun(dirA), loadRun(dirB), inlineLibraries()]);
  const [analysisA, analysisB] = analyzePair(runA, runB);
  const [labelA, labelB] = runLabels(runA, runB);
  const a = { run: runA, label: labelA, analysis: analysisA, findings: computeFindings(analysisA, runA.info) };
  const b = { run: runB, label: labelB, analysis: analysisB, findings: computeFindings(analysisB, runB.info) };
  const htmlPath = resolve(outPath ?? defaultComparisonPath(resolve(dirA), resolve(dirB)));
  const html = await renderComparison(
    { ...a, run: { ...runA, dir: resolve(dirA) } },
    { ...b, run: { ...runB, dir: resolve(dirB) } },
    dirname(htmlPath), libs, new Date(),
  );
  await writeAtomically(htmlPath, html, 'the comparison page', 'give -o a file in a directory you can write');
  return {
    htmlPath,
    findings: { a: a.findings, b: b.findings },
    warnings: [...runA.warnings.map((w) => `${labelA}: ${w}`), ...runB.warnings.map((w) => `${labelB}: ${w}`)],
  };
}

interface RunsIndexResult {
  htmlPath: string;
  runs: number;
  /** per run, what could not be read */
  warnings: string[];
}

/** Writes DIR/index.html: every run directly under DIR, linked to its report, with its code's status. */
export async function writeRunsIndex(dir: string): Promise<RunsIndexResult> {
  const checkout = currentCheckout();
  const runs = await collectRuns(dir, checkout);
  const htmlPath = join(dir, 'index.html');
  await writeAtomically(htmlPath, renderRunsIndex({ title: basename(resolve(dir)), runs, checkout, generatedAt: new Date() }), 'the runs index', 'index a copy of the directory in one you can write');
  return { htmlPath, runs: runs.length, warnings: runs.flatMap((r) => r.warnings.map((w) => `${r.dir}: ${w}`)) };
}

/**
 * A reader (or a browser reloading) never sees a half-written file. A failed write is one line:
 * `what` and its path, why, and what to do (`elsewhere`: where else it could go).
 */
async function writeAtomically(path: string, content: string, what: string, elsewhere: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, content);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    const dir = dirname(path);
    const why: Record<string, string> = {
      ENOENT: `the directory ${dir} does not exist; create it, or `,
      EACCES: `no permission to write in ${dir}; change that, or `,
      EROFS: `${dir} is on a read-only file system; `,
      ENOSPC: 'the disk is full; free some space, or ',
      EISDIR: `${path} is a directory; remove it, or `,
    };
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new CliError(`cannot write ${what} ${path}: ${why[code] ?? `${code}; `}${elsewhere}`, 1, { cause: err });
  }
}
