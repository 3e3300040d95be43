// The thread samples on real servers through `speedlab run` (issue 21's acceptance on this
// machine): the C example's one global lock is measured as lock-bound, with five or more of its
// eight workers waiting on one futex, and its per-file locks are not; and the reference server's
// main thread, which does all the HTTP, is the busiest (a throttled disk in Docker:
// evidence-docker.test.ts). Build first: npx tsc -p .
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../fixtures/cli.js';
import { run } from './evidence.js';

const C_DIR = path.join(ROOT, 'examples/c-server');
beforeAll(() => {
  execFileSync('make', ['-s', '-C', C_DIR], { stdio: 'inherit' });
});

describe('thread samples of real servers', () => {
  it('the C example: lock-bound from measured futex waits with one global lock, not with per-file locks', async () => {
    const { points } = await run('c-locks', [
      'server:',
      `  command: [${path.join(C_DIR, 'httpserver')}, "{port}", -N, "{threads}", --lock, "{lock}", --io-delay, "2"]`,
      'sweep: { threads: [1, 8], lock: [global, file] }',
      'workload: { engine: wrk, mix: get, fileSize: 4KiB, connections: 32, warmup: 0.3s, duration: 1.5s }',
      'expect:',
      '  - { where: { lock: global }, finding: { kind: lock-bound, measured: true } }',
      '  - { where: { lock: file }, finding: { kind: lock-bound, present: false } }',
    ], ['--runtime', 'local']);
    const global8 = points.find((p) => p.params.lock === 'global' && p.params.threads === 8)!;
    expect(global8.threadStates!.hottestFutex!.meanWaiters).toBeGreaterThanOrEqual(5);
    // the main thread and eight workers
    expect(global8.threadStates!.threads!.filter((t) => t.role === 'worker')).toHaveLength(8);
    const file8 = points.find((p) => p.params.lock === 'file' && p.params.threads === 8)!;
    expect(file8.threadStates!.classes!.lock).toBeLessThan(1);
    for (const p of points) expect(p.serverCpusBusy).toMatchObject({ scope: 'machine', cpuList: 'all' });
  });

  it('the reference server: the main thread, which owns the sockets, is the busiest thread', async () => {
    const { points } = await run('reference-main', [
      'server: { impl: reference, log: off }',
      'sweep: { threads: [2] }',
      'workload: { mix: get, fileSize: 1KiB, connections: 32, warmup: 0.3s, duration: 1.5s }',
    ], ['--runtime', 'local']);
    const states = points[0]!.threadStates!;
    const busiest = [...states.threads!].sort((a, b) => b.cpuS - a.cpuS)[0]!;
    expect(busiest).toMatchObject({ role: 'main', tid: busiest.pid });
    expect(busiest.shares.network + busiest.shares.onCpu + busiest.shares.cpuWait).toBeGreaterThan(0.5);
  });
});
