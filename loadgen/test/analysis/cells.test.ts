import { describe, expect, test } from 'vitest';
import { buildCells } from '../../src/analysis/cells.js';
import { seriesName } from '../../src/analysis/series.js';
import { MiB, point } from '../report/fixtures.js';

describe('cells and series names', () => {
  test('a cell averages its repetitions, and speedup is relative to the 1-thread mean', () => {
    const points = [
      point({ threads: 1, repetition: 0 }, { requestsPerS: 90 }),
      point({ threads: 1, repetition: 1 }, { requestsPerS: 110 }),
      point({ threads: 4, repetition: 0 }, { requestsPerS: 300 }),
      point({ threads: 4, repetition: 1 }, { requestsPerS: 500 }),
      point({ threads: 4, repetition: 2 }, { outcome: 'failed', requestsPerS: 0, failure: 'verification mismatch' }),
    ];
    const cells = buildCells(points);
    const four = cells.find((c) => c.threads === 4)!;
    expect(four.ok).toBe(2);
    expect(four.failed).toBe(1);
    expect(four.failures).toEqual(['verification mismatch']);
    expect(four.requestsPerS!.mean).toBe(400);
    expect(four.requestsPerS!.sd).toBeCloseTo(Math.SQRT2 * 100, 9);
    expect(four.requestsPerS!.cv).toBeCloseTo((Math.SQRT2 * 100) / 400, 9);
    expect(four.speedup!.mean).toBe(4);
    expect(cells.find((c) => c.threads === 1)!.speedup!.mean).toBe(1);
  });

  test('device write rate is bytes over the measured window', () => {
    const [cell] = buildCells([point({}, { deviceWriteBytes: 5e8, durationS: 10, diskLimits: { writeBps: 8e7 } })]);
    expect(cell!.deviceWriteBps).toBe(5e7);
    expect(cell!.writeLimitBps).toBe(8e7);
  });

  test('names a person understands, with the extra dimensions only when they vary', () => {
    const p = { log: 'full', lock: 'file', fileSize: MiB, disk: 'hdd', logWrite: 'locked', sync: 'fsync', mix: 'put', connections: 32, engine: 'autocannon' } as const;
    expect(seriesName(p, new Set())).toBe('full log, per-file locks, 1 MiB, hdd');
    expect(seriesName({ ...p, log: 'off', lock: 'global', fileSize: 4096 }, new Set(['connections']))).toBe('no log, global lock, 4 KiB, hdd, 32 connections');
    expect(seriesName(p, new Set(['logWrite', 'sync']))).toBe('full log, per-file locks, 1 MiB, hdd, locked log writes, fsync');
  });
});
