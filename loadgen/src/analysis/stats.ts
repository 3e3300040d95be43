// Mean, sample standard deviation and coefficient of variation of a set of measurements, and
// the one rule for calling repetitions noisy (the report's findings and the sweep's table).

export interface Stat {
  n: number;
  mean: number;
  /** sample standard deviation (n - 1); null with fewer than two values */
  sd: number | null;
  /** sd / mean; null when sd is null or the mean is 0 */
  cv: number | null;
}

export function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return values.length === 0 ? NaN : sum / values.length;
}

export function stat(values: readonly number[]): Stat | null {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return null;
  const m = mean(finite);
  if (finite.length < 2) return { n: finite.length, mean: m, sd: null, cv: null };
  let ss = 0;
  for (const v of finite) ss += (v - m) ** 2;
  const sd = Math.sqrt(ss / (finite.length - 1));
  return { n: finite.length, mean: m, sd, cv: m === 0 ? null : sd / Math.abs(m) };
}

/** Mean of the finite values, or null when there are none (missing optional fields). */
export function meanOrNull(values: ReadonlyArray<number | undefined | null>): number | null {
  const finite = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return finite.length === 0 ? null : mean(finite);
}

/** the coefficient of variation above which a cell's repetitions are too spread to trust */
export const NOISY_CV = 0.05;

export function isNoisy(s: Stat | null): s is Stat & { cv: number } {
  return s !== null && s.cv !== null && s.cv > NOISY_CV;
}
