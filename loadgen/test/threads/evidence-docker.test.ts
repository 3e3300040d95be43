// The thread samples through `speedlab run` in Docker: a throttled disk with fsync shows threads
// waiting on the disk, read from the container's cgroup; the lab's own process keeps off the
// server's CPUs, sampling or not. Build first: npx tsc -p .
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
    expect(points[0]!.serverCpusBusy).toMatchObject({ scope: 'cpuset', cpuList: info.host.serverCpuset, labCpus: info.host.loadgenCpuset });
  });

  it.skipIf(!HAVE_DOCKER)(`with the sampler off, the lab's process still keeps to the load generator's CPUs${HAVE_DOCKER ? '' : ` (${NO_ENGINE_REASON})`}`, async () => {
    await ensureTestImage();
    const { points, info } = await run('sampler-off', [
      'server: { impl: reference, log: off }',
      'sweep: { threads: [2] }',
      'workload: { mix: get, fileSize: 4KiB, connections: 4, warmup: 0.2s, duration: 0.5s }',
      'sampler: off',
    ], ['--runtime', 'docker']);
    expect(points[0]!.threadStates).toBeUndefined();
    expect(points[0]!.serverCpusBusy).toMatchObject({ scope: 'cpuset', cpuList: info.host.serverCpuset, labCpus: info.host.loadgenCpuset });
    expect(points[0]!.serverCpusBusy!.labPinProblem).toBeUndefined();
  });
});
