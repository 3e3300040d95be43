// The lab's one client of the engine (engine.ts): the statuses the lab expects (404, 409, 304)
// come back as results, any other refusal as the engine's own error, and an engine that is not
// there as EngineUnreachableError from every call.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tar from 'tar-fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectEngine, engineClient, type ContainerRef, type ImageBuildOptions } from '../../../../src/runtime/docker/engine/engine.js';
import { EngineUnreachableError } from '../../../../src/errors.js';
import { CONTEXT_LABEL, IMAGE, labels, RUN_LABEL } from '../../../../src/runtime/docker/engine/labels.js';
import { engine, ensureTestImage, HAVE_DOCKER, uniqueRunId } from '../../../docker/engine.js';

function withDockerHost<T>(host: string, make: () => T): T {
  const saved = process.env.DOCKER_HOST;
  process.env.DOCKER_HOST = host;
  try {
    return make();
  } finally {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
  }
}

describe('an engine that does not answer', () => {
  it('fails every call, expected statuses or not, with EngineUnreachableError naming the endpoint', async () => {
    const client = withDockerHost('unix:///nonexistent.sock', engineClient);
    const calls: [string, () => Promise<unknown>][] = [
      ['listContainers', () => client.listContainers([RUN_LABEL])],
      ['inspectImage', () => client.inspectImage(IMAGE)],
      ['removeVolume', () => client.removeVolume('v')],
      ['container.remove', () => client.container('c').remove()],
      ['container.start', () => client.container('c').start()],
    ];
    for (const [name, call] of calls) {
      const err = await call().then(() => undefined, (e: unknown) => e);
      expect(err, name).toBeInstanceOf(EngineUnreachableError);
      expect((err as Error).message, name).toBe(
        "no Docker engine answers at unix:///nonexistent.sock (connect ENOENT /nonexistent.sock); start one with 'bash docker/engine.sh' (Debian, as root), or set DOCKER_HOST",
      );
    }
    const connecting = withDockerHost('unix:///nonexistent.sock', () => connectEngine());
    await expect(connecting).rejects.toBeInstanceOf(EngineUnreachableError);
  });
});

describe.skipIf(!HAVE_DOCKER)('the engine\'s statuses', () => {
  const runId = uniqueRunId('engine');
  const made: ContainerRef[] = [];
  const tag = `speedlab-test-engine-${process.pid}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'speedlab-engine-'));

  const build = (dockerfile: string) => {
    writeFileSync(path.join(dir, 'Dockerfile'), dockerfile);
    const options = { t: tag, dockerfile: 'Dockerfile', networkmode: 'none', rm: true, forcerm: true, version: '1' } as ImageBuildOptions;
    return engine().buildImage(tar.pack(dir), options, () => {});
  };

  beforeAll(async () => {
    await ensureTestImage();
  });

  afterAll(async () => {
    for (const c of made) await c.remove();
    await engine().removeImage(tag);
    rmSync(dir, { recursive: true, force: true });
  });

  it('images: missing is undefined; in use and removed are results', async () => {
    expect(await engine().inspectImage(`speedlab-no-such-image-${process.pid}:none`)).toBeUndefined();
    expect((await engine().inspectImage(IMAGE))?.labels[CONTEXT_LABEL]).toMatch(/^[0-9a-f]{16}-[0-9a-f]{12}$/);

    expect(await build(`FROM scratch\nLABEL speedlab.test=${process.pid}\n`)).toEqual({ ok: true });
    const id = (await engine().inspectImage(tag))!.id;
    const user = await engine().createContainer({ Image: id, Cmd: ['none'], Labels: labels(runId, 'probe'), HostConfig: { NetworkMode: 'none' } });
    made.push(user);
    expect(await engine().removeImage(id)).toBe('in-use');
    expect(await user.remove()).toBe('removed');
    expect(await engine().removeImage(id)).toBe('removed');
    expect(await engine().removeImage(id)).toBe('gone');
  });

  it('a build the builder fails is a result, with the builder\'s message', async () => {
    const end = await build('FROM scratch\nRUN true\n');
    expect(end.ok).toBe(false);
    expect(!end.ok && end.error).toMatch(/\/bin\/sh/);
  });

  it('containers: started twice, killed twice, removed twice, and a request the engine refuses', async () => {
    const c = await engine().createContainer({
      Image: IMAGE,
      Cmd: ['node', '-e', 'setInterval(() => {}, 1 << 30)'],
      User: '1000:1000',
      Labels: labels(runId, 'probe'),
      HostConfig: { NetworkMode: 'none' },
    });
    made.push(c);
    expect((await engine().listContainers([`${RUN_LABEL}=${runId}`])).map((x) => x.id)).toContain(c.id);
    expect(await c.start()).toBe('started');
    expect(await c.start()).toBe('already-running');
    expect(await c.inspect()).toEqual({ running: true, exitCode: 0, oomKilled: false, memoryBytes: 0 });

    const out = await c.exec(['node', '-e', 'console.log("out"); console.error("err"); process.exit(3)'], { user: '1000:1000', workingDir: '/app' });
    expect(out).toEqual({ exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
    const size = await c.exec(['node', '-e', 'console.log(require("fs").statSync("/app/package.json").size)'], { user: '1000:1000', workingDir: '/app' });
    expect(await c.fileSize('/app/package.json')).toBe(Number(size.stdout));
    expect(await c.fileSize('/app/no-such-file')).toBeUndefined();

    const ended = c.wait();
    expect(await c.kill()).toBe('killed');
    expect(await ended).toBe(137);
    expect(await c.kill()).toBe('not-running');
    expect(await c.inspect()).toEqual({ running: false, exitCode: 137, oomKilled: false, memoryBytes: 0 });
    expect(await c.remove()).toBe('removed');
    expect(await c.remove()).toBe('gone');
    expect(await c.kill()).toBe('gone');
    expect(await c.inspect()).toBeUndefined();

    const refused = await engine().createContainer({ Image: 'Not A Valid Reference' }).then(() => undefined, (e: unknown) => e);
    expect(refused).not.toBeInstanceOf(EngineUnreachableError);
    expect((refused as { statusCode?: number }).statusCode).toBe(400);
  });

  it('volumes: removed, then gone', async () => {
    const name = `speedlab-${runId}-v`;
    await engine().createVolume({ Name: name, Driver: 'local', DriverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' }, Labels: labels(runId, 'disk') });
    expect(await engine().listVolumes([`${RUN_LABEL}=${runId}`])).toEqual([{ id: name, labels: labels(runId, 'disk') }]);
    expect(await engine().removeVolume(name)).toBe('removed');
    expect(await engine().removeVolume(name)).toBe('gone');
  });
});
