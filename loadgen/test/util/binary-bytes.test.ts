// Binary sizes are formatted once (util/binary-bytes.ts), in two styles: the report's words
// ("4 KiB") and the experiment files' compact sizes ("4KiB", what `plan` and the terminal print).
// Each style prints exactly what its own function printed before the two were one.
import { describe, expect, it } from 'vitest';
import { formatSize } from '../../src/analysis/format.js';
import { formatBinaryBytes } from '../../src/util/binary-bytes.js';
import { formatBytes } from '../../src/experiment/units.js';

const KiB = 1024;
const MiB = 1024 ** 2;

/** bytes, the words style, the compact style: as formatSize and formatBytes printed them when they were two functions */
const PRINTED: [number, string, string][] = [
  [0, '0 B', '0B'],
  [1, '1 B', '1B'],
  [1023, '1023 B', '1023B'],
  [1024, '1 KiB', '1KiB'],
  [1500, '1.46 KiB', '1.46KiB'],
  [4096, '4 KiB', '4KiB'],
  [1.5 * MiB, '1.5 MiB', '1.50MiB'],
  [100.5 * KiB, '101 KiB', '100.5KiB'],
  [MiB - 1, '1024 KiB', '1024.0KiB'],
  [64 * MiB, '64 MiB', '64MiB'],
  [2 * 1024 ** 3, '2 GiB', '2GiB'],
  [6.4e9, '5.96 GiB', '5.96GiB'],
  [3 * 1024 ** 5, '3072 TiB', '3072TiB'],
];

describe('binary sizes', () => {
  it.each(PRINTED)('%d bytes: "%s" in words, "%s" compact', (bytes, words, compact) => {
    expect(formatBinaryBytes(bytes, 'words')).toBe(words);
    expect(formatSize(bytes)).toBe(words);
    expect(formatBinaryBytes(bytes, 'compact')).toBe(compact);
    expect(formatBytes(bytes)).toBe(compact);
  });

  it('writes a number that is no size as a dash, in both styles', () => {
    for (const bytes of [Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(formatSize(bytes)).toBe('–');
      expect(formatBytes(bytes)).toBe('–');
    }
  });
});
