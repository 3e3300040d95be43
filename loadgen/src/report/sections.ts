// The report's text sections: findings, USL fits, environment, and the table of every point.
import { settingsText } from '../results/client-settings.js';
import type { Analysis } from '../analysis/analyze.js';
import { deviceWriteBps, errorCount } from '../analysis/cells.js';
import { LOADGEN_CEILING_SHARE_WORDS } from '../analysis/loadgen.js';
import { NETWORK_BOUND_SHARE } from '../analysis/network.js';
import { caveatWords, headline, type Finding, type Headline } from '../analysis/findings.js';
import { formatMBps, formatMicros, formatNumber, formatPercent, formatSize } from '../analysis/format.js';
import { seriesKey } from '../analysis/group.js';
import type { PointRecord, RunInfo } from '../results/record.js';
import { codeWords, recordedCode } from './code-version.js';
import { table } from './html.js';
import { html, joinHtml, type Html, type HtmlValue } from './html-template.js';

export function findingsList(findings: readonly Finding[]): Html {
  if (findings.length === 0) return html`<p>Nothing stands out: no series is bound by its disk, CPU or locks, and no result is in doubt.</p>`;
  const items = findings.map((f) => {
    const cls = findingClass(f);
    const numbers = Object.entries(f.numbers)
      .map(([k, v]) => `${k}=${formatNumber(v, 4)}`)
      .join(', ');
    return html`<li class="${cls}" data-kind="${f.kind}">${f.text}${numbers ? html` <span class="numbers">(${numbers})</span>` : ''}</li>`;
  });
  return html`<ul class="findings">\n${joinHtml(items, '\n')}\n</ul>`;
}

/** a finding's colour: an expectation's pass or fail, else its level */
function findingClass(f: Finding): string {
  if (f.kind === 'expectation') return f.passed ? 'ok' : 'bad';
  return f.level === 'info' ? '' : f.level;
}

/** The run's main result in its colour, and its caveats beside it. */
export function headlineHtml(h: Headline): Html {
  const cls = findingClass(h.main);
  const caveats = caveatWords(h.caveats);
  return html`${cls ? html`<span class="${cls}">${h.main.text}</span>` : h.main.text}${caveats ? html` <span class="warn">${caveats}</span>` : ''}`;
}

/** The report's headline above its findings; nothing without findings. */
export function headlineParagraph(findings: readonly Finding[]): Html {
  const h = headline(findings);
  return h ? html`<p class="headline"><strong>Headline:</strong> ${headlineHtml(h)}</p>\n` : html``;
}

export function warningsList(warnings: readonly string[]): Html {
  if (warnings.length === 0) return html``;
  return html`<ul class="findings">${warnings.map((w) => html`<li class="warn">${w}</li>`)}</ul>`;
}

export function uslTable(analysis: Analysis): Html {
  if (analysis.series.length === 0) return html`<p>No series.</p>`;
  const rows = analysis.series.map((s): HtmlValue[] => {
    if (!s.usl.ok) return [s.name, html`<span class="numbers">${s.usl.reason}</span>`, '', '', '', '', ''];
    const f = s.usl.fit;
    const peak = f.peakN !== null ? `${formatNumber(f.peakN)} threads` : f.limitX !== null ? 'none (levels off)' : 'none';
    const peakX = f.peakX !== null ? formatNumber(f.peakX) : f.limitX !== null ? `→ ${formatNumber(f.limitX)}` : '–';
    return [s.name, num(formatNumber(f.sigma, 4)), num(formatNumber(f.kappa, 4)), num(formatNumber(f.lambda, 4)), num(peak), num(peakX), num(formatNumber(f.r2, 4))];
  });
  return table(['series', 'σ (contention)', 'κ (coherency)', 'λ (req/s at 1 thread)', 'predicted peak', 'peak requests/s', 'R²'], rows);
}

function num(value: HtmlValue): Html {
  return html`<span class="num">${value}</span>`;
}

export function environmentSection(info: RunInfo | null): Html {
  if (!info) return html`<p class="warn">run.json is missing: the environment of this run is unknown.</p>`;
  return html`${table(['', ''], environmentRows(info))}\n${enginesTable(info)}${calibrationTable(info)}\n${ceilingTable(info)}\n${experimentDetails(info)}`;
}

/** the environment, one [name, value] a row, as text */
export function environmentRows(info: RunInfo): Array<[string, string]> {
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
  return rows.map(([k, v]) => [k, v === undefined || v === null || v === '' ? '–' : String(v)]);
}

/** what the lab's clients did, and where each auto setting came from */
function clientWords(c: RunInfo['client']): string | undefined {
  if (!c) return undefined;
  const from = c.checkS > 0 ? (c.learned.length ? `; check set ${c.learned.join(', ')} (${c.checkS} s)` : `; check found the lab's defaults suit the server (${c.checkS} s)`) : '';
  return `${settingsText(c.settings)}${from}`;
}

