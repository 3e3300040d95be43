// Reads a results directory for the report, by the rules of results/schema.ts: records written by
// older versions lack only optional fields; a crash mid-sweep can leave a last line without its
// newline, which is skipped with a warning; a wrong line or run.json is an error naming it.
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ReportInputError } from '../errors.js';
import type { PointRecord, RunInfo } from '../results/record.js';
import { parsePoints, parseRunInfo } from '../results/schema.js';

export interface LoadedRun {
  dir: string;
  /** run.json, when present */
  info: RunInfo | null;
  /** RunInfo.name, or the directory's name without run.json */
  name: string;
  points: PointRecord[];
  /** problems found while reading, shown in the report */
  warnings: string[];
}

export async function loadRun(dir: string): Promise<LoadedRun> {
  const dirStat = await stat(dir).catch(() => null);
  if (!dirStat?.isDirectory()) throw new ReportInputError(`${dir} is not a results directory (it does not exist or is not a directory)`);
  const warnings: string[] = [];
  const info = await readRunInfo(join(dir, 'run.json'), warnings);
  const pointsPath = join(dir, 'points.jsonl');
  const text = await readFile(pointsPath, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') throw new ReportInputError(`${pointsPath} does not exist: no point of this run was measured (is ${dir} a speedlab results directory?)`, 1, { cause: err });
    throw new ReportInputError(`cannot read ${pointsPath}: ${err.message}`, 1, { cause: err });
  });
  const points = readPoints(text, pointsPath, warnings);
  const name = info?.name || basename(dir);
  return { dir, info, name, points, warnings };
}

/** run.json, or null (missing) with the reason in `warnings` */
export async function readRunInfo(path: string, warnings: string[]): Promise<RunInfo | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    warnings.push('run.json is missing: the environment of this run is unknown.');
    return null;
  }
  return parseRunInfo(text, path);
}

function readPoints(text: string, path: string, warnings: string[]): PointRecord[] {
  const { points, partial } = parsePoints(text, path);
  if (partial) warnings.push(`points.jsonl line ${partial.line} has no newline at its end and was skipped (a truncated write?).`);
  return points;
}
