// A thread-state sampler's view of a 2 s window, made up for the analysis and report tests.
import type { ThreadStates } from '../../src/results/record.js';

type Classes = NonNullable<ThreadStates['classes']>;

/** a sampler's view of a window of 2 s: n workers with the given mean classes, the main thread on a CPU `mainShare` of it */
export function states(n: number, classes: Partial<Classes>, opts: { futexWaiters?: number; mainShare?: number } = {}): ThreadStates {
  const worker = (i: number) => ({
    pid: 100, tid: 101 + i, name: 'httpserver', role: 'worker' as const, active: true, samples: 200, cpuS: 0.01, cpuWaitS: 0,
    shares: { onCpu: 0, cpuWait: 0, lock: 0, disk: 0, network: 0, other: 0 },
  });
  return {
    hz: 100, ticks: 200, windowS: 2,
    classes: { onCpu: 0, cpuWait: 0, lock: 0, disk: 0, network: 0, other: 0, ...classes },
    ...(opts.futexWaiters !== undefined && { hottestFutex: { pid: 100, address: '0x55d0e7ac60c0', meanWaiters: opts.futexWaiters, threads: n } }),
    threads: [
      { pid: 100, tid: 100, name: 'httpserver', role: 'main', active: true, samples: 200, cpuS: 2 * (opts.mainShare ?? 0.1), cpuWaitS: 0, shares: { onCpu: opts.mainShare ?? 0.1, cpuWait: 0, lock: 0, disk: 0, network: 1 - (opts.mainShare ?? 0.1), other: 0 } },
      ...Array.from({ length: n }, (_, i) => worker(i)),
    ],
  };
}

