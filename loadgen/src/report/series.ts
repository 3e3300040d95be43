// Series (all params but threads and repetition) and cells (all params but repetition), with
// names a person understands: "full log, per-file locks, 1 MiB, hdd".
import type { PointParams } from '../results/record.js';
import { formatSize } from './format.js';

export type SeriesParams = Omit<PointParams, 'threads' | 'repetition'>;
export type CellParams = Omit<PointParams, 'repetition'>;

/** The params that name a series only when they vary within the run (or between compared runs). */
type OptionalDim = 'logWrite' | 'sync' | 'mix' | 'connections' | 'engine';
const OPTIONAL_DIMS: readonly OptionalDim[] = ['logWrite', 'sync', 'mix', 'connections', 'engine'];

export function seriesParams(p: PointParams | CellParams): SeriesParams {
  return { log: p.log, lock: p.lock, fileSize: p.fileSize, disk: p.disk, logWrite: p.logWrite, sync: p.sync, mix: p.mix, connections: p.connections, engine: p.engine };
}

export function seriesKey(p: SeriesParams): string {
  // the engine joins the key only where it is not the one every older record used
  const engine = p.engine === 'autocannon' ? [] : [p.engine];
  return [p.log, p.lock, p.fileSize, p.disk, p.logWrite, p.sync, p.mix, p.connections, ...engine].join('|');
}

export function cellKey(p: CellParams): string {
  return `${seriesKey(p)}|${p.threads}`;
}

/** Which optional dimensions take more than one value among these params. */
export function varyingDims(all: readonly SeriesParams[]): Set<OptionalDim> {
  const varying = new Set<OptionalDim>();
  for (const dim of OPTIONAL_DIMS) {
    if (new Set(all.map((p) => p[dim])).size > 1) varying.add(dim);
  }
  return varying;
}

const LOG_WORDS: Record<string, string> = { off: 'no log', meta: 'meta log', full: 'full log' };
const LOCK_WORDS: Record<string, string> = { global: 'global lock', file: 'per-file locks' };
const MIX_WORDS: Record<string, string> = { put: 'PUT', get: 'GET', head: 'HEAD', mixed: 'mixed' };

export function seriesName(p: SeriesParams, varying: ReadonlySet<OptionalDim>): string {
  const parts = [LOG_WORDS[p.log] ?? `${p.log} log`, LOCK_WORDS[p.lock] ?? `${p.lock} lock`, formatSize(p.fileSize), p.disk];
  if (varying.has('logWrite') && p.log !== 'off') parts.push(`${p.logWrite} log writes`);
  if (varying.has('sync')) parts.push(p.sync === 'fsync' ? 'fsync' : 'no fsync');
  if (varying.has('mix')) parts.push(`${MIX_WORDS[p.mix] ?? p.mix} workload`);
  if (varying.has('connections')) parts.push(`${p.connections} connections`);
  if (varying.has('engine')) parts.push(`${p.engine} load`);
  return parts.join(', ');
}

const LOG_ORDER: Record<string, number> = { off: 0, meta: 1, full: 2 };
const LOCK_ORDER: Record<string, number> = { global: 0, file: 1 };

/** A stable, readable order: disk, then file size, then log mode, then lock, then the rest. */
export function compareSeries(a: SeriesParams, b: SeriesParams): number {
  return (
    a.disk.localeCompare(b.disk) ||
    a.fileSize - b.fileSize ||
    (LOG_ORDER[a.log] ?? 9) - (LOG_ORDER[b.log] ?? 9) ||
    (LOCK_ORDER[a.lock] ?? 9) - (LOCK_ORDER[b.lock] ?? 9) ||
    a.logWrite.localeCompare(b.logWrite) ||
    a.sync.localeCompare(b.sync) ||
    a.mix.localeCompare(b.mix) ||
    a.connections - b.connections ||
    a.engine.localeCompare(b.engine)
  );
}
