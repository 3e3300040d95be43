// The report's text sections: findings, USL fits, environment, and the table of every point.
import { settingsText } from '../results/client-settings.js';
import type { Analysis } from '../analysis/analyze.js';
import { deviceWriteBps, errorCount } from '../analysis/cells.js';
import { LOADGEN_CEILING_SHARE_WORDS } from '../analysis/loadgen.js';
import { NETWORK_BOUND_SHARE } from '../analysis/network.js';
import type { Finding } from '../analysis/findings.js';
import { formatMBps, formatMicros, formatNumber, formatPercent, formatSize } from '../analysis/format.js';
import { seriesKey } from '../analysis/group.js';
import type { PointRecord, RunInfo } from '../results/record.js';
import { codeWords, recordedCode } from './code-version.js';
import { escapeHtml, table } from './html.js';

export function findingsList(findings: readonly Finding[]): string {
  if (findings.length === 0) return '<p>Nothing stands out: no series is bound by its disk, CPU or locks, and no result is in doubt.</p>';
  const items = findings.map((f) => {
    const cls = f.kind === 'expectation' ? (f.passed ? 'ok' : 'bad') : f.level === 'info' ? '' : f.level;
    const numbers = Object.entries(f.numbers)
      .map(([k, v]) => `${escapeHtml(k)}=${escapeHtml(formatNumber(v, 4))}`)
      .join(', ');
    return `<li class="${cls}" data-kind="${escapeHtml(f.kind)}">${escapeHtml(f.text)}${numbers ? ` <span class="numbers">(${numbers})</span>` : ''}</li>`;
  });
  return `<ul class="findings">\n${items.join('\n')}\n</ul>`;
}

export function warningsList(warnings: readonly string[]): string {
  if (warnings.length === 0) return '';
  return `<ul class="findings">${warnings.map((w) => `<li class="warn">${escapeHtml(w)}</li>`).join('')}</ul>`;
}

export function uslTable(analysis: Analysis): string {
  if (analysis.series.length === 0) return '<p>No series.</p>';
  const rows = analysis.series.map((s) => {
    if (!s.usl.ok) return [escapeHtml(s.name), `<span class="numbers">${escapeHtml(s.usl.reason)}</span>`, '', '', '', '', ''];
    const f = s.usl.fit;
    const peak = f.peakN !== null ? `${formatNumber(f.peakN)} threads` : f.limitX !== null ? 'none (levels off)' : 'none';
    const peakX = f.peakX !== null ? formatNumber(f.peakX) : f.limitX !== null ? `→ ${formatNumber(f.limitX)}` : '–';
    return [escapeHtml(s.name), num(formatNumber(f.sigma, 4)), num(formatNumber(f.kappa, 4)), num(formatNumber(f.lambda, 4)), num(escapeHtml(peak)), num(escapeHtml(peakX)), num(formatNumber(f.r2, 4))];
  });
  return table(['series', 'σ (contention)', 'κ (coherency)', 'λ (req/s at 1 thread)', 'predicted peak', 'peak requests/s', 'R²'], rows);
}

function num(html: string): string {
  return `<span class="num">${html}</span>`;
}

export function environmentSection(info: RunInfo | null): string {
  if (!info) return '<p class="warn">run.json is missing: the environment of this run is unknown.</p>';
  return `${table(['', ''], environmentRows(info))}\n${enginesTable(info)}${calibrationTable(info)}\n${ceilingTable(info)}\n${experimentDetails(info)}`;
}

export function environmentRows(info: RunInfo): string[][] {
  const h: Partial<RunInfo['host']> = info.host ?? {};
  const rows: Array<[string, string | number | boolean | null | undefined]> = [
    ['run', info.name],
    ['started', info.startedAt],
    ['finished', info.finishedAt ?? '–'],
    ['runtime', info.runtime],
    ['host', h.hostname],
    ['kernel', h.kernel],
    ['cgroup version', h.cgroupVersion],
    ['CPUs', h.cpus !== undefined ? `${h.cpus} × ${h.cpuModel ?? 'unknown model'}` : undefined],
    ['memory', h.memBytes !== undefined ? formatSize(h.memBytes) : undefined],
    ['server cpuset', h.serverCpuset],
    ['loadgen cpuset', h.loadgenCpuset],
    ['Docker', h.dockerVersion ?? 'not used'],
    ['engine', info.engine ? `${info.engine.url} (${info.engine.why}); ${info.engine.os}/${info.engine.arch}, cgroup v${info.engine.cgroupVersion} (${info.engine.cgroupDriver || 'driver unknown'})${info.engine.rootless ? ', rootless' : ''}` : undefined],
    ['Node.js', h.node],
    ['tools', info.tools ? Object.entries(info.tools).map(([k, v]) => `${k} ${v}`).join(', ') : undefined],
    ['code', codeWords(recordedCode(info))],
    ['client settings', clientWords(info.client)],
  ];
  return rows.map(([k, v]) => [escapeHtml(k), escapeHtml(v === undefined || v === null || v === '' ? '–' : v)]);
}

