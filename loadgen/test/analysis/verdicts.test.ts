// One verdict per series, from the thread samples where there are some (issue 21), and from the
// curve where there are none, saying so.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { computeFindings, type Finding } from '../../src/analysis/findings.js';
import type { PointRecord } from '../../src/results/record.js';
import { states } from '../threads/states-fixture.js';
import { parsePoints } from '../../src/results/schema.js';
import { series } from '../report/fixtures.js';

const SERVER_VERDICTS = new Set(['disk-bound', 'cpu-bound', 'lock-bound', 'single-thread-bound', 'scales', 'unexplained', 'not-enough-data']);
const TRUST_VERDICTS = new Set(['loadgen-bound', 'network-bound']);

/** a flat series (threads did not help) whose points carry what `extra` gives them */
function flatWith(extra: (threads: number) => Partial<PointRecord>): PointRecord[] {
  return series({ params: {}, sigma: 1, kappa: 0, lambda: 1000, jitter: 0, extra });
}

const machine = (busyCores: number) => ({ serverCpusBusy: { scope: 'machine' as const, cpuList: 'all', cpus: 2, busyCores } });

function verdicts(points: PointRecord[]): Finding[] {
  return computeFindings(analyze(points), null).filter((f) => f.series && (SERVER_VERDICTS.has(f.kind) || TRUST_VERDICTS.has(f.kind)));
}

