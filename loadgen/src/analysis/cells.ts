// One cell per params-without-repetition: the mean, spread and derived rates of its repetitions.
import type { PointRecord } from '../results/record.js';
import { cellKey, type CellParams } from '../results/identity.js';
import { groupBy, okPoints, seriesKey } from './group.js';
import { meanOrNull, stat, type Stat } from './stats.js';
import { cpusBusy, threadEvidence, whyNoThreadEvidence, type CpusBusy, type ThreadEvidence } from './thread-evidence.js';

export interface Cell {
  key: string;
  seriesKey: string;
  params: CellParams;
  threads: number;
  /** its repetitions as recorded, the failed ones too */
  points: PointRecord[];
  /** repetitions measured and verified */
  ok: number;
  failed: number;
  failures: string[];
  requestsPerS: Stat | null;
  bytesPerS: Stat | null;
  p50Us: number | null;
  p99Us: number | null;
  serverCpuCores: number | null;
  serverCpus: number | null;
  loadgenCpuCores: number | null;
  /** device write rate, bytes/s */
  deviceWriteBps: number | null;
  /** the disk profile's write limit, bytes/s, when throttled */
  writeLimitBps: number | null;
  /** connection errors + timeouts + 4xx/5xx responses, summed over repetitions */
  errors: number;
  loadgenBound: boolean;
  /** the highest share of the engine's ceiling among the cell's points, where measured */
  loadgenCeilingShare: number | null;
  /** two engines: a point moved more than NETWORK_BOUND_SHARE of what the link carries */
  networkBound: boolean;
  /** two engines: the highest share of the link among the cell's points */
  linkShare: number | null;
  /** two engines: the median round trip before the cell's points, mean over them, microseconds */
  rttUs: number | null;
  verificationMismatches: number;
  /** requests/s relative to the mean of the series' 1-thread cell, per repetition */
  speedup: Stat | null;
  /** where the server's threads were (the sampler), or null: then `noThreadEvidence` says why, when a point said */
  threadEvidence: ThreadEvidence | null;
  noThreadEvidence: string | null;
  /** the CPUs the server could use, busy, every process counted (absent in older runs) */
  cpusBusy: CpusBusy | null;
}

export function errorCount(p: PointRecord): number {
  let count = (Number.isFinite(p.errors) ? p.errors : 0) + (Number.isFinite(p.timeouts) ? p.timeouts : 0);
  for (const [code, n] of Object.entries(p.statusCounts)) {
    if (Number(code) >= 400 && Number.isFinite(n)) count += n;
  }
  return count;
}

/**
 * The volume's write counter did not see the volume: it saw fewer bytes than the log (which lives
 * there) grew by, on a disk that is not a throttled block device — a RAM disk's writes reach no
 * block device, and Docker's counters count block devices only. A throttled disk's counter sees
 * its loop device; below the log's growth it lags (the log's last pages wait in the page cache
 * for the throttled device), which is the disk being the bottleneck, not a blind counter.
 */
export function volumeCounterBlind(p: PointRecord): boolean {
  return p.diskLimits === undefined && Number.isFinite(p.logBytes) && p.logBytes > p.deviceWriteBytes;
}

/** the data volume's write rate, or null when unknown (its counter blind to it: volumeCounterBlind) */
export function deviceWriteBps(p: PointRecord): number | null {
  if (!Number.isFinite(p.deviceWriteBytes) || p.durationS <= 0 || volumeCounterBlind(p)) return null;
  return p.deviceWriteBytes / p.durationS;
}

export function buildCells(points: readonly PointRecord[]): Cell[] {
  const groups = groupBy(points, (p) => cellKey(p.params));
  const cells = [...groups.entries()].map(([key, group]) => aggregate(key, group));
  addSpeedups(cells, groups);
  return cells;
}

function aggregate(key: string, group: PointRecord[]): Cell {
  const first = group[0]!.params;
  const { repetition: _repetition, ...params } = first;
  const ok = okPoints(group);
  const limits = group.map((p) => p.diskLimits?.writeBps).filter((v): v is number => typeof v === 'number' && v > 0);
  return {
    key,
    seriesKey: seriesKey(first),
    params,
    threads: first.threads,
    points: group,
    ok: ok.length,
    failed: group.length - ok.length,
    failures: group.filter((p) => p.outcome !== 'ok').map((p) => p.failure ?? 'failed (no reason recorded)'),
    requestsPerS: stat(ok.map((p) => p.requestsPerS)),
    bytesPerS: stat(ok.map((p) => p.bytesPerS)),
    p50Us: meanOrNull(ok.map((p) => p.latencyUs.p50)),
    p99Us: meanOrNull(ok.map((p) => p.latencyUs.p99)),
    serverCpuCores: meanOrNull(ok.map((p) => p.serverCpuCores)),
    serverCpus: meanOrNull(ok.map((p) => p.serverCpus)),
    loadgenCpuCores: meanOrNull(ok.map((p) => p.loadgenCpuCores)),
    deviceWriteBps: meanOrNull(ok.map(deviceWriteBps)),
    writeLimitBps: limits.length > 0 ? Math.min(...limits) : null,
    errors: group.reduce((acc, p) => acc + errorCount(p), 0),
    loadgenBound: ok.some((p) => p.loadgenBound),
    loadgenCeilingShare: ok.some((p) => p.loadgenCeilingShare !== undefined) ? Math.max(...ok.map((p) => p.loadgenCeilingShare ?? 0)) : null,
    networkBound: ok.some((p) => p.networkBound === true),
    linkShare: ok.some((p) => p.network?.linkShare !== undefined) ? Math.max(...ok.map((p) => p.network?.linkShare ?? 0)) : null,
    rttUs: meanOrNull(ok.map((p) => p.network?.rttUs.p50)),
    verificationMismatches: group.reduce((acc, p) => acc + p.verification.mismatches, 0),
    speedup: null,
    threadEvidence: threadEvidence(ok),
    noThreadEvidence: whyNoThreadEvidence(ok),
    cpusBusy: cpusBusy(ok),
  };
}

function addSpeedups(cells: Cell[], groups: Map<string, PointRecord[]>): void {
  const baselines = new Map<string, number>();
  for (const cell of cells) {
    if (cell.threads === 1 && cell.requestsPerS && cell.requestsPerS.mean > 0) baselines.set(cell.seriesKey, cell.requestsPerS.mean);
  }
  for (const cell of cells) {
    const base = baselines.get(cell.seriesKey);
    if (base === undefined) continue;
    const ok = okPoints(groups.get(cell.key) ?? []);
    cell.speedup = stat(ok.map((p) => p.requestsPerS / base));
  }
}
