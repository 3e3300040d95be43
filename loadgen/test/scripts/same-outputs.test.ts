// scripts/same-outputs.sh: a finished run rendered by a commit and by this checkout's build, every
// output compared byte for byte; bad usage named, exit 2.
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../fixtures/cli.js';

const SCRIPT = path.join(ROOT, 'scripts/same-outputs.sh');
const RUN = path.join(ROOT, 'results/examples/large-log');

function sameOutputs(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('bash', [SCRIPT, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** the code the build was made from is HEAD's: no change to what renders outputs */
function codeIsHead(): boolean {
  try {
    execFileSync('git', ['diff', '--quiet', 'HEAD', '--', 'loadgen/src', 'experiments'], { cwd: ROOT });
    return true;
  } catch {
    return false;
  }
}

describe('scripts/same-outputs.sh', () => {
  it.skipIf(!codeIsHead())('HEAD against this checkout\'s build of HEAD: the same outputs, exit 0', async () => {
    const r = await sameOutputs(['HEAD', RUN]);
    expect(r.stdout).toBe('');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.trim().split('\n').pop()).toBe("same outputs: 1 run directory, rendered by HEAD and by this checkout's build");
  });

  it('names what is wrong with its arguments, exit 2', async () => {
    const none = await sameOutputs(['HEAD']);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe('usage: scripts/same-outputs.sh BEFORE RUN_DIR...   (BEFORE: a commit of this repository)\n');
    const badRev = await sameOutputs(['no-such-commit', RUN]);
    expect(badRev.code).toBe(2);
    expect(badRev.stderr).toBe(`same-outputs: 'no-such-commit' is not a commit of ${ROOT}\n`);
    const notRun = await sameOutputs(['HEAD', path.join(ROOT, 'experiments')]);
    expect(notRun.code).toBe(2);
    expect(notRun.stderr).toBe(`same-outputs: ${path.join(ROOT, 'experiments')} has no run.json and points.jsonl: not a run directory\n`);
  });
});
