// Which engine a run uses when none is named on the command line, found as the docker CLI finds
// it (DOCKER_HOST, DOCKER_CONTEXT, the current context of $DOCKER_CONFIG/config.json, the default
// socket) and then at the rootless, Docker Desktop and colima sockets: real contexts made by the
// docker CLI in a store of the test's own, real sockets (a second daemon, docker/second-engine.sh,
// and symlinks to it where those engines put theirs), and `speedlab run` itself saying which
// engine and why, storing it in run.json, and refusing to run locally when the engine it was
// told to use does not answer.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunInfo } from '../../../src/results/record.js';
import { defaultEndpoint } from '../../../src/runtime/docker/engine/endpoint.js';
import { connectEngine } from '../../../src/runtime/docker/engine/engine.js';
import { IMAGE, WRK_LABEL } from '../../../src/runtime/docker/engine/labels.js';
import { hostBinaryMismatch, THIS_HOST } from '../../../src/runtime/platform.js';
import { ensureTestImage, HAVE_DOCKER } from '../../docker/engine.js';
import { ROOT, runCli, tempDir, writeExperiment } from '../../fixtures/cli.js';

const work = tempDir('speedlab-discovery-');
const B_SOCKET = '/run/speedlab-engine-b.sock';
const B_ROOT = '/var/lib/speedlab-engine-b';
const NO_DEFAULT = path.join(work, 'no-default', 'docker.sock');

/** the docker CLI with a context store of the test's own */
function dockerCli(config: string, ...args: string[]): string {
  return execFileSync('docker', args, { env: { ...process.env, DOCKER_CONFIG: config }, encoding: 'utf8' });
}

/** the data root the engine behind a socket reports: which daemon answered */
async function dataRoot(socketPath: string | undefined): Promise<string> {
  const info = (await new Docker({ socketPath: socketPath! }).info()) as { DockerRootDir: string };
  return info.DockerRootDir;
}

