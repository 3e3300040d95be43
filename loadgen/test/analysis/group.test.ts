import { describe, expect, test } from 'vitest';
import { groupBy, okPoints, seriesKey } from '../../src/analysis/group.js';
import { cellKey, type CellParams } from '../../src/results/identity.js';
import { points } from '../../src/experiment/grid.js';
import { parseExperiment } from '../../src/experiment/load.js';
import { point } from '../report/fixtures.js';

describe('cell and series keys', () => {
  const params: CellParams = { threads: 4, fileSize: 4096, log: 'full', lock: 'file', logWrite: 'reserved', sync: 'none', disk: 'ram', mix: 'put', connections: 32, engine: 'autocannon' };

  test('a cell key lists every parameter in point-id order, the engine only where it is not autocannon', () => {
    expect(cellKey(params)).toBe('threads=4,fileSize=4096,log=full,lock=file,logWrite=reserved,sync=none,disk=ram,mix=put,connections=32');
    expect(cellKey({ ...params, engine: 'wrk' })).toBe('threads=4,fileSize=4096,log=full,lock=file,logWrite=reserved,sync=none,disk=ram,mix=put,connections=32,engine=wrk');
  });

  test('a series key is the cell key without threads', () => {
    expect(seriesKey(params)).toBe('fileSize=4096,log=full,lock=file,logWrite=reserved,sync=none,disk=ram,mix=put,connections=32');
    const oneThread: CellParams = { ...params, threads: 1 };
    expect(seriesKey(oneThread)).toBe(seriesKey(params));
    expect(seriesKey({ ...params, engine: 'wrk' })).not.toBe(seriesKey(params));
  });

  test('a point id is its cell key and its repetition', () => {
    const exp = parseExperiment('name: t\nsweep: { threads: [1, 2], engine: [autocannon, wrk] }\nworkload: { repetitions: 2 }\n', 't.yaml');
    const grid = points(exp);
    expect(grid).toHaveLength(8);
    for (const p of grid) {
      expect(p.cell).toBe(cellKey(p.params));
      expect(p.id).toBe(`${p.cell},repetition=${p.params.repetition}`);
    }
    expect(grid.map((p) => p.id)).toContain('threads=2,fileSize=4096,log=off,lock=file,logWrite=reserved,sync=none,disk=ram,mix=put,connections=32,engine=wrk,repetition=1');
  });
});

describe('grouping', () => {
  test('groups keep the order of their first item, and items their order within a group', () => {
    const groups = groupBy(['b1', 'a1', 'b2', 'c1', 'a2'], (s) => s[0]!);
    expect([...groups.entries()]).toEqual([['b', ['b1', 'b2']], ['a', ['a1', 'a2']], ['c', ['c1']]]);
  });

  test('okPoints keeps the measured and verified points', () => {
    const ok = point({ threads: 1 });
    const failed = point({ threads: 2 }, { outcome: 'failed', failure: 'server died' });
    expect(okPoints([failed, ok, failed])).toEqual([ok]);
  });
});
