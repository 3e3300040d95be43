// summary.csv: one row per cell (params without repetition), speedup vs the series' 1-thread cell.
import type { Analysis } from '../analysis/analyze.js';
import type { Cell } from '../analysis/cells.js';

const COLUMNS = [
  'series', 'log', 'lock', 'log_write', 'sync', 'disk', 'file_size_bytes', 'mix', 'connections', 'threads',
  'repetitions_ok', 'repetitions_failed',
  'requests_per_s_mean', 'requests_per_s_stddev', 'requests_per_s_cv',
  'bytes_per_s_mean', 'bytes_per_s_stddev',
  'latency_p50_us', 'latency_p99_us',
  'server_cpu_cores', 'server_cpus', 'loadgen_cpu_cores', 'loadgen_bound',
  'device_write_bytes_per_s', 'disk_write_limit_bytes_per_s', 'device_write_fraction_of_limit',
  'errors', 'verification_mismatches',
  'speedup', 'speedup_stddev',
  // the thread samples and the CPUs the server could use (issue 21); empty where not measured
  'cpus_busy_cores', 'cpus_counted', 'cpus_scope',
  'threads_on_cpu', 'threads_cpu_wait', 'threads_lock', 'threads_disk', 'threads_network_idle', 'threads_other',
  'hottest_futex_waiters', 'busiest_thread', 'busiest_thread_cpu_share',
] as const;

export function summaryCsv(analysis: Analysis): string {
  const rows: string[] = [COLUMNS.join(',')];
  for (const series of analysis.series) {
    for (const cell of series.cells) rows.push(row(series.name, cell).map(csvField).join(','));
  }
  return `${rows.join('\n')}\n`;
}

function row(name: string, c: Cell): Array<string | number | boolean | null | undefined> {
  const p = c.params;
  const ev = c.threadEvidence;
  return [
    name, p.log, p.lock, p.logWrite, p.sync, p.disk, p.fileSize, p.mix, p.connections, c.threads,
    c.ok, c.failed,
    c.requestsPerS?.mean, c.requestsPerS?.sd, c.requestsPerS?.cv,
    c.bytesPerS?.mean, c.bytesPerS?.sd,
    c.p50Us, c.p99Us,
    c.serverCpuCores, c.serverCpus, c.loadgenCpuCores, c.loadgenBound,
    c.deviceWriteBps, c.writeLimitBps,
    c.deviceWriteBps !== null && c.writeLimitBps ? c.deviceWriteBps / c.writeLimitBps : null,
    c.errors, c.verificationMismatches,
    c.speedup?.mean, c.speedup?.sd,
    c.cpusBusy?.busyCores, c.cpusBusy?.cpus, c.cpusBusy?.scope,
    ev?.classes.onCpu, ev?.classes.cpuWait, ev?.classes.lock, ev?.classes.disk, ev?.classes.network, ev?.classes.other,
    ev ? (ev.hottestFutex?.meanWaiters ?? 0) : null, ev?.busiest ? `${ev.busiest.name} (${ev.busiest.role} tid ${ev.busiest.tid})` : null, ev?.busiest?.cpuShare,
  ];
}

export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(Number(value.toPrecision(10))) : '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
