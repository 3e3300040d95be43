// Whether a pid lives (util/pid.ts), on real processes.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { pidAlive } from '../../src/util/pid.js';

describe('pidAlive', () => {
  it('is true for this process and for init, false for a child that ended and was reaped', () => {
    expect(pidAlive(process.pid)).toBe(true);
    // init lives; a process that may not signal it (EPERM) still sees it alive
    expect(pidAlive(1)).toBe(true);
    const ended = spawnSync(process.execPath, ['-e', '']);
    expect(ended.status).toBe(0);
    expect(pidAlive(ended.pid)).toBe(false);
  });
});
