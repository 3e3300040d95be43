// The request mix: which operation each request of a connection's cycle is.
import type { WorkloadSpec } from './job.js';

export type Op = 'put' | 'get' | 'head';

/** the cycle of operations, with the ratio's operations spread out evenly (9:1 -> g g g g p g g g g g) */
export function opCycle(w: Pick<WorkloadSpec, 'mix' | 'ratio'>): Op[] {
  if (w.mix !== 'mixed') return [w.mix];
  const weights = (['get', 'put', 'head'] as const).map((op) => ({ op, w: w.ratio[op] })).filter((x) => x.w > 0);
  const total = weights.reduce((s, x) => s + x.w, 0);
  const counts = new Map<Op, number>();
  const cycle: Op[] = [];
  for (let i = 0; i < total; i++) {
    let best = weights[0]!;
    let bestLag = -Infinity;
    for (const x of weights) {
      const lag = (x.w * (i + 1)) / total - (counts.get(x.op) ?? 0);
      if (lag > bestLag) { best = x; bestLag = lag; }
    }
    counts.set(best.op, (counts.get(best.op) ?? 0) + 1);
    cycle.push(best.op);
  }
  return cycle;
}

/** share of requests of each kind */
export function opShares(w: Pick<WorkloadSpec, 'mix' | 'ratio'>): Record<Op, number> {
  const cycle = opCycle(w);
  const share = (op: Op) => cycle.filter((o) => o === op).length / cycle.length;
  return { put: share('put'), get: share('get'), head: share('head') };
}