/** what the lab's clients did, and where each auto setting came from */
function clientWords(c: RunInfo['client']): string | undefined {
  if (!c) return undefined;
  const from = c.checkS > 0 ? (c.learned.length ? `; check set ${c.learned.join(', ')} (${c.checkS} s)` : `; check found the lab's defaults suit the server (${c.checkS} s)`) : '';
  return `${settingsText(c.settings)}${from}`;
}

/** two engines: each side, the path between them and the link measured once */
function enginesTable(info: RunInfo): string {
  const e = info.engines;
  if (!e) return '';
  const side = (role: string, s: typeof e.server) => [
    escapeHtml(role), escapeHtml(s.name), escapeHtml(s.url), escapeHtml(s.version), escapeHtml(s.hostname), num(formatNumber(s.cpus)), escapeHtml(s.cpuset),
  ];
  const link = e.link
    ? `${formatMBps(e.link.down.bytesPerS)} server → load generator, ${formatMBps(e.link.up.bytesPerS)} back (${e.link.down.streams} streams, ${formatNumber(e.link.down.seconds)} s each way); a point above ${formatPercent(NETWORK_BOUND_SHARE)} of it is flagged network-bound.`
    : 'not measured.';
  return `<h3>Two engines</h3>
<p id="engines">The server ran on one Docker engine and the load generator on another${e.sameHost ? ' (one machine: both engines report the same host name, so the cpusets are disjoint)' : ''}. The load generator reached the server at ${escapeHtml(e.address)}:${e.port} (the server listened on ${escapeHtml(e.bind)}; the path's peer on port ${e.peerPort}). Link: ${escapeHtml(link)}</p>
${table(['side', 'engine', 'address', 'Docker', 'host', 'CPUs', 'cpuset'], [side('server', e.server), side('load generator', e.loadgen)])}
`;
}

function ceilingTable(info: RunInfo): string {
  const ceilings = Array.isArray(info.loadgenCeilings) ? info.loadgenCeilings : [];
  if (ceilings.length === 0) return '<p>Load generator ceiling: not measured in this run (only its CPU use flags loadgen-bound points).</p>';
  const rows = ceilings.map((c) => [
    escapeHtml(c.engine),
    num(formatNumber(c.connections)),
    num(`${formatNumber(c.requestsPerS)} req/s`),
    num(c.measuredPerS === undefined ? '–' : `${formatNumber(c.measuredPerS)} req/s`),
    num(`${formatNumber(c.cpuCores)} cores`),
    num(`${formatNumber(c.windowS)} s`),
  ]);
  return `<p>Load generator ceiling: what each engine can drive, from its requests per CPU-second against a trivial responder on the load generator's CPUs, times the cores it can use. A point above ${LOADGEN_CEILING_SHARE_WORDS} of it is flagged loadgen-bound.</p>\n${table(['engine', 'connections', 'ceiling', 'reached against the responder', 'engine CPU', 'window'], rows)}`;
}

function calibrationTable(info: RunInfo): string {
  const calibration = Array.isArray(info.calibration) ? info.calibration : [];
  if (calibration.length === 0) return '<p>Disk calibration: none recorded for this run.</p>';
  const mibps = (v: number | undefined) => num(v === undefined ? '–' : `${formatNumber(v)} MiB/s`);
  const rows = calibration.map((c) => [
    escapeHtml(c.disk),
    mibps(c.directWriteMiBps),
    mibps(c.bufferedWriteMiBps),
    mibps(c.fsyncWriteMiBps),
    mibps(c.readMiBps),
    mibps(c.directReadMiBps),
    escapeHtml(limitsText(c.limits)),
    escapeHtml(c.warnings?.join(' ') ?? ''),
  ]);
  const version = info.engine?.cgroupVersion ?? info.host?.cgroupVersion;
  return `<h3>Disk calibration${version ? ` (cgroup v${version})` : ''}</h3>\n${table(['disk', 'direct write', 'buffered write', 'buffered + fsync write', 'cold buffered read', 'direct read', 'configured limits', "engine's warnings"], rows)}`;
}

