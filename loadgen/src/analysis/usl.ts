// Universal Scalability Law fit: X(N) = λN / (1 + σ(N−1) + κN(N−1)), least squares on X.
// λ enters linearly, so for given (σ, κ) its best value is closed-form; the search runs over
// (σ, κ) only (variable projection), by Levenberg–Marquardt with the bounds 0 ≤ σ, κ ≤ 1
// handled as an active set, from a few starts so a local minimum cannot win.

export interface UslObservation {
  /** concurrency: threads */
  n: number;
  /** throughput, e.g. requests/s */
  x: number;
}

interface UslFit {
  /** contention */
  sigma: number;
  /** coherency */
  kappa: number;
  /** throughput of one unit of concurrency in the model (X(1)) */
  lambda: number;
  /** coefficient of determination, 1 − RSS/TSS */
  r2: number;
  rss: number;
  /** the concurrency of peak throughput, sqrt((1−σ)/κ); null when κ = 0 (no peak) */
  peakN: number | null;
  peakX: number | null;
  /** the asymptote λ/σ when κ = 0 and σ > 0; null otherwise */
  limitX: number | null;
  observations: number;
}

export type UslResult = { ok: true; fit: UslFit } | { ok: false; reason: string };

export function uslThroughput(fit: Pick<UslFit, 'sigma' | 'kappa' | 'lambda'>, n: number): number {
  return (fit.lambda * n) / (1 + fit.sigma * (n - 1) + fit.kappa * n * (n - 1));
}

const LOWER = 0;
const UPPER = 1;
const STARTS_SIGMA = [0, 1e-3, 0.05, 0.3];
const STARTS_KAPPA = [0, 1e-6, 1e-4, 1e-2];

export function fitUsl(observations: readonly UslObservation[]): UslResult {
  const data = observations.filter((o) => Number.isFinite(o.n) && Number.isFinite(o.x) && o.n > 0);
  const distinct = new Set(data.map((o) => o.n)).size;
  if (distinct < 3) return { ok: false, reason: `needs measurements at 3 or more thread counts (has ${distinct})` };
  if (!data.some((o) => o.x > 0)) return { ok: false, reason: 'no positive throughput to fit' };

  const n = data.map((o) => o.n);
  const y = data.map((o) => o.x);
  let best: { p: [number, number]; rss: number } | null = null;
  for (const s0 of STARTS_SIGMA) {
    for (const k0 of STARTS_KAPPA) {
      const result = levenbergMarquardt(n, y, [s0, k0]);
      if (!best || result.rss < best.rss) best = result;
    }
  }
  if (!best) return { ok: false, reason: 'the fit did not converge' };
  best = snapToBounds(n, y, best);
  const [sigma, kappa] = best.p;
  const lambda = profiledLambda(n, y, sigma, kappa);
  const meanY = y.reduce((a, b) => a + b, 0) / y.length;
  const tss = y.reduce((acc, v) => acc + (v - meanY) ** 2, 0);
  const fit: UslFit = {
    sigma,
    kappa,
    lambda,
    rss: best.rss,
    r2: tss > 0 ? 1 - best.rss / tss : 1,
    peakN: null,
    peakX: null,
    limitX: null,
    observations: data.length,
  };
  if (kappa > 0 && sigma < 1) {
    fit.peakN = Math.sqrt((1 - sigma) / kappa);
    fit.peakX = uslThroughput(fit, fit.peakN);
  } else if (sigma > 0) {
    fit.limitX = lambda / sigma;
  }
  return { ok: true, fit };
}

/**
 * A coefficient that converged to a hair above 0 (say κ = 1e-12) would predict an absurd peak
 * at a million threads; when 0 fits as well (within a relative 1e-9 of the RSS), it is 0.
 */
function snapToBounds(n: readonly number[], y: readonly number[], best: { p: [number, number]; rss: number }): { p: [number, number]; rss: number } {
  let result = best;
  for (const j of [1, 0]) {
    if (result.p[j] === LOWER) continue;
    const p: [number, number] = [result.p[0], result.p[1]];
    p[j] = LOWER;
    const rss = sumSquares(residuals(n, y, p));
    if (rss <= result.rss * (1 + 1e-9) + Number.MIN_VALUE) result = { p, rss };
  }
  return result;
}

function shape(n: number, sigma: number, kappa: number): number {
  return n / (1 + sigma * (n - 1) + kappa * n * (n - 1));
}