/** two engines: each side, the path between them and the link measured once */
function enginesTable(info: RunInfo): Html {
  const e = info.engines;
  if (!e) return html``;
  const side = (role: string, s: typeof e.server) => [
    role, s.name, s.url, s.version, s.hostname, num(formatNumber(s.cpus)), s.cpuset,
  ];
  const link = e.link
    ? `${formatMBps(e.link.down.bytesPerS)} server → load generator, ${formatMBps(e.link.up.bytesPerS)} back (${e.link.down.streams} streams, ${formatNumber(e.link.down.seconds)} s each way); a point above ${formatPercent(NETWORK_BOUND_SHARE)} of it is flagged network-bound.`
    : 'not measured.';
  return html`<h3>Two engines</h3>
<p id="engines">The server ran on one Docker engine and the load generator on another${e.sameHost ? ' (one machine: both engines report the same host name, so the cpusets are disjoint)' : ''}. The load generator reached the server at ${e.address}:${e.port} (the server listened on ${e.bind}; the path's peer on port ${e.peerPort}). Link: ${link}</p>
${table(['side', 'engine', 'address', 'Docker', 'host', 'CPUs', 'cpuset'], [side('server', e.server), side('load generator', e.loadgen)])}
`;
}

function ceilingTable(info: RunInfo): Html {
  const ceilings = Array.isArray(info.loadgenCeilings) ? info.loadgenCeilings : [];
  if (ceilings.length === 0) return html`<p>Load generator ceiling: not measured in this run (only its CPU use flags loadgen-bound points).</p>`;
  const rows = ceilings.map((c) => [
    c.engine,
    num(formatNumber(c.connections)),
    num(`${formatNumber(c.requestsPerS)} req/s`),
    num(c.measuredPerS === undefined ? '–' : `${formatNumber(c.measuredPerS)} req/s`),
    num(`${formatNumber(c.cpuCores)} cores`),
    num(`${formatNumber(c.windowS)} s`),
  ]);
  return html`<p>Load generator ceiling: what each engine can drive, from its requests per CPU-second against a trivial responder on the load generator's CPUs, times the cores it can use. A point above ${LOADGEN_CEILING_SHARE_WORDS} of it is flagged loadgen-bound.</p>\n${table(['engine', 'connections', 'ceiling', 'reached against the responder', 'engine CPU', 'window'], rows)}`;
}

function calibrationTable(info: RunInfo): Html {
  const calibration = Array.isArray(info.calibration) ? info.calibration : [];
  if (calibration.length === 0) return html`<p>Disk calibration: none recorded for this run.</p>`;
  const mibps = (v: number | undefined) => num(v === undefined ? '–' : `${formatNumber(v)} MiB/s`);
  const rows = calibration.map((c) => [
    c.disk,
    mibps(c.directWriteMiBps),
    mibps(c.bufferedWriteMiBps),
    mibps(c.fsyncWriteMiBps),
    mibps(c.readMiBps),
    mibps(c.directReadMiBps),
    limitsText(c.limits),
    c.warnings?.join(' ') ?? '',
  ]);
  const version = info.engine?.cgroupVersion ?? info.host?.cgroupVersion;
  return html`<h3>Disk calibration${version ? ` (cgroup v${version})` : ''}</h3>\n${table(['disk', 'direct write', 'buffered write', 'buffered + fsync write', 'cold buffered read', 'direct read', 'configured limits', "engine's warnings"], rows)}`;
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

function experimentDetails(info: RunInfo): Html {
  if (info.experiment === undefined) return html``;
  return html`<details><summary>The resolved experiment</summary><pre>${JSON.stringify(info.experiment, null, 2)}</pre></details>`;
}

/**
 * Every point, in series order, failed ones highlighted with their reason. cgroupVersion is shown
 * beside each disk result: on v2 buffered writeback is throttled and counted, on v1 it is not
 */
export function pointsTable(analysis: Analysis, cgroupVersion?: 1 | 2): Html {
  if (analysis.points.length === 0) return html`<p>No point was measured.</p>`;
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
  const body = joinHtml(rows.map((r) => html`<tr class="${r.cls}">${r.cells.map((c, i) => html`<td${i >= 1 && i <= 2 || i >= 4 && i <= lastNum ? html` class="num"` : ''}>${c}</td>`)}</tr>`), '\n');
  return html`<div class="points-wrap"><table id="points"><thead><tr>${head.map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

function pointRow(p: PointRecord, series: string, network: boolean, cgroupVersion: 1 | 2 | undefined): { cls: string; cells: HtmlValue[] } {
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
      series,
      p.params.threads,
      p.params.repetition,
      ok ? 'ok' : html`<span class="bad">failed</span>`,
      formatNumber(p.requestsPerS, 4),
      formatNumber(p.bytesPerS / 1e6, 4),
      formatMicros(p.latencyUs.p50),
      formatMicros(p.latencyUs.p99),
      cpu,
      formatNumber(p.loadgenCpuCores),
      ...(network ? [
        p.network ? formatMicros(p.network.rttUs.p50) : '–',
        p.network?.linkShare !== undefined ? formatPercent(p.network.linkShare) : '–',
      ] : []),
      writeText,
      errorCount(p),
      `${p.verification.checked - p.verification.mismatches}/${p.verification.checked}`,
      notes.join('; '),
    ],
  };
}
