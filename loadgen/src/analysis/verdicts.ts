// A series' one verdict on what limited the server (issue 21): from direct evidence where the
// thread-state sampler measured it, ranked — a lock the workers were measured waiting on, one
// thread on a CPU all the window, the disk at its limit or the threads in disk waits, the CPUs
// the server could use busy (every process counted) — and from the shape of the curve only
// where there are no thread samples, saying so. Never two verdicts for one series.
import type { Series } from './analyze.js';
import type { Cell } from './cells.js';
import type { Finding } from './findings.js';
import { formatMBps, formatNumber, formatPercent } from './format.js';
import type { ThreadEvidence } from './thread-evidence.js';

const DISK_BOUND_RATIO = 0.9;
const CPU_BOUND_RATIO = 0.9;
const LOCK_BOUND_SPEEDUP = 1.25;
/** one thread on a CPU at least this share of the window */
export const SINGLE_THREAD_SHARE = 0.9;
/** mean waiters on one futex, as a share of the worker threads (at least 2 threads) */
const ONE_LOCK_WAITERS_SHARE = 0.5;
/** mean threads in any futex wait, as a share of the worker threads, when the curve agrees (no one address: e.g. each waiter on its own condition variable) */
const LOCK_WAITERS_SHARE = 0.75;
/** the server's own share of the busy CPUs that makes busy CPUs outrank its lock waits */
const SERVER_SHARE_OF_BUSY = 0.5;
/** mean threads in disk waits (D state, fsync, journal) as a share of the worker threads */
const DISK_WAITERS_SHARE = 0.5;

type Base = Pick<Finding, 'series' | 'seriesKey'>;

function bestSpeedupOf(series: Series): number {
  const values = series.cells.map((c) => c.speedup?.mean).filter((v): v is number => v !== undefined);
  return values.length > 0 ? Math.max(...values) : NaN;
}

