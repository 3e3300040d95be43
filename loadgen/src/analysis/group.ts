// Points grouped into cells (every parameter but the repetition) and series (every parameter but
// threads and the repetition), by keys in point-id order.
import { PARAM_KEYS, type ParamKey } from '../results/params.js';
import type { PointParams, PointRecord } from '../results/record.js';

export type CellParams = Omit<PointParams, 'repetition'>;
export type SeriesParams = Omit<PointParams, 'threads' | 'repetition'>;

/**
 * Parameters added after records were first written, with the value every older record had:
 * at that value they stay out of the key, so older points.jsonl files keep their ids (resume, compare).
 */
const LATER_PARAMS: Partial<CellParams> = { engine: 'autocannon' };

const SERIES_KEYS = PARAM_KEYS.filter((k): k is Exclude<ParamKey, 'threads'> => k !== 'threads');

function keyOf<K extends ParamKey>(keys: readonly K[], p: Pick<CellParams, K>): string {
  return keys.filter((k) => !(k in LATER_PARAMS) || p[k] !== LATER_PARAMS[k]).map((k) => `${k}=${p[k]}`).join(',');
}

/** stable key of a cell's parameters; a point's id is this key and its repetition */
export function cellKey(p: CellParams): string {
  return keyOf(PARAM_KEYS, p);
}

export function seriesKey(p: SeriesParams): string {
  return keyOf(SERIES_KEYS, p);
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