describe.skipIf(!HAVE_DOCKER)('engine discovery, as the docker CLI does it, on real daemons', () => {
  const script = path.join(ROOT, 'docker/second-engine.sh');
  const config = path.join(work, 'docker-config');
  let startedHere = false;

  beforeAll(() => {
    try {
      execFileSync('bash', [script, 'status'], { stdio: 'ignore' });
    } catch {
      startedHere = true;
    }
    expect(execFileSync('bash', [script, 'start'], { encoding: 'utf8' }).trim()).toBe(`unix://${B_SOCKET}`);
    mkdirSync(config, { recursive: true });
    dockerCli(config, 'context', 'create', 'lab-b', '--docker', `host=unix://${B_SOCKET}`);
    dockerCli(config, 'context', 'create', 'lab-a', '--docker', 'host=unix:///var/run/docker.sock');
  }, 120_000);

  afterAll(() => {
    if (startedHere) execFileSync('bash', [script, 'stop'], { stdio: 'ignore' });
    rmSync(work, { recursive: true, force: true });
  });

  it('a context made current with `docker context use`: the second daemon answers', async () => {
    const own = path.join(work, 'config-current');
    mkdirSync(own);
    dockerCli(own, 'context', 'create', 'lab-b', '--docker', `host=unix://${B_SOCKET}`);
    dockerCli(own, 'context', 'use', 'lab-b');
    const where = defaultEndpoint({ DOCKER_CONFIG: own, HOME: work });
    expect(where).toMatchObject({ name: 'lab-b', url: `unix://${B_SOCKET}`, configured: true, why: `current context 'lab-b' in ${own}/config.json` });
    await connectEngine(where);
    expect(await dataRoot(where.options.socketPath)).toBe(B_ROOT);
    // `docker context use default` clears it: the default socket again
    dockerCli(own, 'context', 'use', 'default');
    expect(defaultEndpoint({ DOCKER_CONFIG: own, HOME: work })).toMatchObject({ url: 'unix:///var/run/docker.sock', configured: false, why: 'default socket; DOCKER_HOST unset, no current context' });
  });

  it('DOCKER_CONTEXT beats the current context, DOCKER_HOST beats both', async () => {
    const own = path.join(work, 'config-order');
    mkdirSync(own);
    dockerCli(own, 'context', 'create', 'lab-b', '--docker', `host=unix://${B_SOCKET}`);
    dockerCli(own, 'context', 'create', 'lab-a', '--docker', 'host=unix:///var/run/docker.sock');
    dockerCli(own, 'context', 'use', 'lab-a');
    const byContext = defaultEndpoint({ DOCKER_CONFIG: own, DOCKER_CONTEXT: 'lab-b', HOME: work });
    expect(byContext).toMatchObject({ name: 'lab-b', url: `unix://${B_SOCKET}`, why: 'DOCKER_CONTEXT=lab-b', configured: true });
    expect(await dataRoot(byContext.options.socketPath)).toBe(B_ROOT);
    const byHost = defaultEndpoint({ DOCKER_CONFIG: own, DOCKER_CONTEXT: 'lab-a', DOCKER_HOST: `unix://${B_SOCKET}`, HOME: work });
    expect(byHost).toMatchObject({ name: 'default', url: `unix://${B_SOCKET}`, why: 'DOCKER_HOST', configured: true });
    // DOCKER_CONTEXT=default means the default engine, current context or not, as for the docker CLI
    expect(defaultEndpoint({ DOCKER_CONFIG: own, DOCKER_CONTEXT: 'default', HOME: work })).toMatchObject({ url: 'unix:///var/run/docker.sock', configured: false, why: 'default socket; DOCKER_HOST unset, no current context' });
  });

  it('a context that does not exist: exit 2, naming where it was named and what to do', () => {
    let err: { exitCode?: number; message?: string } = {};
    try {
      defaultEndpoint({ DOCKER_CONFIG: config, DOCKER_CONTEXT: 'gone', HOME: work });
    } catch (e) {
      err = e as typeof err;
    }
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe(`choosing the Docker engine: DOCKER_CONTEXT=gone names docker context 'gone', but ${config}/contexts has no such context; create it ('docker context create gone --docker host=...'), or pick one that exists ('docker context ls')`);
  });

  it('no default socket: Docker Desktop\'s socket under HOME is found, and answers', async () => {
    const home = path.join(work, 'home-desktop');
    mkdirSync(path.join(home, '.docker', 'run'), { recursive: true });
    symlinkSync(B_SOCKET, path.join(home, '.docker', 'run', 'docker.sock'));
    const where = defaultEndpoint({ HOME: home }, NO_DEFAULT);
    expect(where).toMatchObject({
      name: 'default', url: `unix://${home}/.docker/run/docker.sock`, configured: false,
      why: `Docker Desktop socket; DOCKER_HOST unset, no current context, no ${NO_DEFAULT}`,
    });
    await connectEngine(where);
    expect(await dataRoot(where.options.socketPath)).toBe(B_ROOT);
  });

  it('the rootless socket comes before Desktop\'s and colima\'s; colima\'s is found alone', async () => {
    const home = path.join(work, 'home-all');
    const xdg = path.join(work, 'xdg-runtime');
    for (const dir of [path.join(home, '.docker', 'desktop'), path.join(home, '.colima', 'default'), xdg]) mkdirSync(dir, { recursive: true });
    symlinkSync(B_SOCKET, path.join(home, '.docker', 'desktop', 'docker.sock'));
    symlinkSync(B_SOCKET, path.join(home, '.colima', 'default', 'docker.sock'));
    symlinkSync(B_SOCKET, path.join(xdg, 'docker.sock'));
    const rootless = defaultEndpoint({ HOME: home, XDG_RUNTIME_DIR: xdg }, NO_DEFAULT);
    expect(rootless).toMatchObject({ url: `unix://${xdg}/docker.sock`, why: `rootless socket; DOCKER_HOST unset, no current context, no ${NO_DEFAULT}` });
    expect(defaultEndpoint({ HOME: home }, NO_DEFAULT)).toMatchObject({ url: `unix://${home}/.docker/desktop/docker.sock`, why: `Docker Desktop socket; DOCKER_HOST unset, no current context, no ${NO_DEFAULT}` });
    rmSync(path.join(home, '.docker'), { recursive: true });
    const colima = defaultEndpoint({ HOME: home }, NO_DEFAULT);
    expect(colima).toMatchObject({ url: `unix://${home}/.colima/default/docker.sock`, why: `colima socket; DOCKER_HOST unset, no current context, no ${NO_DEFAULT}` });
    await connectEngine(colima);
    expect(await dataRoot(colima.options.socketPath)).toBe(B_ROOT);
  });

  it('no socket anywhere: the default one, and the reason names every place looked at', () => {
    const home = path.join(work, 'home-empty');
    const where = defaultEndpoint({ HOME: home, XDG_RUNTIME_DIR: path.join(work, 'xdg-empty') }, NO_DEFAULT);
    expect(where).toMatchObject({ url: `unix://${NO_DEFAULT}`, configured: false });
    expect(where.why).toBe(`default socket; DOCKER_HOST unset, no current context; no socket at ${[
      NO_DEFAULT, `${work}/xdg-empty/docker.sock`, `${home}/.docker/run/docker.sock`, `${home}/.docker/desktop/docker.sock`, `${home}/.colima/default/docker.sock`, `${home}/.colima/docker.sock`,
    ].join(', ')}`);
  });

  describe('speedlab run', () => {
    const yaml = (name: string) => writeExperiment(work, name, `name: ${name}
server: { impl: reference }
sweep: { threads: [1] }
workload: { mix: get, fileSize: 4KiB, connections: 2, warmup: 0s, duration: 1s }
`);
    const env = (extra: NodeJS.ProcessEnv) => {
      const e: NodeJS.ProcessEnv = { ...process.env, DOCKER_CONFIG: config, ...extra };
      delete e.DOCKER_HOST;
      return e;
    };

    it('prints the engine and why in one line, and stores both in run.json', async () => {
      await ensureTestImage();
      const out = path.join(work, 'run-context');
      const r = await runCli(['run', yaml('by-context'), '--out', out], ROOT, env({ DOCKER_CONTEXT: 'lab-a' }));
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr.split('\n')).toContain('engine: unix:///var/run/docker.sock (DOCKER_CONTEXT=lab-a)');
      const info = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')) as RunInfo;
      expect(info.runtime).toBe('docker');
      expect(info.engine).toEqual({
        name: 'lab-a', url: 'unix:///var/run/docker.sock', why: 'DOCKER_CONTEXT=lab-a',
        os: 'linux', arch: execFileSync('uname', ['-m'], { encoding: 'utf8' }).trim(),
        cgroupVersion: info.host.cgroupVersion, cgroupDriver: dockerCli(config, 'info', '--format', '{{.CgroupDriver}}').trim(), rootless: false,
      });
      // an engine like this host: the image carries this host's wrk
      expect(hostBinaryMismatch(THIS_HOST, info.engine!)).toBeUndefined();
      expect(dockerCli(config, '--context', 'lab-a', 'image', 'inspect', IMAGE, '--format', `{{index .Config.Labels "${WRK_LABEL}"}}`).trim()).toBe('/usr/bin/wrk');
    });

    it('a configured engine that does not answer stops the run: no silent fall-back to the local runtime', async () => {
      const dead = path.join(work, 'dead.sock');
      dockerCli(config, 'context', 'create', 'dead', '--docker', `host=unix://${dead}`);
      const out = path.join(work, 'run-dead');
      const r = await runCli(['run', yaml('dead-engine'), '--out', out], ROOT, env({ DOCKER_CONTEXT: 'dead' }));
      expect(r.code).toBe(1);
      expect(r.stderr).not.toContain('runtime: local');
      expect(r.stderr.trim().split('\n').pop()).toBe(
        `speedlab: the Docker engine at unix://${dead} (DOCKER_CONTEXT=dead) does not answer (connect ENOENT ${dead}); start it, or choose another (unset DOCKER_HOST and DOCKER_CONTEXT, 'docker context use default', --engine), or run without Docker: --runtime local`,
      );
      // --engine names one the same way
      const named = await runCli(['run', yaml('dead-flag'), '--out', out, '--engine', 'dead'], ROOT, env({}));
      expect(named.code).toBe(1);
      expect(named.stderr).toContain(`the Docker engine at unix://${dead} (--engine: docker context) does not answer`);
    });
  });
});
