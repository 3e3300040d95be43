import { describe, expect, it } from 'vitest';
import { splitDev } from '../../../../src/runtime/docker/disk/loop-device.js';

describe('loop device numbers', () => {
  it('splits device numbers as glibc does', () => {
    expect(splitDev(7 * 256 + 3)).toEqual({ major: 7, minor: 3 });
    expect(splitDev(0xfe00)).toEqual({ major: 254, minor: 0 });
    expect(splitDev((259 << 8) | (0x1200 << 12) | 0x34)).toEqual({ major: 259, minor: 0x1234 });
  });
});
