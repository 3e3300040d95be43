// Clean-up: a run's containers, volumes and loop devices go at its end even when the caller
// never stopped its servers, on Ctrl-C, and as stale leftovers (owner process gone) at the
// start of the next run, while a live run's resources are left alone.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveDisk } from '../../../src/disk/presets.js';
import { runHelper } from '../../../src/runtime/docker/disk/helper.js';
import { IMAGE, labels, RUN_LABEL } from '../../../src/runtime/docker/engine/labels.js';
import { OWNER_LABEL } from '../../../src/runtime/docker/engine/owner.js';
import { createDockerRuntime, DockerRuntime } from '../../../src/runtime/docker/runtime.js';
import type { ServerSpec } from '../../../src/runtime/types.js';
import { docker, engine, ensureTestImage, HAVE_DOCKER, labLoopDevices, leftovers, uniqueRunId } from '../../docker/engine.js';

const MiB = 1024 ** 2;

function loopsOf(runId: string): string[] {
  return labLoopDevices(execFileSync('losetup', ['-l'], { encoding: 'utf8' })).filter((l) => l.includes(runId));
}

/** a pid that surely does not run: a child that has exited */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid!;
}

describe.skipIf(!HAVE_DOCKER)('docker clean-up', () => {
  const runIds: string[] = [];
  const spec = (runId: string): ServerSpec => ({
    impl: { kind: 'image', image: IMAGE, command: ['node', '-e', 'require("http").createServer((q, s) => s.end()).listen(+process.argv[1], "127.0.0.1")', '{port}'] },
    threads: 1,
    log: 'off',
    lock: 'file',
    logWrite: 'reserved',
    sync: 'none',
    disk: resolveDisk('t', { kind: 'throttled', size: 16 * MiB, writeBps: 50e6 }),
    runId,
  });

  beforeAll(async () => {
    await ensureTestImage();
  });

  afterAll(async () => {
    const rt = (await createDockerRuntime({ note: () => {}, removeStale: false, buildImage: false })) as DockerRuntime;
    for (const id of runIds) await rt.cleanup(id);
  });

  it('removes a run\'s servers, volumes and loop devices at its end, stopped or not', async () => {
    const runId = uniqueRunId('end');
    runIds.push(runId);
    const rt = (await createDockerRuntime({ note: () => {}, buildImage: false })) as DockerRuntime;
    await rt.startServer(spec(runId));
    await rt.startServer({ ...spec(runId), disk: resolveDisk('ram') });
    // each server with its load-generator container
    expect((await leftovers(runId)).containers).toHaveLength(4);
    expect(loopsOf(runId)).toHaveLength(1);
    await rt.cleanup(runId);
    expect(await leftovers(runId)).toEqual({ containers: [], volumes: [] });
    expect(loopsOf(runId)).toEqual([]);
  });

  it('removes stale leftovers of a dead owner at the start of a run, and spares a live one\'s', async () => {
    const stale = uniqueRunId('stale');
    const live = uniqueRunId('live');
    runIds.push(stale, live);
    const dead = `${(await import('node:os')).hostname()}:${await deadPid()}`;
    const make = async (runId: string, owner: string) => {
      const c = await docker().createContainer({
        Image: IMAGE,
        Cmd: ['node', '-e', 'setTimeout(() => {}, 60000)'],
        Labels: { ...labels(runId, 'server'), [OWNER_LABEL]: owner },
        HostConfig: { NetworkMode: 'none' },
      });
      await c.start();
      await docker().createVolume({ Name: `speedlab-${runId}-v`, Labels: { [RUN_LABEL]: runId, [OWNER_LABEL]: owner } });
      const ownerJson = JSON.stringify({ runId, host: owner.split(':')[0], pid: Number(owner.split(':')[1]) });
      await runHelper(engine(), ['attach', `speedlab-${runId}-1`, String(16 * MiB), ownerJson], { runId });
    };
    await make(stale, dead);
    await make(live, `${(await import('node:os')).hostname()}:${process.pid}`);
    expect(loopsOf(stale)).toHaveLength(1);

    await createDockerRuntime({ note: () => {}, buildImage: false });
    expect(await leftovers(stale)).toEqual({ containers: [], volumes: [] });
    expect(loopsOf(stale)).toEqual([]);
    const spared = await leftovers(live);
    expect(spared.containers).toHaveLength(1);
    expect(spared.volumes).toHaveLength(1);
    expect(loopsOf(live)).toHaveLength(1);
  });

  it('cleans up on Ctrl-C with the CLI\'s signal handler (the runtime installs none)', async () => {
    const runId = uniqueRunId('sigint');
    runIds.push(runId);
    const script = `
      const { createDockerRuntime } = await import(${JSON.stringify(resolve('dist/loadgen/src/runtime/docker/runtime.js'))});
      const { cleanUpThenExitOnSignals } = await import(${JSON.stringify(resolve('dist/loadgen/src/commands/signals.js'))});
      const rt = await createDockerRuntime({ note: () => {}, buildImage: false });
      cleanUpThenExitOnSignals(() => rt.cleanupAll());
      await rt.startServer(${JSON.stringify(spec(runId))});
      console.log('ready');
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((ok, fail) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && ok());
      child.once('exit', (code) => fail(new Error(`child exited early with ${code}`)));
    });
    expect((await leftovers(runId)).containers).toHaveLength(2);
    child.kill('SIGINT');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(130);
    expect(await leftovers(runId)).toEqual({ containers: [], volumes: [] });
    expect(loopsOf(runId)).toEqual([]);
  });
});
