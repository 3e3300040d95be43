// One window's samples of every thread, summed up: per thread its CPU time, its time waiting for
// a CPU and the share of its samples in each class; for the server, the mean number of threads in
// each class and the futex the most threads waited on. Pure.
import type { ThreadStates, ThreadSummary } from '../results/record.js';
import type { SampleClass } from './classify.js';
import type { Schedstat, TaskStat } from './procfs.js';

/** /proc counts utime and stime in USER_HZ, 100 on every Linux architecture the lab runs on */
const USER_HZ = 100;

/** a reading of its CPU counters: schedstat, else stat */
interface Ends {
  stat?: TaskStat;
  sched?: Schedstat;
}

/** what the sampler collected about one thread */
export interface TaskRecord {
  pid: number;
  tid: number;
  name: string;
  /** samples taken of it */
  seen: number;
  /** ticks it was alive through: more than `seen` when the sampler looked at threads in turn */
  lived: number;
  counts: Record<SampleClass, number>;
  /** of its network samples, those waiting in accept, poll, epoll or select */
  dispatch: number;
  /** futex address -> samples waiting on it, of the lock samples that read the address */
  futex: Map<string, number>;
  /** its lock samples that read the address (the sampler reads it for one futex wait in a few) */
  addressed: number;
  /** 'other' samples by where they waited */
  where: Map<string, number>;
  first?: Ends;
  last?: Ends;
}

const round = (x: number, digits = 3) => Number(x.toFixed(digits));

function topKey(m: Map<string, number>): string | undefined {
  let best: [string, number] | undefined;
  for (const e of m) if (!best || e[1] > best[1]) best = e;
  return best?.[0];
}

/** of its samples, at least this share waiting to accept or poll makes a thread other than the first a dispatcher */
const DISPATCHER_SHARE = 0.5;

/** main: its process's first thread; dispatcher: another that mostly waited in accept/poll/epoll/select (it hands out connections); worker: the rest */
function roleOf(t: TaskRecord): ThreadSummary['role'] {
  if (t.tid === t.pid) return 'main';
  return t.seen > 0 && t.dispatch / t.seen >= DISPATCHER_SHARE ? 'dispatcher' : 'worker';
}

interface ThreadTimes { cpuS: number; cpuWaitS: number; active: boolean; onCpuOfRunnable: number }

function times(t: TaskRecord): ThreadTimes {
  const a = t.first;
  const b = t.last;
  if (a?.sched && b?.sched) {
    const on = b.sched.onCpuNs - a.sched.onCpuNs;
    const wait = b.sched.runQueueNs - a.sched.runQueueNs;
    return { cpuS: on / 1e9, cpuWaitS: wait / 1e9, active: b.sched.timeslices > a.sched.timeslices, onCpuOfRunnable: on + wait > 0 ? on / (on + wait) : 1 };
  }
  if (!a?.stat || !b?.stat) return { cpuS: 0, cpuWaitS: 0, active: t.counts.running > 0, onCpuOfRunnable: 1 };
  const ticks = b.stat.utimeTicks + b.stat.stimeTicks - a.stat.utimeTicks - a.stat.stimeTicks;
  return { cpuS: ticks / USER_HZ, cpuWaitS: 0, active: ticks > 0 || t.counts.running > 0, onCpuOfRunnable: 1 };
}

export function summarize(tasks: readonly TaskRecord[], window: { hz: number; ticks: number; windowS: number }): ThreadStates {
  const classes = { onCpu: 0, cpuWait: 0, lock: 0, disk: 0, network: 0, other: 0 };
  const waiters = new Map<string, { pid: number; address: string; samples: number; threads: number }>();
  const threads: ThreadSummary[] = [];
  const ticks = Math.max(1, window.ticks);
  for (const t of tasks) {
    if (t.seen === 0) continue;
    const tm = times(t);
    // a thread that never ran in the window waited for work there, whatever it waited in
    const lock = tm.active ? t.counts.lock : 0;
    const network = t.counts.network + (tm.active ? 0 : t.counts.lock);
    const counts = {
      onCpu: t.counts.running * tm.onCpuOfRunnable,
      cpuWait: t.counts.running * (1 - tm.onCpuOfRunnable),
      lock, disk: t.counts.disk, network, other: t.counts.other,
    };
    // each of its samples stands for this many ticks it lived through (1, unless looked at in turn)
    const standsFor = Math.max(t.lived, t.seen) / t.seen;
    for (const k of Object.keys(classes) as (keyof typeof classes)[]) classes[k] += (counts[k] * standsFor) / ticks;
    if (tm.active) {
      for (const [address, n] of t.futex) {
        const key = `${t.pid}:${address}`;
        const w = waiters.get(key) ?? { pid: t.pid, address, samples: 0, threads: 0 };
        // the addresses read stand for all of its lock samples
        w.samples += n * (t.addressed > 0 ? t.counts.lock / t.addressed : 1) * standsFor;
        w.threads++;
        waiters.set(key, w);
      }
    }
    const share = (n: number) => round(n / t.seen);
    const where = topKey(t.where);
    const futex = tm.active ? topKey(t.futex) : undefined;
    threads.push({
      pid: t.pid, tid: t.tid, name: t.name, role: roleOf(t), active: tm.active,
      samples: t.seen, cpuS: round(tm.cpuS, 4), cpuWaitS: round(tm.cpuWaitS, 4),
      shares: { onCpu: share(counts.onCpu), cpuWait: share(counts.cpuWait), lock: share(counts.lock), disk: share(counts.disk), network: share(counts.network), other: share(counts.other) },
      ...(where && { where }),
      ...(futex && { futex }),
    });
  }
  let hottest: ThreadStates['hottestFutex'];
  for (const w of waiters.values()) {
    const meanWaiters = w.samples / ticks;
    if (!hottest || meanWaiters > hottest.meanWaiters) hottest = { pid: w.pid, address: w.address, meanWaiters: round(meanWaiters), threads: w.threads };
  }
  return {
    hz: window.hz, ticks: window.ticks, windowS: round(window.windowS),
    classes: { onCpu: round(classes.onCpu), cpuWait: round(classes.cpuWait), lock: round(classes.lock), disk: round(classes.disk), network: round(classes.network), other: round(classes.other) },
    ...(hottest && { hottestFutex: hottest }),
    threads,
  };
}