describe('verdicts from thread samples', () => {
  test('lock-bound when most workers were measured waiting on one futex, with the numbers in words', () => {
    const [v, ...more] = verdicts(flatWith((t) => ({ threadStates: states(t, { lock: 0.85 * t, onCpu: 0.9 }, { futexWaiters: 0.85 * t }), ...machine(1.2) })));
    expect(more).toEqual([]);
    expect(v).toMatchObject({ kind: 'lock-bound', evidence: 'measured', numbers: { threads: 16, oneLockWaiters: 13.6 } });
    expect(v!.text).toContain('at 16 threads, 13.6 threads (the server runs 16 workers) waited on one futex (0x55d0e7ac60c0) on average; 0.9 cores on a CPU; the machine\'s 2 CPUs were 60% busy');
  });

  test('threads waiting on one futex while the server\'s CPUs were busy: CPU-bound, not lock-bound (the large-log example: idle workers on their queue)', () => {
    const cpuset = { serverCpusBusy: { scope: 'cpuset' as const, cpuList: '1', cpus: 1, busyCores: 0.997 }, serverCpuCores: 0.99 };
    const [v, ...more] = verdicts(flatWith((t) => ({ threadStates: states(t, { lock: t, onCpu: 1, cpuWait: 2 }, { futexWaiters: 0.5 * t }), ...cpuset })));
    expect(more).toEqual([]);
    expect(v).toMatchObject({ kind: 'cpu-bound', evidence: 'measured', numbers: { threads: 16, lockWaiters: 16 } });
    expect(v!.text).toContain("CPU-bound — at 16 threads, the server's cpuset of 1 CPU was 100% busy (0.997 cores, every process counted; the server used 0.99 cores");
  });

  test('threads waiting on one futex while other programs kept the machine busy: still lock-bound (the C example under scripts/busy-test.sh)', () => {
    const busy = { ...machine(2), serverCpuCores: 0.02 };
    const [v, ...more] = verdicts(flatWith((t) => ({ threadStates: states(t, { lock: 0.85 * t, onCpu: 0.02 }, { futexWaiters: 0.85 * t }), ...busy })));
    expect(more).toEqual([]);
    expect(v).toMatchObject({ kind: 'lock-bound', evidence: 'measured', numbers: { threads: 16, oneLockWaiters: 13.6 } });
    expect(v!.text).toContain("the machine's 2 CPUs were 100% busy (2 cores, every process counted; the server used 0.02 cores");
  });

  test('a flat curve on a saturated machine with no futex waits is CPU-bound, not lock-bound (the local C example with wrk)', () => {
    const [v, ...more] = verdicts(flatWith((t) => ({ threadStates: states(t, { onCpu: 1, cpuWait: 0.5, network: t - 1 }), ...machine(1.96) })));
    expect(more).toEqual([]);
    expect(v).toMatchObject({ kind: 'cpu-bound', evidence: 'measured' });
    expect(v!.text).toContain("the machine's 2 CPUs were 98% busy (1.96 cores, every process counted;");
  });

  test('a series still rising at its most threads scales, with the CPUs\' state beside it, even on a busy machine', () => {
    const rising = series({ params: {}, sigma: 0, kappa: 0, lambda: 1000, jitter: 0, extra: (t) => ({ threadStates: states(t, { onCpu: 1.5, other: t }), ...machine(1.9) }) });
    const [v, ...more] = verdicts(rising);
    expect(more).toEqual([]);
    expect(v).toMatchObject({ kind: 'scales', evidence: 'measured' });
    expect(v!.text).toContain("still rising at 16 threads; at 16 threads the machine's 2 CPUs were 95% busy");
  });

  test('single-thread-bound when one thread was on a CPU 90% of the window, naming it', () => {
    const [v] = verdicts(flatWith((t) => ({ threadStates: states(t, { onCpu: 1, network: t }, { mainShare: 0.97 }), ...machine(1.3) })));
    expect(v).toMatchObject({ kind: 'single-thread-bound', evidence: 'measured' });
    expect(v!.numbers.busiestCpuShare).toBeCloseTo(0.97, 9);
    expect(v!.text).toContain('the main thread (httpserver, tid 100, the one that polls the sockets) was on a CPU 97% of the window');
  });

  test('disk-bound when half the workers were in disk waits', () => {
    const [v] = verdicts(flatWith((t) => ({ threadStates: states(t, { disk: 0.6 * t }), ...machine(0.5) })));
    expect(v).toMatchObject({ kind: 'disk-bound', evidence: 'measured' });
    expect(v!.text).toContain('9.6 threads on average waited on the disk (D state, fsync, journal commits)');
  });

  test('a device at its limit is disk-bound from the first thread count that reached it, though a curve of a few requests per window rises at its most threads (the sd-card)', () => {
    // the example's sd-card: 10.9 MB/s of its 10 MB/s at 1 thread; at 16 threads the counter lags the
    // log (its last pages still wait for the device) and 5 → 7 requests per window read as a 1.41× step
    const limits = { writeBps: 10_000_000 };
    const written = (t: number) => (t === 1 ? 10.9e6 : t === 16 ? 8.05e6 : 10.5e6) * 6;
    const rising = series({ params: {}, sigma: 0, kappa: 0, lambda: 1, jitter: 0, extra: (t) => ({
      durationS: 6, diskLimits: limits, deviceWriteBytes: written(t), logBytes: 5.8e7, threadStates: states(t, { disk: 0.49 * t, network: 0.5 * t }), ...machine(0.1),
    }) });
    const [v, ...more] = verdicts(rising);
    expect(more).toEqual([]);
    expect(v).toMatchObject({ kind: 'disk-bound', evidence: 'measured', numbers: { fromThreads: 1, threads: 16 } });
    expect(v!.text).toContain("disk-bound — from 1 thread on the device wrote 10.9 MB/s, 109% of the profile's 10 MB/s limit (at most 109%); at 16 threads, 7.84 threads on average waited on the disk");
  });

  test('a flat curve the samples cannot explain is called unexplained, never lock-bound', () => {
    const [v] = verdicts(flatWith((t) => ({ threadStates: states(t, { network: t }), ...machine(0.4) })));
    expect(v).toMatchObject({ kind: 'unexplained', evidence: 'measured' });
  });

  test('loadgen-bound takes precedence over the evidence, and says no verdict on the server is given', () => {
    const found = verdicts(flatWith((t) => ({ loadgenBound: t >= 8, loadgenCpuCores: t >= 8 ? 0.95 : 0.5, threadStates: states(t, { lock: t }, { futexWaiters: t }) })));
    expect(found.map((f) => f.kind)).toEqual(['loadgen-bound']);
    expect(found[0]!.text).toContain('no verdict on the server is given');
  });

  test('without samples the verdict is the curve\'s, and says so and why', () => {
    const [old] = verdicts(flatWith(() => ({})));
    expect(old).toMatchObject({ kind: 'lock-bound', evidence: 'inferred' });
    expect(old!.text).toContain('(inferred from the throughput curve and CPU totals: no thread samples — the run was made without the thread-state sampler).');
    const why = "the engine's cgroup files are not visible from this process";
    const [remote] = verdicts(flatWith(() => ({ threadStates: { hz: 100, ticks: 0, windowS: 0, unavailable: why } })));
    expect(remote!.text).toContain(`no thread samples — ${why})`);
  });
});

describe('the example runs in results/examples (measured with the thread-state sampler)', () => {
  const root = new URL('../../../results/examples/', import.meta.url);
  const runs = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);

  test.each(runs)('%s: every series has one server verdict, or a trust verdict instead, never two', (run) => {
    const { points } = parsePoints(readFileSync(new URL(`${run}/points.jsonl`, root), 'utf8'), 'points.jsonl');
    const analysis = analyze(points);
    const findings = computeFindings(analysis, null);
    for (const s of analysis.series.filter((x) => x.cells.some((c) => c.ok > 0))) {
      const mine = findings.filter((f) => f.seriesKey === s.key);
      const server = mine.filter((f) => SERVER_VERDICTS.has(f.kind));
      const trust = mine.filter((f) => TRUST_VERDICTS.has(f.kind));
      expect({ series: s.name, count: trust.length > 0 ? server.length : server.length - 1 }).toEqual({ series: s.name, count: 0 });
      for (const f of server) expect(f.evidence).toBe('measured');
    }
  });
});
