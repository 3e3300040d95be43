// The thread samples through `speedlab run` in Docker: a throttled disk with fsync shows threads
// waiting on the disk, read from the container's cgroup. Build first: npx tsc -p .
import { describe, expect, it } from 'vitest';
import { HAVE_DOCKER, NO_ENGINE_REASON, ensureTestImage } from '../docker/engine.js';
import { run } from './evidence.js';

describe('thread samples of real servers, in Docker', () => {
  it.skipIf(!HAVE_DOCKER)(`in Docker, a throttled disk with fsync shows threads waiting on the disk${HAVE_DOCKER ? '' : ` (${NO_ENGINE_REASON})`}`, async () => {
    await ensureTestImage();
    const { points, info } = await run('disk-waits', [
      'server: { impl: reference, lock: file, log: off, sync: fsync }',
      'sweep: { threads: [4], disk: [slow] }',
      'disks: { slow: { kind: throttled, writeBps: 4MiB, writeIops: 50, size: 256MiB } }',
      'workload: { mix: put, fileSize: 256KiB, connections: 8, warmup: 0.5s, duration: 2s, timeout: 30s }',
    ], ['--runtime', 'docker']);
    const states = points[0]!.threadStates!;
    expect(states.unavailable).toBeUndefined();
    // the sampler ran on the load generator's side of the CPU split, not on the server's cpuset
    expect(info.host.loadgenCpuset).not.toBe(info.host.serverCpuset);
    expect([states.samplerCpus, states.samplerPinProblem]).toEqual([info.host.loadgenCpuset, undefined]);
    expect(states.classes!.disk).toBeGreaterThan(0);
    expect(points[0]!.serverCpusBusy).toMatchObject({ scope: 'cpuset' });
  });
});
