// Points grouped by keys in point-id order: into series (every parameter but threads and the
// repetition) here, into cells by the key of a point's identity (results/identity.ts).
import { PARAM_KEYS, type ParamKey } from '../results/params.js';
import { paramsKey } from '../results/identity.js';
import type { PointParams, PointRecord } from '../results/record.js';

export type SeriesParams = Omit<PointParams, 'threads' | 'repetition'>;

const SERIES_KEYS = PARAM_KEYS.filter((k): k is Exclude<ParamKey, 'threads'> => k !== 'threads');

export function seriesKey(p: SeriesParams): string {
  return paramsKey(SERIES_KEYS, p);
}

/** the groups in the order of their first item */
export function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = out.get(k);
    if (list) list.push(it);
    else out.set(k, [it]);
  }
  return out;
}

/** the points measured and verified */
export function okPoints<T extends Pick<PointRecord, 'outcome'>>(points: readonly T[]): T[] {
  return points.filter((p) => p.outcome === 'ok');
}
