// The thread samples on real servers through `speedlab run` (issue 21's acceptance on this
// machine): the C example's one global lock is measured as lock-bound, with five or more of its
// eight workers waiting on one futex, and its per-file locks are not; the reference server's main
// thread, which does all the HTTP, is the busiest; and in Docker a throttled disk with fsync shows
// threads waiting on the disk. Build first: npx tsc -p .
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PointRecord, RunInfo } from '../../src/results/record.js';
import { HAVE_DOCKER, NO_ENGINE_REASON, ensureTestImage } from '../docker/engine.js';
import { readLines, ROOT, runCli, tempDir, writeExperiment } from '../fixtures/cli.js';

const C_DIR = path.join(ROOT, 'examples/c-server');
const work = tempDir('speedlab-threads-');
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(() => {
  execFileSync('make', ['-s', '-C', C_DIR], { stdio: 'inherit' });
});

async function run(name: string, yaml: string[], extra: string[]): Promise<{ info: RunInfo; points: PointRecord[] }> {
  const file = writeExperiment(work, name, [`name: ${name}`, ...yaml, ''].join('\n'));
  const out = path.join(work, name);
  const r = await runCli(['run', file, '--out', out, ...extra]);
  const info = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')) as RunInfo;
  const missed = (info.expectations ?? []).filter((e) => !e.passed).map((e) => `${e.description}: ${e.detail}`);
  expect({ code: r.code, missed }, `${r.stdout}\n${r.stderr.slice(-2000)}`).toEqual({ code: 0, missed: [] });
  return { info, points: readLines(path.join(out, 'points.jsonl')).map((l) => JSON.parse(l) as PointRecord) };
}

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

  it.skipIf(!HAVE_DOCKER)(`in Docker, a throttled disk with fsync shows threads waiting on the disk${HAVE_DOCKER ? '' : ` (${NO_ENGINE_REASON})`}`, async () => {
    await ensureTestImage();
    const { points } = await run('disk-waits', [
      'server: { impl: reference, lock: file, log: off, sync: fsync }',
      'sweep: { threads: [4], disk: [slow] }',
      'disks: { slow: { kind: throttled, writeBps: 4MiB, writeIops: 50, size: 256MiB } }',
      'workload: { mix: put, fileSize: 256KiB, connections: 8, warmup: 0.5s, duration: 2s, timeout: 30s }',
    ], ['--runtime', 'docker']);
    const states = points[0]!.threadStates!;
    expect(states.unavailable).toBeUndefined();
    expect(states.classes!.disk).toBeGreaterThan(0);
    expect(points[0]!.serverCpusBusy).toMatchObject({ scope: 'cpuset' });
  });
});
