import { describe, expect, it } from 'vitest';
import { hostDiskCounter, writtenBytesFromStat } from '../../src/results/host-disk.js';

describe('the host disk counter', () => {
  it('reads sectors written (the 7th field) as bytes', () => {
    expect(writtenBytesFromStat('  105749    17239  4044682    36338   211674  1129559 24889520   202101 0 100924 313598\n')).toBe(24889520 * 512);
  });

  it('names the device backing / when it is a block device', () => {
    const c = hostDiskCounter();
    // in a container / is an overlay: no counter, and that is allowed
    if (c) {
      expect(c.device).toMatch(/^[a-z0-9]+$/);
      expect(c.writeBytes).toBeGreaterThanOrEqual(0);
    }
  });
});
