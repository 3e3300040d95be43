// Grouping records into series (same parameters except threads) and cells.
import type { PointParams, PointRecord } from '../results/record.js';
import { paramText } from './describe.js';
import type { Experiment } from './experiment.js';
import { SWEEP_KEYS, type SweepKey } from './schema.js';

const SERIES_KEYS = SWEEP_KEYS.filter((k) => k !== 'threads');

export function seriesKey(p: PointParams): string {
  return SERIES_KEYS.map((k) => `${k}=${p[k]}`).join(',');
}

/** the swept parameters (other than threads) of a series, in words */
export function seriesText(exp: Experiment, p: PointParams): string {
  const parts = exp.sweep.filter((s) => s.key !== 'threads').map((s) => `${s.key}=${paramText(s.key, p[s.key])}`);
  return parts.join(' ') || 'all points';
}

export function matches(p: PointParams, sel: Record<string, string | number> | undefined): boolean {
  return Object.entries(sel ?? {}).every(([k, v]) => p[k as SweepKey] === v);
}

export function mean(xs: number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

export function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = out.get(k);
    if (list) list.push(it);
    else out.set(k, [it]);
  }
  return out;
}

export const okRecords = (records: PointRecord[]) => records.filter((r) => r.outcome === 'ok');
