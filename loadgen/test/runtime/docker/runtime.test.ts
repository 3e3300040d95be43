// The docker runtime against the real engine: hardening, the loadgen in the server's network
// namespace on a disjoint cpuset, stats, a user's own image+command, exit detection, clean-up.
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveDisk } from '../../../src/disk/presets.js';
import { DATA_DIR, LOG_PATH } from '../../../src/runtime/docker/containers/paths.js';
import { IMAGE } from '../../../src/runtime/docker/engine/labels.js';
import { createDockerRuntime, DockerRuntime, type DockerServer } from '../../../src/runtime/docker/runtime.js';
import type { ServerSpec } from '../../../src/runtime/types.js';
import { docker, ensureTestImage, HAVE_DOCKER, leftovers, memPeakKnown, uniqueRunId } from '../../docker/engine.js';
import { BYO_SERVER, CLIENT, type StepResult } from '../../docker/fixtures.js';

const MiB = 1024 ** 2;

describe.skipIf(!HAVE_DOCKER)('docker runtime', () => {
  const runId = uniqueRunId('runtime');
  let rt: DockerRuntime;
  let networksBefore: string[];

  const spec = (over: Partial<ServerSpec> = {}): ServerSpec => ({
    impl: { kind: 'image', image: IMAGE, command: ['node', '-e', BYO_SERVER, '{port}', '{log}'] },
    threads: 2,
    log: 'meta',
    lock: 'file',
    logWrite: 'reserved',
    sync: 'fsync',
    disk: resolveDisk('ram', { kind: 'ram', size: 32 * MiB }),
    runId,
    ...over,
  });

  beforeAll(async () => {
    await ensureTestImage();
    networksBefore = (await docker().listNetworks()).map((n) => n.Name).sort();
    rt = (await createDockerRuntime({ note: () => {}, buildImage: false })) as DockerRuntime;
  });

  afterAll(async () => {
    await rt?.cleanup(runId);
  });

  it('starts a hardened server on NetworkMode none and drives it from its network namespace', async () => {
    const server = (await rt.startServer(spec())) as DockerServer;
    const info = await docker().getContainer(server.containerId).inspect();
    const hc = info.HostConfig;
    expect(hc.NetworkMode).toBe('none');
    expect(hc.ReadonlyRootfs).toBe(true);
    expect(hc.CapDrop).toEqual(['ALL']);
    expect(hc.SecurityOpt).toContain('no-new-privileges');
    expect(hc.Privileged).toBe(false);
    expect(info.Config.User).toBe('1000:1000');
    expect(hc.CpusetCpus).toBe(rt.cpus.server);
    expect(hc.Memory).toBeGreaterThan(64 * MiB);
    expect(info.Config.Labels['speedlab.run']).toBe(runId);
    expect(info.Config.WorkingDir).toBe(DATA_DIR);
    // the user's command got its placeholders filled
    expect(info.Config.Cmd.slice(-2)).toEqual(['8080', LOG_PATH]);
    expect(server.host).toBe('127.0.0.1');

    const before = await server.stats();
    const steps = [{ method: 'PUT', name: 'f', forMs: 800, atLeast: 2, parallel: 2, bytes: 64 * 1024 }, { method: 'GET', name: 'f0_0' }];
    const r = await rt.runInNetns(server, ['node', '-e', CLIENT, `http://127.0.0.1:${server.port}`, JSON.stringify(steps)]);
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { steps: StepResult[]; cpus: string };
    expect(out.steps[0]!.counts['201']).toBeGreaterThan(3);
    expect(out.steps[1]!.counts).toEqual({ '200': 1 });
    // the load generator runs on its own cpuset, never the server's (on one CPU they share it)
    expect(out.cpus).toBe(rt.cpus.loadgen);
    expect(r.cpuSeconds).toBeGreaterThan(0);

    const after = await server.stats();
    expect(after.cpuSeconds).toBeGreaterThan(before.cpuSeconds);
    if (memPeakKnown()) expect(after.memPeakBytes).toBeGreaterThan(MiB);
    else expect(after.memPeakBytes).toBeUndefined();
    expect(after.logBytes).toBeGreaterThan(before.logBytes);
    // ram: no block device behind the data, so no device bytes, and nothing reached a host device
    expect(after.writeBytes).toBe(0);
    // (the absolute counts start at a few KiB: runc writes them while it sets the process up)
    expect(after.hostWriteBytes! - before.hostWriteBytes!).toBe(0);
    await server.stop();
    expect(await leftovers(runId)).toEqual({ containers: [], volumes: [] });
  });

  it('counts what a server writes through a host directory as host writes', async () => {
    const dir = await mkdtemp(join('/var/tmp', 'speedlab-hostwrites-'));
    try {
      const server = (await rt.startServer(spec({ log: 'off', disk: resolveDisk('h', { kind: 'host', size: 64 * MiB, path: dir }) }))) as DockerServer;
      const before = await server.stats();
      // 4 PUTs of 1 MiB, each fsynced by the server: at least 4 MiB reach the host's disk
      const steps = [1, 2, 3, 4].map((i) => ({ method: 'PUT', name: `h${i}`, bytes: MiB }));
      const r = await rt.runInNetns(server, ['node', '-e', CLIENT, `http://127.0.0.1:${server.port}`, JSON.stringify(steps)]);
      expect(r.exitCode, r.stderr).toBe(0);
      const after = await server.stats();
      expect(after.hostWriteBytes! - before.hostWriteBytes!).toBeGreaterThanOrEqual(4 * MiB);
      await server.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs the load-generator command and returns its last stdout line as JSON', async () => {
    const server = await rt.startServer(spec({ log: 'off' }));
    // a stand-in for `speedlab loadgen` that proves the argv it gets and the JSON contract
    const probe = await rt.runInNetns(server, ['node', '-e', 'console.error("progress"); console.log("noise"); console.log(JSON.stringify({ ok: true, argv: process.argv.length }))']);
    expect(probe.exitCode).toBe(0);
    expect(JSON.parse(probe.stdout.trim().split('\n').pop()!)).toEqual({ ok: true, argv: 1 });
    await server.stop();
  });

  it('reports a server that dies, and one that never listens', async () => {
    const server = (await rt.startServer(spec())) as DockerServer;
    await docker().getContainer(server.containerId).kill();
    // docker kill sends SIGKILL: exit code 137, worded as the local runtime words a killed child
    await expect(server.exited).resolves.toMatchObject({ how: { kind: 'signal', signal: 'SIGKILL' } });
    await expect(server.ended()).resolves.toMatchObject({ how: { kind: 'signal', signal: 'SIGKILL' } });
    await server.stop();

    await expect(
      rt.startServer(spec({ impl: { kind: 'image', image: IMAGE, command: ['node', '-e', 'console.error("bad flag"); process.exit(2)'] } })),
    ).rejects.toMatchObject({ message: 'the server exited with status 2 before it accepted connections', end: { how: { kind: 'status', status: 2 }, stderrTail: ['bad flag'] } });
    expect(await leftovers(runId)).toEqual({ containers: [], volumes: [] });
  });

  it('never creates a network', async () => {
    expect((await docker().listNetworks()).map((n) => n.Name).sort()).toEqual(networksBefore);
  });
});
