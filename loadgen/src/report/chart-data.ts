// The named datasets the charts read: plain rows, shared by all charts of a page.
import type { Analysis, Series } from '../analysis/analyze.js';
import { uslThroughput } from '../analysis/usl.js';
import type { ThreadRow } from './threads-section.js';

interface CellRow {
  run: string;
  series: string;
  disk: string;
  threads: number;
  n: number;
  rps: number | null;
  rpsLo: number | null;
  rpsHi: number | null;
  mbps: number | null;
  mbpsLo: number | null;
  mbpsHi: number | null;
  p50ms: number | null;
  p99ms: number | null;
  writeMBps: number | null;
  limitMBps: number | null;
  serverCpu: number | null;
  serverCpus: number | null;
  loadgenCpu: number | null;
  errors: number;
  failed: number;
}

interface SpeedupRow {
  run: string;
  series: string;
  threads: number;
  kind: 'measured' | 'ideal' | 'USL fit';
  speedup: number;
  lo: number | null;
  hi: number | null;
}

export interface RatioRow {
  series: string;
  threads: number;
  metric: string;
  ratio: number;
}

export interface Datasets {
  cells: CellRow[];
  speedup: SpeedupRow[];
  ratios?: RatioRow[];
  /** where the server's threads were, by class (report/threads-section.ts); absent without thread samples */
  threads?: ThreadRow[];
}

const MB = 1e6;
const FIT_SAMPLES = 16;

/** ± one standard deviation, where there are repetitions. */
function spread(mean: number | undefined, sd: number | null | undefined, scale = 1): [number | null, number | null] {
  if (mean === undefined || sd === null || sd === undefined) return [null, null];
  return [(mean - sd) / scale, (mean + sd) / scale];
}

function round(v: number | null | undefined, digits = 4): number | null {
  return v === null || v === undefined || !Number.isFinite(v) ? null : Number(v.toPrecision(digits));
}

export function cellRows(analysis: Analysis, run: string): CellRow[] {
  const rows: CellRow[] = [];
  for (const series of analysis.series) {
    for (const c of series.cells) {
      const [rpsLo, rpsHi] = spread(c.requestsPerS?.mean, c.requestsPerS?.sd);
      const [mbpsLo, mbpsHi] = spread(c.bytesPerS?.mean, c.bytesPerS?.sd, MB);
      rows.push({
        run,
        series: series.name,
        disk: c.params.disk,
        threads: c.threads,
        n: c.ok,
        rps: round(c.requestsPerS?.mean),
        rpsLo: round(rpsLo),
        rpsHi: round(rpsHi),
        mbps: round(c.bytesPerS ? c.bytesPerS.mean / MB : null),
        mbpsLo: round(mbpsLo),
        mbpsHi: round(mbpsHi),
        p50ms: round(c.p50Us === null ? null : c.p50Us / 1000),
        p99ms: round(c.p99Us === null ? null : c.p99Us / 1000),
        writeMBps: round(c.deviceWriteBps === null ? null : c.deviceWriteBps / MB),
        limitMBps: round(c.writeLimitBps === null ? null : c.writeLimitBps / MB),
        serverCpu: round(c.serverCpuCores),
        serverCpus: round(c.serverCpus),
        loadgenCpu: round(c.loadgenCpuCores),
        errors: c.errors,
        failed: c.failed,
      });
    }
  }
  return rows;
}

export function speedupRows(analysis: Analysis, run: string): SpeedupRow[] {
  const rows: SpeedupRow[] = [];
  for (const series of analysis.series) {
    const measured = series.cells.filter((c) => c.speedup !== null);
    if (measured.length === 0) continue;
    for (const c of measured) {
      const [lo, hi] = spread(c.speedup!.mean, c.speedup!.sd);
      rows.push({ run, series: series.name, threads: c.threads, kind: 'measured', speedup: round(c.speedup!.mean)!, lo: round(lo), hi: round(hi) });
    }
    const maxThreads = Math.max(...measured.map((c) => c.threads));
    for (const t of [1, maxThreads]) rows.push({ run, series: series.name, threads: t, kind: 'ideal', speedup: t, lo: null, hi: null });
    rows.push(...fitCurve(series, run, maxThreads));
  }
  return rows;
}

/** The USL fit in speedup units (relative to the measured 1-thread mean), sampled evenly in log(threads). */
function fitCurve(series: Series, run: string, maxThreads: number): SpeedupRow[] {
  if (!series.usl.ok || !series.baselineRps || maxThreads <= 1) return [];
  const fit = series.usl.fit;
  const rows: SpeedupRow[] = [];
  for (let i = 0; i <= FIT_SAMPLES; i++) {
    const threads = Math.exp((Math.log(maxThreads) * i) / FIT_SAMPLES);
    rows.push({ run, series: series.name, threads: round(threads)!, kind: 'USL fit', speedup: round(uslThroughput(fit, threads) / series.baselineRps)!, lo: null, hi: null });
  }
  return rows;
}
