import { describe, expect, it } from 'vitest';
import { evaluateExpectations } from '../../src/analysis/expectations.js';
import { estimatePlan } from '../../src/experiment/estimate.js';
import { points } from '../../src/experiment/grid.js';
import { parseExperiment } from '../../src/experiment/load.js';
import type { PointRecord } from '../../src/results/record.js';

const exp = parseExperiment(
  `name: g
sweep: { threads: [1, 2, 4], log: [off, full] }
workload: { repetitions: 2, duration: 1s, warmup: 0s }
expect:
  - where: { log: off }
    speedup: { threads: 4, atLeast: 2 }
  - where: { log: full }
    speedup: { threads: 4, atMost: 1.5 }
  - faster: { where: { log: off }, than: { log: full }, at: { threads: 4 }, by: 2 }
  - speedup: { threads: 2, atLeast: 1.9 }
`,
  'g.yaml',
);

function record(threads: number, log: 'off' | 'full', repetition: number, rps: number, outcome: 'ok' | 'failed' = 'ok'): PointRecord {
  const pt = points(exp).find((p) => p.params.threads === threads && p.params.log === log && p.params.repetition === repetition)!;
  return { id: pt.id, params: pt.params, outcome, requestsPerS: rps, loadgenBound: false } as PointRecord;
}

describe('the grid', () => {
  it('is the cross product, repetitions interleaved, ids unique', () => {
    const pts = points(exp);
    expect(pts).toHaveLength(12);
    expect(pts.slice(0, 6).every((p) => p.params.repetition === 0)).toBe(true);
    expect(pts.slice(6).every((p) => p.params.repetition === 1)).toBe(true);
    expect(new Set(pts.map((p) => p.id)).size).toBe(12);
    expect(pts.map((p) => `${p.params.threads}${p.params.log}`).slice(0, 6)).toEqual(['1off', '1full', '2off', '2full', '4off', '4full']);
  });

  it('estimates more log bytes for full logging than for none, and time for every point', () => {
    const est = estimatePlan(exp, points(exp));
    expect(est.logBytes).toBeGreaterThan(0);
    expect(est.wallS).toBeGreaterThan(12 * 1);
    const off = estimatePlan({ ...exp, sweep: [{ key: 'threads', values: [1] }] }, points({ ...exp, sweep: [{ key: 'threads', values: [1] }] }));
    expect(off.logBytes).toBe(0);
  });
});

describe('expectations', () => {
  const records = [
    record(1, 'off', 0, 100), record(1, 'off', 1, 100), record(4, 'off', 0, 300), record(4, 'off', 1, 260),
    record(2, 'off', 0, 190), record(2, 'off', 1, 190),
    record(1, 'full', 0, 50), record(4, 'full', 0, 60), record(4, 'full', 1, 70), record(1, 'full', 1, 10, 'failed'),
    record(2, 'full', 0, 55),
  ];
  const results = evaluateExpectations(exp, records);

  it('speedup: mean req/s at N threads over 1 thread, within the series', () => {
    expect(results[0]).toMatchObject({ passed: true, detail: expect.stringContaining('speedup 2.80') });
    // failed points are left out: full at 1 thread is 50, at 4 threads 65
    expect(results[1]).toMatchObject({ passed: true, detail: expect.stringContaining('speedup 1.30') });
  });

  it('faster: mean of one selection against another', () => {
    expect(results[2]).toMatchObject({ passed: true, detail: expect.stringContaining('ratio 4.31') });
  });

  it('a speedup over several series fails if one series misses', () => {
    expect(results[3]!.passed).toBe(false);
    expect(results[3]!.detail).toContain('log=off: 1 thread 100 req/s, 2 threads 190 req/s, speedup 1.90 (ok)');
    expect(results[3]!.detail).toContain('log=full: 1 thread 50 req/s, 2 threads 55 req/s, speedup 1.10 (MISSED)');
  });

  it('fails with a reason when no point was measured', () => {
    expect(evaluateExpectations(exp, [])[0]).toMatchObject({ passed: false, detail: 'no successfully measured point matches' });
  });
});
