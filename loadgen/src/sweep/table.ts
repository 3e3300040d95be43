// The terminal table after a sweep: throughput and speedup per series.
import { groupBy, okPoints, seriesKey } from '../analysis/group.js';
import { cellKey } from '../results/identity.js';
import { isNoisy, mean, stat } from '../analysis/stats.js';
import { seriesText } from '../experiment/describe.js';
import type { Experiment } from '../experiment/experiment.js';
import { formatBytes } from '../experiment/units.js';
import type { PointRecord } from '../results/record.js';
import { volumeCounterBlind } from '../analysis/cells.js';
import { SINGLE_THREAD_SHARE } from '../analysis/verdicts.js';

function pad(cols: string[], widths: number[]): string {
  return cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
}

export function resultsTable(exp: Experiment, records: PointRecord[]): string {
  const head = ['threads', 'req/s', 'speedup', 'MB/s', 'p50 µs', 'p99 µs', 'server CPU', 'loadgen CPU', 'where', 'notes'];
  const widths = [7, 10, 7, 9, 8, 9, 10, 11, 14, 0];
  const lines: string[] = [];
  for (const recs of groupBy(records, (r) => seriesKey(r.params)).values()) {
    lines.push('', seriesText(exp, recs[0]!.params), pad(head, widths));
    const cells = [...groupBy(recs, (r) => cellKey(r.params)).values()].sort((a, b) => a[0]!.params.threads - b[0]!.params.threads);
    const base = cells.find((c) => c[0]!.params.threads === 1);
    const baseRps = base ? mean(okPoints(base).map((r) => r.requestsPerS)) : NaN;
    for (const cell of cells) {
      const good = okPoints(cell);
      const m = (f: (r: PointRecord) => number) => mean(good.map(f));
      const reqs = m((r) => r.requestsPerS);
      const notes: string[] = [];
      const failed = cell.length - good.length;
      if (failed > 0) notes.push(`FAILED ${failed}/${cell.length}: ${cell.find((r) => r.outcome === 'failed')!.failure ?? ''}`.slice(0, 90));
      if (cell.some((r) => r.loadgenBound)) notes.push('LOADGEN-BOUND (not trusted)');
      const spread = stat(good.map((r) => r.requestsPerS));
      if (isNoisy(spread)) notes.push(`noisy (cv ${(spread.cv * 100).toFixed(0)}%)`);
      const num = (x: number, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : '-');
      lines.push(pad([
        String(cell[0]!.params.threads),
        num(reqs),
        Number.isFinite(baseRps) ? num(reqs / baseRps, 2) : '-',
        num(m((r) => r.bytesPerS) / 1e6, 1),
        num(m((r) => r.latencyUs.p50)),
        num(m((r) => r.latencyUs.p99)),
        num(m((r) => r.serverCpuCores), 2),
        num(m((r) => r.loadgenCpuCores), 2),
        whereWords(good),
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
