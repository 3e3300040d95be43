// A point's identity: the key of its parameters names its cell (every parameter but the
// repetition), and that key with the repetition is the point's id, which resume and compare match.
import { PARAM_KEYS, type ParamKey } from './params.js';
import type { PointParams } from './record.js';

export type CellParams = Omit<PointParams, 'repetition'>;

/**
 * Parameters added after records were first written, with the value every older record had:
 * at that value they stay out of the key, so older points.jsonl files keep their ids (resume, compare).
 */
const LATER_PARAMS: Partial<CellParams> = { engine: 'autocannon' };

/** `key=value` of the given parameters, in point-id order, joined by commas */
export function paramsKey<K extends ParamKey>(keys: readonly K[], p: Pick<CellParams, K>): string {
  return keys.filter((k) => !(k in LATER_PARAMS) || p[k] !== LATER_PARAMS[k]).map((k) => `${k}=${p[k]}`).join(',');
}

/** stable key of a cell's parameters */
export function cellKey(p: CellParams): string {
  return paramsKey(PARAM_KEYS, p);
}

export function pointId(p: PointParams): string {
  return `${cellKey(p)},repetition=${p.repetition}`;
}
