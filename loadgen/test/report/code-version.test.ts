// run.json's `code`: what a real short local run records from this checkout's git, and how a
// resumed run and SPEEDLAB_CODE_COMMIT change it.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkoutRoot, envCodeVersion, sessionCode } from '../../src/results/code.js';
import type { RunInfo } from '../../src/results/record.js';
import { ROOT, runCli, tempDir, tinyServerCommand, uniqueSeed, writeExperiment } from '../fixtures/cli.js';

const work = tempDir();
afterAll(() => rmSync(work, { recursive: true, force: true }));

const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
const runJson = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8')) as RunInfo;
const gitState = () => ({
  head: git('rev-parse', 'HEAD'),
  dirty: git('status', '--porcelain', '--', 'server', 'loadgen/src') !== '',
  server: git('rev-parse', 'HEAD:server'),
  load: git('rev-parse', 'HEAD:loadgen/src/workload'),
});

/** the environment without anything that would pass a code version in */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const e = { ...process.env, ...extra };
  for (const k of ['SPEEDLAB_CODE_COMMIT', 'SPEEDLAB_CODE_DIRTY', 'GIT_DIR']) if (!(k in extra)) delete e[k];
  return e;
}

function tinyExperiment(name: string): string {
  return writeExperiment(work, name, `name: ${name}
server: { command: ${tinyServerCommand(`m${uniqueSeed()}`)} }
sweep: { threads: [1] }
workload: { mix: put, fileSize: 4KiB, connections: 2, warmup: 0s, requests: 20 }
`);
}

describe('run.json records the code version', () => {
  it('a real local run records HEAD, the tree hashes of server/ and the load path, and dirty; a resume with other code is added', async () => {
    const file = tinyExperiment('code');
    const out = path.join(work, 'code-out');
    // another developer may commit meanwhile: the run's state is the one before or the one after
    const before = gitState();
    const r = await runCli(['run', file, '--runtime', 'local', '--out', out], ROOT, env());
    const after = gitState();
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const code = runJson(out).code!;
    expect([before.head, after.head]).toContain(code.commit);
    expect(code.commit).toMatch(/^[0-9a-f]{40}$/);
    const at = code.commit === after.head ? after : before;
    expect(code.paths).toEqual({ server: at.server, load: at.load });
    if (before.dirty === after.dirty) expect(code.dirty).toBe(after.dirty);
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toContain(`<td>code</td><td>commit ${code.commit.slice(0, 7)}`);

    // a resume keeps the first session's code and adds a different one, once
    for (let i = 0; i < 2; i++) {
      const resumed = await runCli(['run', file, '--runtime', 'local', '--out', out, '--resume'], ROOT, env({ SPEEDLAB_CODE_COMMIT: 'ABCDEF1234', SPEEDLAB_CODE_DIRTY: '1' }));
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(runJson(out).code).toEqual({ ...code, resumedWith: [{ commit: 'abcdef1234', dirty: true }] });
    }
  });

  it('records nothing without a git checkout, and SPEEDLAB_CODE_COMMIT passes it in', async () => {
    const file = tinyExperiment('nogit');
    const out = path.join(work, 'nogit-out');
    const noRepo = tempDir('speedlab-no-git-');
    const r = await runCli(['run', file, '--runtime', 'local', '--out', out], ROOT, env({ GIT_DIR: noRepo }));
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(runJson(out)).not.toHaveProperty('code');
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('<td>code</td><td>not recorded</td>');

    const passed = path.join(work, 'env-out');
    const e = await runCli(['run', file, '--runtime', 'local', '--out', passed], ROOT, env({ GIT_DIR: noRepo, SPEEDLAB_CODE_COMMIT: '0123456789abcdef0123456789abcdef01234567' }));
    expect(e.code, e.stderr + e.stdout).toBe(0);
    expect(runJson(passed).code).toEqual({ commit: '0123456789abcdef0123456789abcdef01234567', dirty: false });
    rmSync(noRepo, { recursive: true, force: true });
  });

  it('a malformed SPEEDLAB_CODE_COMMIT or SPEEDLAB_CODE_DIRTY is a usage error', async () => {
    const file = tinyExperiment('bad');
    const bad = await runCli(['run', file, '--runtime', 'local', '--out', path.join(work, 'bad-out')], ROOT, env({ SPEEDLAB_CODE_COMMIT: '--output=x' }));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("speedlab: SPEEDLAB_CODE_COMMIT: got '--output=x'; expected a git commit hash (7 to 64 hex digits)\n");
    expect(() => envCodeVersion({ SPEEDLAB_CODE_COMMIT: 'abcdef1', SPEEDLAB_CODE_DIRTY: 'yes' })).toThrow(/SPEEDLAB_CODE_DIRTY: got 'yes'; expected 1, 0, true or false/);
  });

  it('finds its checkout from its own directory, and none outside one', () => {
    expect(checkoutRoot()).toBe(git('rev-parse', '--show-toplevel'));
    expect(checkoutRoot(work)).toBeUndefined();
  });

  it('on resume: the first session\'s code stays; unknown stays unknown', () => {
    const a = { commit: 'a'.repeat(40), dirty: false, paths: { server: '1'.repeat(40), load: '2'.repeat(40) } };
    const b = { commit: 'b'.repeat(40), dirty: false, paths: { server: '3'.repeat(40), load: '2'.repeat(40) } };
    expect(sessionCode(undefined, a)).toEqual(a);
    expect(sessionCode({}, a)).toBeUndefined();
    expect(sessionCode({ code: a }, undefined)).toEqual(a);
    expect(sessionCode({ code: a }, a)).toEqual(a);
    const twice = sessionCode({ code: sessionCode({ code: a }, b) }, { ...a, dirty: true });
    expect(twice).toEqual({ ...a, resumedWith: [b, { ...a, dirty: true }] });
    expect(sessionCode({ code: twice }, b)).toEqual(twice);
  });
});
