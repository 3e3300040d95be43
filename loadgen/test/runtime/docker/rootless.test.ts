// Rootless Docker, for real: an unprivileged user's daemon (docker/rootless-engine.sh: Debian's
// rootlesskit, uidmap, slirp4netns and docker.io's dockerd-rootless.sh). The engine is found at
// the rootless socket, a sweep on a ram disk runs there, and a throttled disk (a loop device
// needs root; a rootless engine on cgroup v1 sets no blkio limits) is refused before the first
// point with exit 2 and one line.
// Why its time (~50 s): the rootless daemon starts (rootlesskit, slirp4netns) and the lab's image is
// loaded into it before its one-point sweep.
import { execFileSync, execSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunInfo } from '../../../src/results/record.js';
import { defaultEndpoint } from '../../../src/runtime/docker/engine/endpoint.js';
import { IMAGE } from '../../../src/runtime/docker/engine/labels.js';
import { ensureTestImage, HAVE_DOCKER, startScriptEngine } from '../../docker/engine.js';
import { ROOT, runCli, tempDir, writeExperiment } from '../../fixtures/cli.js';

const work = tempDir('speedlab-rootless-');
const CAN_TRY = HAVE_DOCKER && process.getuid?.() === 0 && existsSync('/usr/share/docker.io/contrib/dockerd-rootless.sh');

describe.skipIf(!CAN_TRY)('a rootless Docker engine', () => {
  const script = path.join(ROOT, 'docker/rootless-engine.sh');
  let url = '';
  let stopEngine = () => {};

  beforeAll(async () => {
    await ensureTestImage();
    ({ url, stop: stopEngine } = startScriptEngine(script));
    expect(url).toMatch(/^unix:\/\/\/run\/user\/\d+\/docker\.sock$/);
    execSync(`docker save ${IMAGE} | docker -H ${url} load`, { stdio: 'ignore' });
  }, 300_000);

  afterAll(() => {
    stopEngine();
    rmSync(work, { recursive: true, force: true });
  });

  it('is found at the rootless socket when the default socket is not there', () => {
    const xdg = path.dirname(url.slice('unix://'.length));
    const missing = path.join(work, 'none', 'docker.sock');
    expect(defaultEndpoint({ HOME: work, XDG_RUNTIME_DIR: xdg }, missing)).toMatchObject({
      url, configured: false, why: `rootless socket; DOCKER_HOST unset, no current context, no ${missing}`,
    });
  });

  it('runs a sweep on a ram disk, and run.json says rootless', async () => {
    const file = writeExperiment(work, 'rootless-ram', `name: rootless-ram
server: { impl: reference }
sweep: { threads: [1] }
workload: { mix: get, fileSize: 4KiB, connections: 2, warmup: 0s, duration: 1s }
`);
    const out = path.join(work, 'ram');
    const r = await runCli(['run', file, '--engine', url, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('docker: rootless Docker on cgroup v1 sets no cgroup limits: the cpusets and memory limits are not applied, so the server and the load generator share every CPU');
    const info = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')) as RunInfo;
    expect(info.engine).toMatchObject({ url, why: '--engine', rootless: true, os: 'linux' });
    expect(readFileSync(path.join(out, 'points.jsonl'), 'utf8')).toContain('"outcome":"ok"');
  }, 300_000);

  it('refuses throttled disks before the first point, with exit 2 and one line', async () => {
    const file = writeExperiment(work, 'rootless-hdd', `name: rootless-hdd
server: { impl: reference, sync: fsync }
sweep: { threads: [1], disk: [hdd, ram] }
workload: { mix: put, fileSize: 4KiB, connections: 2, warmup: 0s, duration: 1s }
`);
    const out = path.join(work, 'hdd');
    const r = await runCli(['run', file, '--engine', url, '--out', out]);
    expect(r.code).toBe(2);
    const v = Number(execFileSync('docker', ['-H', url, 'info', '--format', '{{.CgroupVersion}}'], { encoding: 'utf8' }).trim());
    expect(r.stderr.trim().split('\n').pop()).toBe(
      `speedlab: disk 'hdd' is throttled, which rootless Docker (${url}) cannot give: the loop device under it needs root${v === 1 ? ', and on cgroup v1 it sets no blkio limits' : ''}; use a ram profile here, or a rootful engine for throttled disks (README "Your machine")`,
    );
    expect(r.stderr).not.toContain('calibrat');
    expect(existsSync(path.join(out, 'points.jsonl'))).toBe(false);
    expect(existsSync(path.join(out, 'run.json'))).toBe(false);
  }, 300_000);
});
