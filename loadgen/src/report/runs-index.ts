// The runs directly under a directory, one summary each, for its index.html (speedlab report --index).
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { analyze } from '../analysis/analyze.js';
import { absentDesigns } from '../analysis/series.js';
import { computeFindings, headline as headlineOf, type Headline } from '../analysis/findings.js';
import { ReportInputError, ResultsFormatError } from '../errors.js';
import type { CodeVersion, Engine, RunInfo } from '../results/record.js';
import { codeStatus, recordedCode, type Checkout, type CodeStatus } from './code-version.js';
import { loadRun, readRunInfo, type LoadedRun } from './load-run.js';

export interface IndexedRun {
  /** the run's directory, relative to the indexed one */
  dir: string;
  hasReport: boolean;
  name: string;
  description?: string;
  startedAt?: string;
  runtime?: string;
  /** the engines of its points (autocannon for records without one); null when its points could not be read */
  engines: Engine[] | null;
  points: number | null;
  expectations: { passed: number; total: number };
  /** the report's headline: its main result and the caveats beside it; null when no finding or without points */
  headline: Headline | null;
  code: CodeVersion | undefined;
  status: CodeStatus;
  /** why something is missing (no points.jsonl, an unreadable run.json, ...) */
  warnings: string[];
}

const isDir = (path: string) => stat(path).then((s) => s.isDirectory(), () => false);
const isFile = (path: string) => stat(path).then((s) => s.isFile(), () => false);

/** the names of the directories directly under `dir` that hold a run.json, sorted */
async function runDirectories(dir: string): Promise<string[]> {
  if (!(await isDir(dir))) throw new ReportInputError(`${dir} does not exist or is not a directory`, 2);
  const names: string[] = [];
  for (const name of (await readdir(dir)).sort()) {
    if ((await isDir(join(dir, name))) && (await isFile(join(dir, name, 'run.json')))) names.push(name);
  }
  if (names.length === 0) throw new ReportInputError(`${dir} holds no run: no directory directly under it has a run.json`, 2);
  return names;
}

/** The runs under `dir`, newest first; one at a time, as a run's points can be large. */
export async function collectRuns(dir: string, checkout: Checkout | undefined): Promise<IndexedRun[]> {
  const runs: IndexedRun[] = [];
  for (const name of await runDirectories(dir)) runs.push(await indexRun(join(dir, name), name, checkout));
  return runs.sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? '') || a.dir.localeCompare(b.dir));
}

async function loadPoints(path: string, warnings: string[]): Promise<LoadedRun | null> {
  if (!(await isFile(join(path, 'points.jsonl')))) {
    warnings.push('points.jsonl is missing: no findings, engines unknown.');
    return null;
  }
  return unreadableAsWarning(() => loadRun(path), warnings);
}

/**
 * one run that cannot be read is a warning on its row, not the end of the index (said once: a
 * wrong run.json fails loadRun, then the read of run.json alone)
 */
async function unreadableAsWarning<T>(read: () => Promise<T>, warnings: string[]): Promise<T | null> {
  try {
    return await read();
  } catch (err) {
    if (!(err instanceof ReportInputError || err instanceof ResultsFormatError)) throw err;
    if (!warnings.includes(err.message)) warnings.push(err.message);
    return null;
  }
}

async function indexRun(path: string, dir: string, checkout: Checkout | undefined): Promise<IndexedRun> {
  const warnings: string[] = [];
  const run = await loadPoints(path, warnings);
  const info: RunInfo | null = run ? run.info : await unreadableAsWarning(() => readRunInfo(join(path, 'run.json'), warnings), warnings);
  let headline: Headline | null = null;
  if (run) {
    warnings.push(...run.warnings);
    headline = headlineOf(computeFindings(analyze(run.points, [], absentDesigns(info?.experiment)), info));
  }
  const code = recordedCode(info);
  const results = Array.isArray(info?.expectations) ? info.expectations : [];
  const description = (info?.experiment as { description?: unknown } | undefined)?.description;
  return {
    dir,
    hasReport: await isFile(join(path, 'report.html')),
    name: typeof info?.name === 'string' && info.name ? info.name : dir,
    ...(typeof description === 'string' && description && { description }),
    ...(typeof info?.startedAt === 'string' && { startedAt: info.startedAt }),
    ...(typeof info?.runtime === 'string' && { runtime: info.runtime }),
    engines: run ? [...new Set(run.points.map((p) => p.params.engine))].sort() : null,
    points: run ? run.points.length : null,
    expectations: { passed: results.filter((e) => e?.passed === true).length, total: results.length },
    headline,
    code,
    status: codeStatus(code, checkout),
    warnings,
  };
}
