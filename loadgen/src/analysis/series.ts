// Series (all params but threads and repetition) with names a person understands:
// "full log, per-file locks, 1 MiB, hdd", and a readable order.
import { LOCK_MODES, LOG_MODES, type LockMode, type LogMode, type Mix, type ParamKey } from '../results/params.js';
import { formatSize } from './format.js';
import type { CellParams } from '../results/identity.js';
import type { SeriesParams } from './group.js';

/** The params that name a series only when they vary within the run (or between compared runs). */
const OPTIONAL_DIMS = ['logWrite', 'sync', 'mix', 'connections', 'engine'] as const satisfies readonly ParamKey[];
type OptionalDim = (typeof OPTIONAL_DIMS)[number];

export function seriesParams(p: CellParams): SeriesParams {
  return { log: p.log, lock: p.lock, fileSize: p.fileSize, disk: p.disk, logWrite: p.logWrite, sync: p.sync, mix: p.mix, connections: p.connections, engine: p.engine };
}

/** Which optional dimensions take more than one value among these params. */
export function varyingDims(all: readonly SeriesParams[]): Set<OptionalDim> {
  const varying = new Set<OptionalDim>();
  for (const dim of OPTIONAL_DIMS) {
    if (new Set(all.map((p) => p[dim])).size > 1) varying.add(dim);
  }
  return varying;
}

const LOG_WORDS: Record<LogMode, string> = { off: 'no log', meta: 'meta log', full: 'full log' };
const LOCK_WORDS: Record<LockMode, string> = { global: 'global lock', file: 'per-file locks' };
const MIX_WORDS: Record<Mix, string> = { put: 'PUT', get: 'GET', head: 'HEAD', mixed: 'mixed' };

/** the reference server's design options: a user's server has them only when its command takes them ({lock}, …) */
const DESIGN_DIMS = ['lock', 'logWrite', 'sync'] as const;
export type DesignDim = (typeof DESIGN_DIMS)[number];

/**
 * The design options this run's server does not have, from run.json's experiment (or the resolved
 * one): none for the reference server; for a `command:`/`image:` server, each one its command does
 * not take as a placeholder. Its records still carry the defaults, which describe nothing there.
 */
export function absentDesigns(experiment: unknown): Set<DesignDim> {
  const impl = (experiment as { server?: { impl?: { kind?: unknown; command?: unknown } } } | null | undefined)?.server?.impl;
  if (!impl || impl.kind === 'reference' || !Array.isArray(impl.command)) return new Set();
  const command = (impl.command as unknown[]).map(String);
  return new Set(DESIGN_DIMS.filter((d) => !command.some((a) => a.includes(`{${d}}`))));
}

export function seriesName(p: SeriesParams, varying: ReadonlySet<OptionalDim>, absent: ReadonlySet<DesignDim> = new Set()): string {
  // the fallbacks: records written by another version may carry values this one does not know
  const lock = absent.has('lock') ? [] : [LOCK_WORDS[p.lock] ?? `${p.lock} lock`];
  const parts = [LOG_WORDS[p.log] ?? `${p.log} log`, ...lock, formatSize(p.fileSize), p.disk];
  if (varying.has('logWrite') && p.log !== 'off' && !absent.has('logWrite')) parts.push(`${p.logWrite} log writes`);
  if (varying.has('sync') && !absent.has('sync')) parts.push(p.sync === 'fsync' ? 'fsync' : 'no fsync');
  if (varying.has('mix')) parts.push(`${MIX_WORDS[p.mix] ?? p.mix} workload`);
  if (varying.has('connections')) parts.push(`${p.connections} connections`);
  if (varying.has('engine')) parts.push(`${p.engine} load`);
  return parts.join(', ');
}

/** the schema's order of the values, unknown ones last */
function rank(values: readonly string[], value: string): number {
  const i = values.indexOf(value);
  return i < 0 ? 9 : i;
}

/** A stable, readable order: disk, then file size, then log mode, then lock, then the rest. */
export function compareSeries(a: SeriesParams, b: SeriesParams): number {
  return (
    a.disk.localeCompare(b.disk) ||
    a.fileSize - b.fileSize ||
    rank(LOG_MODES, a.log) - rank(LOG_MODES, b.log) ||
    rank(LOCK_MODES, a.lock) - rank(LOCK_MODES, b.lock) ||
    a.logWrite.localeCompare(b.logWrite) ||
    a.sync.localeCompare(b.sync) ||
    a.mix.localeCompare(b.mix) ||
    a.connections - b.connections ||
    a.engine.localeCompare(b.engine)
  );
}