function limitsText(limits: PointRecord['diskLimits']): string {
  if (!limits) return 'none';
  const parts: string[] = [];
  if (limits.writeBps !== undefined) parts.push(`write ${formatMBps(limits.writeBps)}`);
  if (limits.readBps !== undefined) parts.push(`read ${formatMBps(limits.readBps)}`);
  if (limits.writeIops !== undefined) parts.push(`write ${limits.writeIops} IOPS`);
  if (limits.readIops !== undefined) parts.push(`read ${limits.readIops} IOPS`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

function experimentDetails(info: RunInfo): string {
  if (info.experiment === undefined) return '';
  return `<details><summary>The resolved experiment</summary><pre>${escapeHtml(JSON.stringify(info.experiment, null, 2))}</pre></details>`;
}

/**
 * Every point, in series order, failed ones highlighted with their reason. cgroupVersion is shown
 * beside each disk result: on v2 buffered writeback is throttled and counted, on v1 it is not
 */
export function pointsTable(analysis: Analysis, cgroupVersion?: 1 | 2): string {
  if (analysis.points.length === 0) return '<p>No point was measured.</p>';
  const order = new Map(analysis.series.map((s, i) => [s.key, i]));
  const names = new Map(analysis.series.map((s) => [s.key, s.name]));
  const sorted = [...analysis.points].sort((a, b) => {
    const ka = order.get(seriesKey(a.params)) ?? 0;
    const kb = order.get(seriesKey(b.params)) ?? 0;
    return ka - kb || a.params.threads - b.params.threads || a.params.repetition - b.params.repetition;
  });
  const network = analysis.points.some((p) => p.network);
  const rows = sorted.map((p) => pointRow(p, names.get(seriesKey(p.params)) ?? '', network, cgroupVersion));
  const head = ['series', 'threads', 'rep.', 'outcome', 'requests/s', 'MB/s', 'p50', 'p99', 'server CPU', 'loadgen CPU', ...(network ? ['RTT p50', 'link share'] : []), 'device writes', 'errors', 'verified', 'note'];
  const lastNum = network ? 13 : 11;
  const body = rows.map((r) => `<tr class="${r.cls}">${r.cells.map((c, i) => `<td${i >= 1 && i <= 2 || i >= 4 && i <= lastNum ? ' class="num"' : ''}>${c}</td>`).join('')}</tr>`).join('\n');
  return `<div class="points-wrap"><table id="points"><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

function pointRow(p: PointRecord, series: string, network: boolean, cgroupVersion: 1 | 2 | undefined): { cls: string; cells: string[] } {
  const ok = p.outcome === 'ok';
  const write = deviceWriteBps(p);
  const limit = p.diskLimits?.writeBps;
  const beside = [limit && write !== null ? formatPercent(write / limit) : '', cgroupVersion ? `cgroup v${cgroupVersion}` : ''].filter(Boolean).join(', ');
  const writeText = write === null ? '–' : `${formatMBps(write)}${beside ? ` (${beside})` : ''}`;
  const cpu = Number.isFinite(p.serverCpuCores) ? `${formatNumber(p.serverCpuCores)} / ${formatNumber(p.serverCpus)}` : '–';
  const notes: string[] = [];
  if (p.failure) notes.push(p.failure);
  if (p.loadgenBound) notes.push('loadgen-bound: not trusted');
  if (p.networkBound) notes.push('network-bound: not trusted');
  if (p.unthrottled) notes.push(`${p.unthrottled} (run with --allow-unthrottled): its disk numbers are not the profile's`);
  if (p.verification.detail) notes.push(p.verification.detail);
  return {
    cls: [ok ? '' : 'failed', p.unthrottled ? 'unthrottled' : ''].filter(Boolean).join(' '),
    cells: [
      escapeHtml(series),
      String(p.params.threads),
      String(p.params.repetition),
      ok ? 'ok' : '<span class="bad">failed</span>',
      escapeHtml(formatNumber(p.requestsPerS, 4)),
      escapeHtml(formatNumber(p.bytesPerS / 1e6, 4)),
      escapeHtml(formatMicros(p.latencyUs.p50)),
      escapeHtml(formatMicros(p.latencyUs.p99)),
      escapeHtml(cpu),
      escapeHtml(formatNumber(p.loadgenCpuCores)),
      ...(network ? [
        escapeHtml(p.network ? formatMicros(p.network.rttUs.p50) : '–'),
        escapeHtml(p.network?.linkShare !== undefined ? formatPercent(p.network.linkShare) : '–'),
      ] : []),
      escapeHtml(writeText),
      String(errorCount(p)),
      escapeHtml(`${p.verification.checked - p.verification.mismatches}/${p.verification.checked}`),
      escapeHtml(notes.join('; ')),
    ],
  };
}
