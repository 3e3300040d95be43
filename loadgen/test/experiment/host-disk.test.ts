import { existsSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostDiskCounter, writtenBytesFromStat } from '../../src/results/host-disk.js';

describe('the host disk counter', () => {
  it('reads sectors written (the 7th field) as bytes', () => {
    expect(writtenBytesFromStat('  105749    17239  4044682    36338   211674  1129559 24889520   202101 0 100924 313598\n')).toBe(24889520 * 512);
  });

  it('names the device backing / when it is a block device, and none otherwise', () => {
    // what stat(2) says backs /: in a container an overlay, whose device number has major 0
    const { dev } = statSync('/');
    const major = (dev >>> 8) & 0xfff;
    const minor = (dev & 0xff) | ((dev >>> 12) & 0xfff00);
    const sys = `/sys/dev/block/${major}:${minor}`;
    if (major === 0 || !existsSync(sys)) {
      expect(hostDiskCounter()).toBeUndefined();
      return;
    }
    const sectors = () => writtenBytesFromStat(readFileSync(`${sys}/stat`, 'utf8'))!;
    const before = sectors();
    const c = hostDiskCounter();
    const after = sectors();
    expect(c?.device).toBe(path.basename(readlinkSync(sys)));
    expect(c!.writeBytes).toBeGreaterThanOrEqual(before);
    expect(c!.writeBytes).toBeLessThanOrEqual(after);
  });
});
