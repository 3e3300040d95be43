// The grid: the cross product of the swept values, everything else fixed. Repetitions are
// interleaved: every cell once, then every cell again, so slow drift spreads over all cells.
import { cellKey, pointId, type CellParams } from '../results/identity.js';
import type { PointParams } from '../results/record.js';
import type { Experiment } from './experiment.js';

export interface Point {
  id: string;
  cell: string;
  index: number;
  params: PointParams;
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
