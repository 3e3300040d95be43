// scripts/busy-test.sh: the command runs with the burners beside it, its exit status is the
// script's, and no burner outlives the script, however it ends.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../fixtures/cli.js';

const SCRIPT = path.join(ROOT, 'scripts/busy-test.sh');

interface Ended { code: number | null; stdout: string; stderr: string }

function busyTest(args: string[], onStart?: (pid: number) => void): Promise<Ended> {
  const child = spawn('bash', [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  let started = false;
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (!started && stderr.includes('beside:')) {
      started = true;
      onStart?.(child.pid!);
    }
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** the burner PIDs the script announced */
function burners(stderr: string): number[] {
  const m = /PIDs ([\d ]+)\)/.exec(stderr);
  return m ? m[1]!.trim().split(' ').map(Number) : [];
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('scripts/busy-test.sh', () => {
  it('runs the command beside the burners, passes its exit status through, and stops them', async () => {
    // the command lists its siblings: the script's other children are the burners
    const r = await busyTest(['-n', '2', '--', 'sh', '-c', 'ps -o pid= --ppid $PPID; exit 3']);
    expect(r.code).toBe(3);
    const pids = burners(r.stderr);
    expect(pids).toHaveLength(2);
    const siblings = r.stdout.trim().split('\n').map(Number);
    for (const pid of pids) expect(siblings).toContain(pid);
    expect(pids.filter(alive)).toEqual([]);
    expect(r.stderr).toContain('busy-test: 2 CPU burner(s) (nice ');
    expect(r.stderr).toMatch(/busy-test: FAIL \(exit 3\) in \d+\.\d s wall, with 2 CPU burner\(s\) on \d+ core\(s\): sh -c /);
  });

  it('a passing command: PASS and exit 0', async () => {
    const r = await busyTest(['-n', '1', 'true']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/busy-test: PASS \(exit 0\) in \d+\.\d s wall, with 1 CPU burner\(s\) on \d+ core\(s\): true\n$/);
    expect(burners(r.stderr).filter(alive)).toEqual([]);
  });

  it('stopped by SIGTERM: the command and the burners stop too, exit 143', async () => {
    const r = await busyTest(['-n', '1', '--', 'sleep', '60'], (pid) => process.kill(pid, 'SIGTERM'));
    expect(r.code).toBe(143);
    expect(r.stderr).toContain('busy-test: interrupted by SIGTERM');
    expect(burners(r.stderr).filter(alive)).toEqual([]);
  });

  it('a bad burner count: exit 2 and what was expected', async () => {
    const r = await busyTest(['-n', 'many']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("busy-test: -n: got 'many'; expected a whole number of burners (0 or more)\n");
  });
});