/** The first cell (by threads) whose ratio reaches the threshold, and the largest ratio seen. */
function firstAtLeast(cells: readonly Cell[], ratioOf: (c: Cell) => number | null, threshold: number): { cell: Cell; ratio: number; max: number } | null {
  let first: { cell: Cell; ratio: number } | null = null;
  let max = -Infinity;
  for (const cell of cells) {
    const ratio = ratioOf(cell);
    if (ratio === null || !Number.isFinite(ratio)) continue;
    max = Math.max(max, ratio);
    if (!first && ratio >= threshold) first = { cell, ratio };
  }
  return first ? { ...first, max } : null;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
/** '; best speedup 1.2×', or nothing without a 1-thread point to compare with */
const bestWords = (best: number) => (Number.isFinite(best) ? `; best speedup ${formatNumber(best)}×` : '');

function threadName(b: NonNullable<ThreadEvidence['busiest']>): string {
  if (b.role === 'main') return `the main thread (${b.name}, tid ${b.tid}${b.networkShare > 0 ? ', the one that polls the sockets' : ''})`;
  if (b.role === 'dispatcher') return `the thread that accepts or polls the connections (${b.name}, tid ${b.tid})`;
  return `a worker thread (${b.name}, tid ${b.tid})`;
}

/** the CPUs' busy share: the machine's or the server cpuset's (every process counted); else, in older runs, the server's own CPU over its CPUs */
function cpuRatio(c: Cell): number | null {
  if (c.cpusBusy) return c.cpusBusy.busyCores / c.cpusBusy.cpus;
  return c.serverCpuCores !== null && c.serverCpus ? c.serverCpuCores / c.serverCpus : null;
}

/** of the busy CPUs, the share the server's own processes used (1 where only the server was counted) */
function serverShareOfBusy(c: Cell): number {
  if (!c.cpusBusy || c.serverCpuCores === null) return 1;
  return c.cpusBusy.busyCores > 0 ? c.serverCpuCores / c.cpusBusy.busyCores : 0;
}

/** the device's write rate over its profile's limit, where both are known */
function deviceRatio(c: Cell): number | null {
  return c.deviceWriteBps !== null && c.writeLimitBps ? c.deviceWriteBps / c.writeLimitBps : null;
}

/** 'from 1 thread on the device wrote 10.9 MB/s, 109% of the profile's 10 MB/s limit (at most 113%)' */
function deviceAtLimitWords(d: { cell: Cell; ratio: number; max: number }): string {
  return `from ${plural(d.cell.threads, 'thread')} on the device wrote ${formatMBps(d.cell.deviceWriteBps)}, ${formatPercent(d.ratio)} of the profile's ${formatMBps(d.cell.writeLimitBps)} limit (at most ${formatPercent(d.max)})`;
}

function cpuWords(c: Cell, ratio: number): string {
  const server = `the server used ${formatNumber(c.serverCpuCores)} cores, the load generator ${formatNumber(c.loadgenCpuCores)}`;
  if (!c.cpusBusy) return `the server used ${formatNumber(c.serverCpuCores)} of its ${formatNumber(c.serverCpus)} CPUs (${formatPercent(ratio)})`;
  const where = c.cpusBusy.scope === 'machine' ? `the machine's ${plural(c.cpusBusy.cpus, 'CPU')}` : `the server's cpuset of ${plural(c.cpusBusy.cpus, 'CPU')}`;
  return `${where} ${c.cpusBusy.cpus === 1 ? 'was' : 'were'} ${formatPercent(ratio)} busy (${formatNumber(c.cpusBusy.busyCores)} cores, every process counted; ${server})`;
}

/** the step to this cell from the one with the next fewer threads still gained LOCK_BOUND_SPEEDUP× or more */
function stillRising(series: Series, c: Cell): boolean {
  const below = series.cells.filter((x) => x.ok > 0 && x.threads < c.threads && x.requestsPerS).pop();
  if (!below || !c.requestsPerS || !below.requestsPerS) return false;
  return c.requestsPerS.mean / below.requestsPerS.mean >= LOCK_BOUND_SPEEDUP;
}

/** the cell the evidence is read at: the most threads with thread samples */
function judgedCell(cells: readonly Cell[]): Cell | undefined {
  return cells.filter((c) => c.threadEvidence !== null).sort((a, b) => b.threads - a.threads)[0];
}

export function serverVerdict(series: Series, base: Base): Finding {
  const measured = series.cells.filter((c) => c.ok > 0);
  const best = bestSpeedupOf(series);
  const judged = judgedCell(measured);
  if (judged) {
    const found = fromEvidence(series, judged, best, base);
    if (found) return { ...found, evidence: 'measured' };
  }
  if (judged && stillRising(series, judged)) return scalesWithNote(series, judged, best, base);
  const inferred = fromCurve(series, measured, best, base);
  if (judged && inferred.kind === 'lock-bound') return unexplained(series, judged, best, base);
  if (judged) return { ...inferred, evidence: 'measured' };
  const why = measured.map((c) => c.noThreadEvidence).find((w) => w !== null);
  const note = ` (inferred from the throughput curve and CPU totals: no thread samples — ${why ?? 'the run was made without the thread-state sampler'})`;
  return { ...inferred, text: inferred.text.replace(/\.$/, `${note}.`), evidence: 'inferred' };
}

function fromEvidence(series: Series, c: Cell, best: number, base: Base): Finding | null {
  const ev = c.threadEvidence!;
  const workers = c.threads;
  const cpu = cpuRatio(c);
  const cpuText = cpu !== null ? `; ${cpuWords(c, cpu)}` : '';
  const at = `at ${plural(c.threads, 'thread')}`;
  const numbers = { threads: c.threads, bestSpeedup: best, lockWaiters: ev.classes.lock, diskWaiters: ev.classes.disk, onCpu: ev.classes.onCpu, cpuWait: ev.classes.cpuWait };

  // with the CPUs it could use busy with its own work, no change to its locks could give the server
  // more: threads waiting on a futex then wait for what the CPU cannot do sooner (often idle workers
  // on their queue). CPUs busy with other work (another program beside it) do not count here.
  const cpusFull = cpu !== null && cpu >= CPU_BOUND_RATIO && serverShareOfBusy(c) >= SERVER_SHARE_OF_BUSY;
  const oneLock = ev.hottestFutex;
  const oneLockBound = oneLock !== null && oneLock.meanWaiters >= Math.max(2, ONE_LOCK_WAITERS_SHARE * workers);
  const manyLocksBound = workers >= 2 && ev.classes.lock >= LOCK_WAITERS_SHARE * workers && best < LOCK_BOUND_SPEEDUP;
  if ((oneLockBound || manyLocksBound) && !cpusFull) {
    const onOne = oneLock ? `${formatNumber(oneLock.meanWaiters)} on one futex (${oneLock.address}, ${plural(oneLock.threads, 'thread')} waited there)` : 'none on a shared address';
    const text = oneLockBound
      ? `${series.name}: lock-bound — ${at}, ${formatNumber(oneLock.meanWaiters)} threads (the server runs ${workers} workers) waited on one futex (${oneLock.address}) on average; ${formatNumber(ev.classes.onCpu)} cores on a CPU${cpuText}${bestWords(best)}.`
      : `${series.name}: lock-bound — ${at}, ${formatNumber(ev.classes.lock)} threads (the server runs ${workers} workers) were in futex (lock) waits on average, ${onOne}${bestWords(best)}${cpuText}.`;
    return { ...base, kind: 'lock-bound', level: 'warn', text, numbers: { ...numbers, ...(oneLock && { oneLockWaiters: oneLock.meanWaiters }) } };
  }

  if (ev.busiest && ev.busiest.cpuShare >= SINGLE_THREAD_SHARE) {
    return {
      ...base, kind: 'single-thread-bound', level: 'warn',
      text: `${series.name}: single-thread-bound — ${at}, ${threadName(ev.busiest)} was on a CPU ${formatPercent(ev.busiest.cpuShare)} of the window, so more threads elsewhere cannot help${bestWords(best)}${cpuText}.`,
      numbers: { ...numbers, busiestCpuShare: ev.busiest.cpuShare },
    };
  }

  // a device at its limit cannot give more threads anything, however a curve of a few requests per
  // window looks: the disk is judged from the first thread count that reached it, before the curve
  const atLimit = firstAtLeast(series.cells.filter((x) => x.ok > 0), deviceRatio, DISK_BOUND_RATIO);
  if (atLimit) {
    return {
      ...base, kind: 'disk-bound', level: 'warn',
      text: `${series.name}: disk-bound — ${deviceAtLimitWords(atLimit)}; ${at}, ${formatNumber(ev.classes.disk)} threads on average waited on the disk (D state, fsync, journal commits)${bestWords(best)}.`,
      numbers: { ...numbers, fromThreads: atLimit.cell.threads, writeBps: atLimit.cell.deviceWriteBps ?? NaN, limitBps: atLimit.cell.writeLimitBps ?? NaN, ratio: atLimit.ratio, maxRatio: atLimit.max },
    };
  }

  // the disk's waits and the CPUs limit a series only where its curve stopped rising; before, it scales
  if (stillRising(series, c)) return null;
  const device = deviceRatio(c);
  if (ev.classes.disk >= Math.max(0.5, DISK_WAITERS_SHARE * workers)) {
    const rate = device !== null ? `; the device wrote ${formatMBps(c.deviceWriteBps)}, ${formatPercent(device)} of the profile's ${formatMBps(c.writeLimitBps)} limit` : '';
    return {
      ...base, kind: 'disk-bound', level: 'warn',
      text: `${series.name}: disk-bound — ${at}, ${formatNumber(ev.classes.disk)} threads on average waited on the disk (D state, fsync, journal commits)${rate}${bestWords(best)}.`,
      numbers: { ...numbers, ...(device !== null && { writeBps: c.deviceWriteBps ?? NaN, limitBps: c.writeLimitBps ?? NaN, ratio: device }) },
    };
  }

  if (cpu !== null && cpu >= CPU_BOUND_RATIO) {
    return {
      ...base, kind: 'cpu-bound', level: 'warn',
      text: `${series.name}: CPU-bound — ${at}, ${cpuWords(c, cpu)}; the server's threads were on a CPU ${formatNumber(ev.classes.onCpu)} and waited for one ${formatNumber(ev.classes.cpuWait)} on average${bestWords(best)}.`,
      numbers: { ...numbers, ratio: cpu },
    };
  }
  return null;
}

/** still rising at its most threads: it scales; the CPUs' state there said beside it */
function scalesWithNote(series: Series, c: Cell, best: number, base: Base): Finding {
  const cpu = cpuRatio(c);
  const note = cpu !== null ? `; at ${plural(c.threads, 'thread')} ${cpuWords(c, cpu)}` : '';
  return {
    ...base, kind: 'scales', level: 'info', evidence: 'measured',
    text: `${series.name}: scales${Number.isFinite(best) ? ` to ${formatNumber(best)}×` : ''}, still rising at ${plural(c.threads, 'thread')}${note}${uslPeakWords(series)}.`,
    numbers: { bestSpeedup: best, threads: c.threads, ...(cpu !== null && { cpuRatio: cpu }) },
  };
}

/** the curve says threads did not help, and the samples show none of the causes above: say where the threads were */
function unexplained(series: Series, c: Cell, best: number, base: Base): Finding {
  const ev = c.threadEvidence!;
  const cpu = cpuRatio(c);
  const k = ev.classes;
  return {
    ...base, kind: 'unexplained', level: 'warn', evidence: 'measured',
    text: `${series.name}: threads did not help${Number.isFinite(best) ? ` (best speedup ${formatNumber(best)}×)` : ''}, and at ${plural(c.threads, 'thread')} the samples show no lock the workers waited on, no thread on a CPU all the window and no disk waits${cpu !== null ? `; ${cpuWords(c, cpu)}` : ''}; the threads were on a CPU ${formatNumber(k.onCpu)}, waiting for one ${formatNumber(k.cpuWait)}, on the network or idle ${formatNumber(k.network)}, elsewhere ${formatNumber(k.other)} on average.`,
    numbers: { threads: c.threads, bestSpeedup: best, onCpu: k.onCpu, cpuWait: k.cpuWait, network: k.network, other: k.other },
  };
}

/** today's inference from the curve and the totals: the device rate, the CPU share, the best speedup */
function fromCurve(series: Series, measured: readonly Cell[], best: number, base: Base): Finding {
  const disk = firstAtLeast(measured, deviceRatio, DISK_BOUND_RATIO);
  if (disk) {
    return {
      ...base, kind: 'disk-bound', level: 'warn',
      text: `${series.name}: disk-bound — ${deviceAtLimitWords(disk)}; best speedup ${formatNumber(best)}×.`,
      numbers: { bestSpeedup: best, threads: disk.cell.threads, writeBps: disk.cell.deviceWriteBps ?? NaN, limitBps: disk.cell.writeLimitBps ?? NaN, ratio: disk.ratio, maxRatio: disk.max },
    };
  }
  const cpu = firstAtLeast(measured, cpuRatio, CPU_BOUND_RATIO);
  if (cpu) {
    return {
      ...base, kind: 'cpu-bound', level: 'warn',
      text: `${series.name}: CPU-bound — from ${plural(cpu.cell.threads, 'thread')} on ${cpuWords(cpu.cell, cpu.ratio)} (at most ${formatPercent(cpu.max)}); best speedup ${formatNumber(best)}×.`,
      numbers: { bestSpeedup: best, threads: cpu.cell.threads, serverCpuCores: cpu.cell.serverCpuCores ?? NaN, serverCpus: cpu.cell.serverCpus ?? NaN, ratio: cpu.ratio, maxRatio: cpu.max },
    };
  }
  const withSpeedup = measured.filter((c) => c.speedup !== null);
  if (new Set(withSpeedup.map((c) => c.threads)).size < 2) {
    const why = series.baselineRps === null ? 'it has no successful 1-thread point to compare with' : 'only one thread count was measured';
    return { ...base, kind: 'not-enough-data', level: 'info', text: `${series.name}: speedup cannot be judged — ${why}.`, numbers: { threadCounts: new Set(measured.map((c) => c.threads)).size } };
  }
  const top = withSpeedup.reduce((a, b) => (b.speedup!.mean > a.speedup!.mean ? b : a));
  const numbers = { bestSpeedup: best, threads: top.threads, maxThreads: Math.max(...withSpeedup.map((c) => c.threads)) };
  if (best < LOCK_BOUND_SPEEDUP) {
    return {
      ...base, kind: 'lock-bound', level: 'warn',
      text: `${series.name}: lock-bound — the best speedup is ${formatNumber(best)}× (at ${top.threads} threads, up to ${numbers.maxThreads} measured), under ${LOCK_BOUND_SPEEDUP}×, while neither the disk nor the CPU was near its limit.`,
      numbers,
    };
  }
  return { ...base, kind: 'scales', level: 'info', text: `${series.name}: scales to ${formatNumber(best)}× at ${top.threads} threads${uslPeakWords(series)}.`, numbers };
}

function uslPeakWords(series: Series): string {
  if (!series.usl.ok) return '';
  const fit = series.usl.fit;
  if (fit.peakN !== null) return `; the USL fit (R² ${formatNumber(fit.r2)}) predicts a peak of ${formatNumber(fit.peakX)} requests/s at ${formatNumber(fit.peakN)} threads`;
  if (fit.limitX !== null) return `; the USL fit (R² ${formatNumber(fit.r2)}) approaches ${formatNumber(fit.limitX)} requests/s without a peak`;
  return `; the USL fit (R² ${formatNumber(fit.r2)}) shows no limit`;
}
