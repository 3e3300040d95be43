// The grid: the cross product of the swept values, everything else fixed. Repetitions are
// interleaved: every cell once, then every cell again, so slow drift spreads over all cells.
import type { PointParams } from '../results/record.js';
import type { CellParams, Experiment } from './experiment.js';
import { SWEEP_KEYS } from './schema.js';

export interface Point {
  id: string;
  cell: string;
  index: number;
  params: PointParams;
}

/**
 * Parameters added after records were first written, with the value every older record had:
 * at that value they stay out of the key, so older points.jsonl files keep their ids (resume, compare).
 */
const LATER_PARAMS: Partial<CellParams> = { engine: 'autocannon' };

/** stable key of a cell's parameters, in a fixed order */
export function cellKey(p: CellParams): string {
  return SWEEP_KEYS.filter((k) => !(k in LATER_PARAMS) || p[k] !== LATER_PARAMS[k]).map((k) => `${k}=${p[k]}`).join(',');
}

export function pointId(p: PointParams): string {
  return `${cellKey(p)},repetition=${p.repetition}`;
}

export function cells(exp: Experiment): CellParams[] {
  let out: CellParams[] = [{ ...exp.fixed }];
  for (const { key, values } of exp.sweep) {
    out = out.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  }
  return out;
}

export function points(exp: Experiment): Point[] {
  const cs = cells(exp);
  const out: Point[] = [];
  for (let repetition = 0; repetition < exp.workload.repetitions; repetition++) {
    for (const c of cs) {
      const params: PointParams = { ...c, repetition };
      out.push({ id: pointId(params), cell: cellKey(c), index: out.length, params });
    }
  }
  return out;
}
