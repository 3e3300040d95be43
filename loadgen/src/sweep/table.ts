// The terminal table after a sweep: throughput and speedup per series, printed from analyze().
import { analyze, type Analysis, type Series } from '../analysis/analyze.js';
import { volumeCounterBlind, type Cell } from '../analysis/cells.js';
import { okPoints } from '../analysis/group.js';
import { isNoisy, mean } from '../analysis/stats.js';
import { SINGLE_THREAD_SHARE } from '../analysis/verdicts.js';
import { seriesText } from '../experiment/describe.js';
import type { Experiment } from '../experiment/experiment.js';
import { formatBytes } from '../experiment/units.js';
import type { PointRecord } from '../results/record.js';

function pad(cols: string[], widths: number[]): string {
  return cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
}

/** analyze() orders the series for the report; the table keeps the order they were measured in */
function inMeasuredOrder(analysis: Analysis): Series[] {
  const order = [...new Set(analysis.cells.map((c) => c.seriesKey))];
  return [...analysis.series].sort((a, b) => order.indexOf(a.key) - order.indexOf(b.key));
}

/**
 * a cell's mean as the table shows it: none ("-") unless every measured repetition has the value;
 * the cell's own mean leaves out a repetition without one (a null in points.jsonl)
 */
function shown(cell: Cell, cellMean: number | null | undefined, of: (p: PointRecord) => number): number {
  return cellMean != null && okPoints(cell.points).every((p) => Number.isFinite(of(p))) ? cellMean : NaN;
}

export function resultsTable(exp: Experiment, records: PointRecord[]): string {
  const head = ['threads', 'req/s', 'speedup', 'MB/s', 'p50 µs', 'p99 µs', 'server CPU', 'loadgen CPU', 'where', 'notes'];
  const widths = [7, 10, 7, 9, 8, 9, 10, 11, 14, 0];
  const num = (x: number, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : '-');
  const rps = (p: PointRecord) => p.requestsPerS;
  const lines: string[] = [];
  for (const series of inMeasuredOrder(analyze(records))) {
    lines.push('', seriesText(exp, series.cells[0]!.params), pad(head, widths));
    const base = series.cells.find((c) => c.threads === 1);
    const baseRps = base ? shown(base, series.baselineRps, rps) : NaN;
    for (const cell of series.cells) {
      const reqs = shown(cell, cell.requestsPerS?.mean, rps);
      const notes: string[] = [];
      // the reason as recorded: cell.failures words a missing one
      if (cell.failed > 0) notes.push(`FAILED ${cell.failed}/${cell.points.length}: ${cell.points.find((p) => p.outcome === 'failed')!.failure ?? ''}`.slice(0, 90));
      // a failed repetition counts too, unlike in cell.loadgenBound (the measured ones)
      if (cell.points.some((p) => p.loadgenBound)) notes.push('LOADGEN-BOUND (not trusted)');
      if (isNoisy(cell.requestsPerS)) notes.push(`noisy (cv ${(cell.requestsPerS.cv * 100).toFixed(0)}%)`);
      lines.push(pad([
        String(cell.threads),
        num(reqs),
        Number.isFinite(baseRps) ? num(reqs / baseRps, 2) : '-',
        num(shown(cell, cell.bytesPerS?.mean, (p) => p.bytesPerS) / 1e6, 1),
        num(shown(cell, cell.p50Us, (p) => p.latencyUs.p50)),
        num(shown(cell, cell.p99Us, (p) => p.latencyUs.p99)),
        num(shown(cell, cell.serverCpuCores, (p) => p.serverCpuCores), 2),
        num(shown(cell, cell.loadgenCpuCores, (p) => p.loadgenCpuCores), 2),
        whereWords(okPoints(cell.points)),
        notes.join('; '),
      ], widths));
    }
  }
  return lines.join('\n');
}

const CLASS_WORDS: Record<string, string> = { onCpu: 'cpu', cpuWait: 'cpu-wait', lock: 'lock', disk: 'disk', network: 'net/idle', other: 'other' };

/**
 * The thread samples in a few characters: "main 97%" when one thread was on a CPU at least
 * SINGLE_THREAD_SHARE of the window (the verdicts' single-thread-bound), else the state most of
 * the server's threads were in and how many ("lock 6.8"); "-" without samples, "n/a" where they
 * could not be taken.
 */
export function whereWords(points: readonly PointRecord[]): string {
  const sampled = points.flatMap((p) => (p.threadStates?.classes ? [p.threadStates] : []));
  if (sampled.length === 0) return points.some((p) => p.threadStates?.unavailable) ? 'n/a' : '-';
  let busiest = { share: 0, role: 'worker' };
  for (const s of sampled) {
    for (const t of s.threads ?? []) if (s.windowS > 0 && t.cpuS / s.windowS > busiest.share) busiest = { share: t.cpuS / s.windowS, role: t.role };
  }
  if (busiest.share >= SINGLE_THREAD_SHARE) return `${busiest.role === 'worker' ? '1 thread' : busiest.role} ${Math.round(busiest.share * 100)}%`;
  const totals = Object.keys(CLASS_WORDS).map((k) => [k, mean(sampled.map((s) => s.classes![k as keyof typeof s.classes]))] as const);
  const [top, n] = totals.reduce((a, b) => (b[1] > a[1] ? b : a));
  return `${CLASS_WORDS[top]} ${n.toFixed(1)}`;
}

/**
 * what the measured windows wrote. The log is part of what the data volume took; where the
 * volume's counter is blind to it (cells.ts volumeCounterBlind: a RAM disk) its log is said apart,
 * and a throttled device that had not written all of the log by the windows' ends writes behind.
 */
export function bytesLine(records: PointRecord[]): string {
  const sum = (rs: PointRecord[], f: (r: PointRecord) => number) => rs.reduce((s, r) => s + f(r), 0);
  const blind = records.filter(volumeCounterBlind);
  const seen = records.filter((r) => !volumeCounterBlind(r));
  const written = sum(seen, (r) => r.deviceWriteBytes);
  const log = sum(seen, (r) => r.logBytes);
  const blindLog = sum(blind, (r) => r.logBytes);
  if (seen.length === 0) {
    return `measured windows wrote ${formatBytes(blindLog)} of log; the data volume's write counter saw ${formatBytes(sum(blind, (r) => r.deviceWriteBytes))}, less than the log alone: it does not see a RAM disk's writes (they reach no block device)`;
  }
  const seenPart = log <= written
    ? `measured windows wrote ${formatBytes(written)} to the data volume${blind.length > 0 ? 's whose counters see them' : ''}, ${formatBytes(log)} of it log`
    : `measured windows wrote ${formatBytes(log)} of log to throttled disks, whose devices had written ${formatBytes(written)} by the windows' ends (a throttled device writes behind the page cache)`;
  if (blind.length === 0) return seenPart;
  return `${seenPart}, and ${formatBytes(blindLog)} of log to volumes whose counters do not see them (a RAM disk's writes reach no block device)`;
}
