// A cell's direct evidence of where the server's threads spent its windows (issue 21), averaged
// over its repetitions: the thread classes, the futex the most threads waited on, the busiest
// thread, and how busy the CPUs the server could use were (every process counted).
import type { PointRecord, ServerCpusBusy, ThreadStates, ThreadSummary } from '../results/record.js';
import { mean } from './stats.js';

type Classes = NonNullable<ThreadStates['classes']>;

export interface ThreadEvidence {
  /** repetitions with sampler data */
  points: number;
  hz: number;
  /** mean threads in each class */
  classes: Classes;
  /** threads seen, mean over repetitions */
  threadCount: number;
  hottestFutex: { address: string; meanWaiters: number; threads: number } | null;
  /** the thread on a CPU the largest share of the window (its share averaged over repetitions) */
  busiest: { name: string; role: ThreadSummary['role']; tid: number; cpuShare: number; networkShare: number } | null;
}

export interface CpusBusy {
  scope: ServerCpusBusy['scope'];
  cpus: number;
  busyCores: number;
}

function busiestOf(s: ThreadStates): ThreadEvidence['busiest'] {
  let best: ThreadEvidence['busiest'] = null;
  for (const t of s.threads ?? []) {
    const cpuShare = s.windowS > 0 ? t.cpuS / s.windowS : 0;
    if (!best || cpuShare > best.cpuShare) best = { name: t.name, role: t.role, tid: t.tid, cpuShare, networkShare: t.shares.network };
  }
  return best;
}

export function threadEvidence(points: readonly PointRecord[]): ThreadEvidence | null {
  const sampled = points.map((p) => p.threadStates).filter((s): s is ThreadStates & { classes: Classes } => s?.classes !== undefined);
  if (sampled.length === 0) return null;
  const avg = (f: (c: Classes) => number) => mean(sampled.map((s) => f(s.classes)));
  const futexes = sampled.map((s) => s.hottestFutex).filter((f) => f !== undefined);
  const busiest = sampled.map(busiestOf).filter((b) => b !== null);
  const top = busiest.reduce<ThreadEvidence['busiest']>((a, b) => (!a || b.cpuShare > a.cpuShare ? b : a), null);
  return {
    points: sampled.length,
    hz: sampled[0]!.hz,
    classes: { onCpu: avg((c) => c.onCpu), cpuWait: avg((c) => c.cpuWait), lock: avg((c) => c.lock), disk: avg((c) => c.disk), network: avg((c) => c.network), other: avg((c) => c.other) },
    threadCount: mean(sampled.map((s) => s.threads?.length ?? 0)),
    // a repetition without a futex wait counts as none waiting
    hottestFutex: futexes.length === 0 ? null : {
      address: futexes[0]!.address,
      meanWaiters: futexes.reduce((s, f) => s + f.meanWaiters, 0) / sampled.length,
      threads: Math.max(...futexes.map((f) => f.threads)),
    },
    busiest: top && { ...top, cpuShare: mean(busiest.map((b) => b.cpuShare)) },
  };
}

/** why the cell has no thread evidence: the first reason a point recorded, or null when the run predates the sampler */
export function whyNoThreadEvidence(points: readonly PointRecord[]): string | null {
  return points.map((p) => p.threadStates?.unavailable).find((w) => w !== undefined) ?? null;
}

export function cpusBusy(points: readonly PointRecord[]): CpusBusy | null {
  const b = points.map((p) => p.serverCpusBusy).filter((x) => x !== undefined && Number.isFinite(x.busyCores));
  if (b.length === 0) return null;
  return { scope: b[0]!.scope, cpus: b[0]!.cpus, busyCores: mean(b.map((x) => x!.busyCores)) };
}