function profiledLambda(n: readonly number[], y: readonly number[], sigma: number, kappa: number): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < n.length; i++) {
    const f = shape(n[i]!, sigma, kappa);
    num += y[i]! * f;
    den += f * f;
  }
  return den > 0 ? num / den : 0;
}

function residuals(n: readonly number[], y: readonly number[], p: readonly [number, number]): number[] {
  const lambda = profiledLambda(n, y, p[0], p[1]);
  return n.map((ni, i) => y[i]! - lambda * shape(ni, p[0], p[1]));
}

function sumSquares(r: readonly number[]): number {
  let s = 0;
  for (const v of r) s += v * v;
  return s;
}

function clamp(v: number): number {
  return Math.min(UPPER, Math.max(LOWER, v));
}

/** Jacobian of the residuals by finite differences (forward at a bound, central inside). */
function jacobian(n: readonly number[], y: readonly number[], p: readonly [number, number]): number[][] {
  const columns: number[][] = [];
  for (let j = 0; j < 2; j++) {
    const h = Math.max(Math.abs(p[j]!) * 1e-6, 1e-10);
    const up: [number, number] = [p[0], p[1]];
    const down: [number, number] = [p[0], p[1]];
    up[j] = p[j]! + h;
    const central = p[j]! - h >= LOWER;
    down[j] = central ? p[j]! - h : p[j]!;
    const rUp = residuals(n, y, up);
    const rDown = residuals(n, y, down);
    const width = central ? 2 * h : h;
    columns.push(rUp.map((v, i) => (v - rDown[i]!) / width));
  }
  return n.map((_, i) => [columns[0]![i]!, columns[1]![i]!]);
}

function levenbergMarquardt(n: readonly number[], y: readonly number[], start: [number, number]): { p: [number, number]; rss: number } {
  let p: [number, number] = [clamp(start[0]), clamp(start[1])];
  let r = residuals(n, y, p);
  let rss = sumSquares(r);
  let mu = 1e-3;
  for (let iter = 0; iter < 500; iter++) {
    const J = jacobian(n, y, p);
    // Normal equations A δ = −g for the free parameters.
    const A = [[0, 0], [0, 0]];
    const g = [0, 0];
    for (let i = 0; i < J.length; i++) {
      const row = J[i]!;
      for (let a = 0; a < 2; a++) {
        g[a]! += row[a]! * r[i]!;
        for (let b = 0; b < 2; b++) A[a]![b]! += row[a]! * row[b]!;
      }
    }
    // A parameter sitting on a bound whose gradient pushes it outward stays fixed this step.
    const free = [0, 1].map((j) => !((p[j]! <= LOWER && g[j]! > 0) || (p[j]! >= UPPER && g[j]! < 0)));
    if (!free[0] && !free[1]) break;
    let improved = false;
    for (let attempt = 0; attempt < 30; attempt++) {
      const delta = solveDamped(A, g, mu, free);
      const candidate: [number, number] = [clamp(p[0] + delta[0]), clamp(p[1] + delta[1])];
      const rc = residuals(n, y, candidate);
      const rssc = sumSquares(rc);
      if (Number.isFinite(rssc) && rssc < rss) {
        const gain = (rss - rssc) / Math.max(rss, Number.MIN_VALUE);
        const moved = Math.abs(candidate[0] - p[0]) + Math.abs(candidate[1] - p[1]);
        p = candidate;
        r = rc;
        rss = rssc;
        mu = Math.max(mu / 3, 1e-12);
        improved = gain > 1e-15 && moved > 1e-16;
        break;
      }
      mu *= 4;
    }
    if (!improved) break;
  }
  return { p, rss };
}

/** Solves (A + μ·diag(A)) δ = −g over the free parameters (2×2 at most). */
function solveDamped(A: number[][], g: number[], mu: number, free: boolean[]): [number, number] {
  const a00 = A[0]![0]! * (1 + mu) || mu;
  const a11 = A[1]![1]! * (1 + mu) || mu;
  if (free[0] && free[1]) {
    const a01 = A[0]![1]!;
    const det = a00 * a11 - a01 * a01;
    if (det === 0 || !Number.isFinite(det)) return [0, 0];
    return [(-g[0]! * a11 + g[1]! * a01) / det, (-g[1]! * a00 + g[0]! * a01) / det];
  }
  if (free[0]) return [-g[0]! / a00, 0];
  return [0, -g[1]! / a11];
}
