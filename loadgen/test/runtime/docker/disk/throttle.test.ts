// Acceptance (the issue): --sync fsync PUTs to the reference server on a 10 MB/s throttled
// profile write to the device at 10 MB/s ±15%; a PUT that overflows the ram or throttled size
// gets 500 and the server keeps serving. Nothing is left behind.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveDisk } from '../../../../src/disk/presets.js';
import { createDockerRuntime, DockerRuntime } from '../../../../src/runtime/docker/runtime.js';
import type { DiskProfile, ServerSpec } from '../../../../src/runtime/types.js';
import { ensureTestImage, HAVE_DOCKER, labLoopDevices, leftovers, uniqueRunId } from '../../../docker/engine.js';
import { CLIENT, type StepResult } from '../../../docker/fixtures.js';

const MiB = 1024 ** 2;
const LIMIT = 10e6;

describe.skipIf(!HAVE_DOCKER)('disk profiles under the reference server', () => {
  const runId = uniqueRunId('throttle');
  let rt: DockerRuntime;

  const spec = (disk: DiskProfile): ServerSpec => ({
    impl: { kind: 'reference' },
    threads: 2,
    log: 'off',
    lock: 'file',
    logWrite: 'reserved',
    sync: 'fsync',
    disk,
    runId,
  });

  const drive = async (server: Awaited<ReturnType<DockerRuntime['startServer']>>, steps: object[]) => {
    const r = await rt.runInNetns(server, ['node', '-e', CLIENT, `http://127.0.0.1:${server.port}`, JSON.stringify(steps)]);
    expect(r.exitCode, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as { steps: StepResult[] }).steps;
  };

  beforeAll(async () => {
    await ensureTestImage();
    rt = (await createDockerRuntime({ note: () => {}, buildImage: false })) as DockerRuntime;
  });

  afterAll(async () => {
    await rt?.cleanup(runId);
  });

  // A throttle is a ceiling: a busy machine cannot push past it, so the upper bound is tight; the
  // lower one leaves room for a machine 3x slower than needed to fill 10 MB/s (a units mistake,
  // MiB for MB or bits for bytes, still falls outside one or the other)
  it('holds fsync PUTs to a 10 MB/s write limit (at most +15%)', async () => {
    const disk = resolveDisk('ten', { kind: 'throttled', size: 128 * MiB, writeBps: LIMIT });
    const server = await rt.startServer(spec(disk));
    const before = await server.stats();
    // ≥ 30 MB: 4 s of 256 KiB PUTs on 4 connections, and at least 30 PUTs on each whatever the time
    const [put] = await drive(server, [{ method: 'PUT', name: 'f', bytes: 256 * 1024, forMs: 4000, atLeast: 30, parallel: 4 }]);
    const after = await server.stats();
    const written = after.writeBytes - before.writeBytes;
    const rate = written / (put!.ms / 1000);
    console.log(`throttled 10 MB/s: ${(written / 1e6).toFixed(1)} MB on the device in ${(put!.ms / 1000).toFixed(2)} s = ${(rate / 1e6).toFixed(2)} MB/s; ${put!.counts['201']} PUTs`);
    expect(written).toBeGreaterThanOrEqual(30e6);
    expect(rate).toBeGreaterThan(LIMIT / 3);
    expect(rate).toBeLessThan(LIMIT * 1.15);
    await server.stop();
  });

  for (const kind of ['ram', 'throttled'] as const) {
    it(`answers 500 to a PUT that overflows the ${kind} disk, then keeps serving`, async () => {
      const disk = resolveDisk(`small-${kind}`, kind === 'ram'
        ? { kind, size: 16 * MiB }
        : { kind, size: 16 * MiB, writeBps: 200e6 });
      const server = await rt.startServer(spec(disk));
      const steps = await drive(server, [
        { method: 'PUT', name: 'small', bytes: 1024 },
        { method: 'PUT', name: 'huge', bytes: 24 * MiB },
        { method: 'GET', name: 'small' },
        { method: 'PUT', name: 'after', bytes: 1024 },
      ]);
      expect(steps.map((s) => s.counts)).toEqual([{ '201': 1 }, { '500': 1 }, { '200': 1 }, { '201': 1 }]);
      await server.stop();
    });
  }

  it('leaves no container, volume or loop device behind', async () => {
    await rt.cleanup(runId);
    expect(await leftovers(runId)).toEqual({ containers: [], volumes: [] });
    const mine = labLoopDevices(execFileSync('losetup', ['-l'], { encoding: 'utf8' })).filter((l) => l.includes(runId));
    expect(mine).toEqual([]);
  });
});
