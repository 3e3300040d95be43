import { describe, expect, test } from 'vitest';
import { fitUsl, uslThroughput } from '../../src/analysis/usl.js';

// SPEC SDM91 on a Sun SPARCcenter 2000 (16 CPUs): the `specsdm91` data set of the R package
// `usl` (github.com/smoeding/usl, man/specsdm91.Rd; from N. J. Gunther, Guerrilla Capacity
// Planning, Springer 2007). load = simulated users, throughput = scripts per hour. The package
// ships it as binary data/specsdm91.rda; these values are the published table, and they match the
// package's printed outputs (efficiency quartiles in README.md, fitted values, residual error).
const SPECSDM91 = { load: [1, 18, 36, 72, 108, 144, 216], throughput: [64.9, 995.9, 1652.4, 1853.2, 1828.9, 1775.0, 1702.2] };

describe('USL fit', () => {
  test('reproduces the R usl package on specsdm91', () => {
    const result = fitUsl(SPECSDM91.load.map((n, i) => ({ n, x: SPECSDM91.throughput[i]! })));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { fit } = result;
    // Published by the usl package (README.md, `summary(usl(throughput ~ load, specsdm91))`):
    // alpha 0.0277285, beta 0.0001044, gamma 89.9952330, residual standard error 82.8 on 4 df.
    expect(fit.sigma).toBeCloseTo(0.0277285, 6);
    expect(fit.kappa).toBeCloseTo(0.0001044, 7);
    expect(fit.lambda).toBeCloseTo(89.995233, 3);
    expect(Math.sqrt(fit.rss / (SPECSDM91.load.length - 3))).toBeCloseTo(82.8, 1);
    // tests/fitted.Rout.save: fitted(u) = 90 1078 1541 1850 1879 1822 1646
    expect(SPECSDM91.load.map((n) => Math.round(uslThroughput(fit, n)))).toEqual([90, 1078, 1541, 1850, 1879, 1822, 1646]);
    // tests/peak-scalability.Rout.save: signif(peak.scalability(u), 2) = 97
    expect(Number(fit.peakN!.toPrecision(2))).toBe(97);
    expect(fit.peakX).toBeCloseTo(uslThroughput(fit, fit.peakN!), 9);
    expect(fit.r2).toBeGreaterThan(0.98);
  });

  test('recovers the coefficients of noise-free data exactly', () => {
    const truth = { sigma: 0.08, kappa: 0.002, lambda: 1234 };
    const data = [1, 2, 4, 8, 16, 32].map((n) => ({ n, x: uslThroughput(truth, n) }));
    const result = fitUsl(data);
    if (!result.ok) throw new Error(result.reason);
    expect(result.fit.sigma).toBeCloseTo(truth.sigma, 8);
    expect(result.fit.kappa).toBeCloseTo(truth.kappa, 9);
    expect(result.fit.lambda).toBeCloseTo(truth.lambda, 5);
    expect(result.fit.r2).toBeCloseTo(1, 10);
    expect(result.fit.peakN).toBeCloseTo(Math.sqrt((1 - 0.08) / 0.002), 5);
  });

  test('Amdahl data (κ = 0) stays on the bound and reports the asymptote instead of a peak', () => {
    const truth = { sigma: 0.25, kappa: 0, lambda: 100 };
    const data = [1, 2, 4, 8, 16].flatMap((n) => [0.99, 1.01].map((f) => ({ n, x: uslThroughput(truth, n) * f })));
    const result = fitUsl(data);
    if (!result.ok) throw new Error(result.reason);
    expect(result.fit.kappa).toBe(0);
    expect(result.fit.sigma).toBeCloseTo(0.25, 2);
    expect(result.fit.peakN).toBeNull();
    expect(result.fit.limitX).toBeCloseTo(result.fit.lambda / result.fit.sigma, 9);
  });

  test('linear data fits σ = κ = 0 with no peak and no limit', () => {
    const result = fitUsl([1, 2, 4, 8].map((n) => ({ n, x: 50 * n })));
    if (!result.ok) throw new Error(result.reason);
    expect(result.fit).toMatchObject({ sigma: 0, kappa: 0, peakN: null, limitX: null });
    expect(result.fit.lambda).toBeCloseTo(50, 9);
  });

  test('repetitions at the same thread count are all used', () => {
    const result = fitUsl([1, 1, 2, 2, 4, 4].map((n, i) => ({ n, x: 100 * n * (i % 2 ? 1.02 : 0.98) })));
    if (!result.ok) throw new Error(result.reason);
    expect(result.fit.observations).toBe(6);
    expect(result.fit.r2).toBeLessThan(1);
  });

  test('refuses fewer than three thread counts', () => {
    const result = fitUsl([{ n: 1, x: 10 }, { n: 1, x: 11 }, { n: 2, x: 19 }]);
    expect(result).toEqual({ ok: false, reason: 'needs measurements at 3 or more thread counts (has 2)' });
    expect(fitUsl([]).ok).toBe(false);
  });
});
