// Not Linux: the local runtime refuses with one line on macOS and Windows (the platform is a
// parameter of createLocalRuntime, given the values Node reports there), and the image carries
// this host's wrk only when host and engine share OS and CPU: staged for real from this host's
// wrk, refused (nothing staged, ldd never run) for an arm64 engine or a macOS host.
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CliError } from '../../src/errors.js';
import { hostWrkMissing, stageWrkBundle } from '../../src/runtime/docker/image/wrk-bundle.js';
import { createLocalRuntime } from '../../src/runtime/local/runtime.js';
import { engineArch, hostBinaryMismatch, localRuntimeRefusal, THIS_HOST } from '../../src/runtime/platform.js';
import { WRK_BUNDLE_DIR } from '../../src/workload/wrk/locate.js';
import { runCli, tempDir, writeExperiment } from '../fixtures/cli.js';

const root = tempDir('speedlab-platform-');
// the wrk this machine's tests use (the wrk tests need it too)
const THIS_WRK = '/usr/bin/wrk';
afterAll(() => rmSync(root, { recursive: true, force: true }));

function thrown(f: () => unknown): CliError | undefined {
  try {
    f();
  } catch (err) {
    return err as CliError;
  }
  return undefined;
}

describe('the local runtime, by platform', () => {
  it('refuses on macOS and Windows with one line and exit 2', () => {
    for (const [platform, name] of [['darwin', 'macOS'], ['win32', 'Windows']] as const) {
      const err = thrown(() => createLocalRuntime({ readyTimeoutS: 5 }, platform));
      expect(err).toBeInstanceOf(CliError);
      expect(err?.exitCode).toBe(2);
      expect(err?.message).toBe(`the local runtime runs only on Linux (it reads /proc and keeps its disks in /dev/shm), and this is ${name}: use Docker (Docker Desktop or colima; README "Your machine") with --runtime docker, or run on Linux (on Windows: inside WSL2)`);
      expect(err?.message).not.toContain('\n');
    }
    expect(localRuntimeRefusal('freebsd')).toContain('and this is freebsd: use Docker');
  });

  it('runs on Linux', () => {
    expect(localRuntimeRefusal('linux')).toBeUndefined();
    expect(createLocalRuntime({ readyTimeoutS: 5 }, 'linux').name).toBe('local');
  });
});

describe("this host's binaries in the engine's containers", () => {
  it("names CPUs as the engine's info does", () => {
    expect(['x64', 'arm64', 'arm'].map(engineArch)).toEqual(['x86_64', 'aarch64', 'armv7l']);
  });

  it('match only on the same OS and architecture', () => {
    expect(hostBinaryMismatch({ platform: 'linux', arch: 'x64' }, { os: 'linux', arch: 'x86_64' })).toBeUndefined();
    expect(hostBinaryMismatch({ platform: 'linux', arch: 'x64' }, { os: 'linux', arch: 'aarch64' })).toBe('this host is linux/x86_64 and the Docker engine runs linux/aarch64');
    // Docker Desktop on an Apple machine: its engine is a Linux VM of the same CPU, and still not macOS
    expect(hostBinaryMismatch({ platform: 'darwin', arch: 'arm64' }, { os: 'linux', arch: 'aarch64' })).toBe('this host is macOS/aarch64 and the Docker engine runs linux/aarch64');
  });

  it("stages this host's wrk and its libraries for an engine like this host", () => {
    const staged = stageWrkBundle(root, { os: 'linux', arch: engineArch(THIS_HOST.arch) }, process.env);
    if (THIS_HOST.platform !== 'linux') return expect(staged).toHaveProperty('none');
    expect(staged).toEqual({ wrk: '/usr/bin/wrk' });
    expect(existsSync(path.join(root, WRK_BUNDLE_DIR, 'bin', 'wrk'))).toBe(true);
    expect(existsSync(path.join(root, WRK_BUNDLE_DIR, 'lib', 'loader'))).toBe(true);
  });

  it('stages nothing for an engine of another CPU, or from a macOS host, and says why', () => {
    expect(stageWrkBundle(root, { os: 'linux', arch: 'aarch64' }, process.env, { platform: 'linux', arch: 'x64' })).toEqual({
      none: "this host is linux/x86_64 and the Docker engine runs linux/aarch64: this host's wrk cannot run in its containers",
    });
    expect(existsSync(path.join(root, WRK_BUNDLE_DIR))).toBe(false);
    expect(stageWrkBundle(root, { os: 'linux', arch: 'x86_64' }, process.env, { platform: 'darwin', arch: 'x64' })).toEqual({
      none: "this host is macOS/x86_64 and the Docker engine runs linux/x86_64: this host's wrk cannot run in its containers",
    });
    expect(stageWrkBundle(root, { os: 'linux', arch: engineArch(THIS_HOST.arch) }, { PATH: path.join(root, 'empty') }, { platform: 'linux', arch: THIS_HOST.arch })).toEqual({
      none: 'this host has no wrk (apt-get install wrk, then speedlab image)',
    });
  });
});

describe('plan: a run with engine: wrk where no wrk can come from this host', () => {
  it('judges from the host alone: Linux with a wrk, Linux without one, not Linux', () => {
    expect(hostWrkMissing({ SPEEDLAB_WRK: '/usr/bin/wrk' }, { platform: 'linux', arch: 'x64' })).toBeUndefined();
    expect(hostWrkMissing({ PATH: path.join(root, 'empty') }, { platform: 'linux', arch: 'x64' })).toBe('this host has no wrk (apt-get install wrk, then speedlab image)');
    expect(hostWrkMissing(process.env, { platform: 'darwin', arch: 'arm64' })).toBe("this host is macOS: its wrk runs neither in the engine's Linux containers nor in the local runtime, which needs Linux");
  });

  it('prints the plan, then refuses with exit 2 and one line; with wrk on PATH it plans (exit 0)', async () => {
    const file = writeExperiment(root, 'wrk-plan', 'name: wrk-plan\nworkload: { engine: wrk }\nsweep: { threads: [1, 2] }\n');
    const without = await runCli(['plan', file], undefined, { PATH: path.join(root, 'empty') });
    expect(without.code).toBe(2);
    expect(without.stdout).toContain('estimated wall time:');
    expect(without.stderr).toBe("speedlab: engine: wrk: no wrk for this run: this host has no wrk (apt-get install wrk, then speedlab image); use engine: autocannon, or install wrk on a Linux host of the engine's CPU architecture and build the image there ('speedlab image')\n");
    const withWrk = await runCli(['plan', file], undefined, { PATH: path.dirname(THIS_WRK) });
    expect(withWrk.code, withWrk.stderr).toBe(0);
    const autocannon = await runCli(['plan', writeExperiment(root, 'ac-plan', 'name: ac-plan\nsweep: { threads: [1, 2] }\n')], undefined, { PATH: path.join(root, 'empty') });
    expect(autocannon.code, autocannon.stderr).toBe(0);
  });
});
