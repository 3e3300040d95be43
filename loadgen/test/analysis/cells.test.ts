import { describe, expect, test } from 'vitest';
import { buildCells } from '../../src/analysis/cells.js';
import { absentDesigns, seriesName, seriesParams } from '../../src/analysis/series.js';
import { analyze } from '../../src/analysis/analyze.js';
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

  test("a write counter below the log's growth did not see the volume: no rate", () => {
    const [ram] = buildCells([point({}, { deviceWriteBytes: 0, logBytes: 5e8, durationS: 10 })]);
    expect(ram!.deviceWriteBps).toBeNull();
    const [disk] = buildCells([point({}, { deviceWriteBytes: 6e8, logBytes: 5e8, durationS: 10 })]);
    expect(disk!.deviceWriteBps).toBe(6e7);
    // a throttled disk's counter sees its device: below the log's growth it lags, it is still a rate
    const [throttled] = buildCells([point({}, { deviceWriteBytes: 4.83e7, logBytes: 5.79e7, durationS: 6, diskLimits: { writeBps: 1e7 } })]);
    expect(throttled!.deviceWriteBps).toBe(8.05e6);
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

  test("a user's server is named by what its experiment set: no lock unless its command takes {lock}", () => {
    const own = { server: { impl: { kind: 'command', command: ['./httpserver', '{port}', '-N', '{threads}', '-l', '{log}'] } } };
    const withLock = { server: { impl: { kind: 'image', image: 'x', command: ['httpserver', '{port}', '--lock', '{lock}'] } } };
    expect([...absentDesigns(own)]).toEqual(['lock', 'logWrite', 'sync']);
    expect([...absentDesigns(withLock)]).toEqual(['logWrite', 'sync']);
    expect([...absentDesigns({ server: { impl: { kind: 'reference' } } })]).toEqual([]);
    expect([...absentDesigns(undefined)]).toEqual([]);
    const p = point({ log: 'full', lock: 'file', fileSize: MiB, disk: 'ram' });
    expect(seriesName(seriesParams(p.params), new Set(), absentDesigns(own))).toBe('full log, 1 MiB, ram');
    expect(seriesName(seriesParams(p.params), new Set(), absentDesigns(withLock))).toBe('full log, per-file locks, 1 MiB, ram');
    const run = [point({ threads: 1, log: 'full' }), point({ threads: 4, log: 'full' })];
    expect(analyze(run, [], absentDesigns(own)).series.map((s) => s.name)).toEqual(['full log, 4 KiB, ram']);
    expect(analyze(run).series.map((s) => s.name)).toEqual(['full log, per-file locks, 4 KiB, ram']);
  });
});
