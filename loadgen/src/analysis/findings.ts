// Findings in words, with the numbers behind them (DESIGN §8).
import type { ExpectableFindingKind } from '../experiment/schema.js';
import type { RunInfo } from '../results/record.js';
import type { Analysis, Series } from './analyze.js';
import type { Cell } from './cells.js';
import { formatPercent, formatSize } from './format.js';
import { serverVerdict } from './verdicts.js';
import { okPoints } from './group.js';
import { LOADGEN_BOUND_CORES, LOADGEN_CEILING_SHARE_WORDS } from './loadgen.js';
import { NETWORK_BOUND_SHARE } from './network.js';
import { isNoisy, NOISY_CV } from './stats.js';

type FindingKind =
  | ExpectableFindingKind
  | 'no-data'
  | 'expectation'
  | 'failed-points'
  | 'not-enough-data'
  | 'host-disk';

export interface Finding {
  kind: FindingKind;
  /** 'bad': a failed expectation or results that cannot be trusted; 'warn': worth a look; 'info': a plain fact */
  level: 'info' | 'warn' | 'bad';
  /** the series' name, for per-series findings */
  series?: string;
  seriesKey?: string;
  /** one sentence, numbers included */
  text: string;
  /** the numbers behind the sentence */
  numbers: Record<string, number>;
  /** for expectations: whether the check passed */
  passed?: boolean;
  /** a series' verdict: 'measured' from the thread samples and the CPUs' totals, 'inferred' from the curve alone (no samples) */
  evidence?: 'measured' | 'inferred';
}

export function computeFindings(analysis: Analysis, info: RunInfo | null): Finding[] {
  const findings: Finding[] = [];
  if (analysis.points.length === 0) {
    findings.push({ kind: 'no-data', level: 'bad', text: 'No point was measured: points.jsonl is empty, so there is nothing to chart.', numbers: { points: 0 } });
  } else if (okPoints(analysis.points).length === 0) {
    findings.push({ kind: 'no-data', level: 'bad', text: `All ${analysis.points.length} points failed: there is no measurement to chart.`, numbers: { points: analysis.points.length, failed: analysis.points.length } });
  }
  findings.push(...expectationFindings(info));
  findings.push(...failedPointFindings(analysis));
  findings.push(...hostDiskFindings(analysis));
  for (const series of analysis.series) findings.push(...seriesFindings(series));
  return findings;
}

function expectationFindings(info: RunInfo | null): Finding[] {
  const results = Array.isArray(info?.expectations) ? info.expectations : [];
  return results.map((e) => ({
    kind: 'expectation' as const,
    level: e.passed ? ('info' as const) : ('bad' as const),
    passed: e.passed === true,
    text: `Expectation ${e.passed ? 'met' : 'NOT met'}: ${String(e.description)} — ${String(e.detail)}`,
    numbers: { passed: e.passed ? 1 : 0 },
  }));
}

function failedPointFindings(analysis: Analysis): Finding[] {
  const failed = analysis.points.filter((p) => p.outcome !== 'ok');
  if (failed.length === 0) return [];
  const reasons = new Map<string, number>();
  for (const p of failed) {
    const reason = p.failure ?? 'no reason recorded';
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  const listed = [...reasons.entries()].slice(0, 3).map(([reason, n]) => `${n}× “${reason}”`).join('; ');
  const more = reasons.size > 3 ? `; and ${reasons.size - 3} other reasons` : '';
  return [{
    kind: 'failed-points',
    level: 'bad',
    text: `${failed.length} of ${analysis.points.length} points failed and are left out of the charts and fits: ${listed}${more}.`,
    numbers: { failed: failed.length, points: analysis.points.length },
  }];
}

/** What reached the host's real disk: the server's own block writes, and the whole device's. */
function hostDiskFindings(analysis: Analysis): Finding[] {
  const ok = okPoints(analysis.points);
  const own = ok.filter((p) => typeof p.hostWriteBytes === 'number');
  const dev = ok.filter((p) => p.hostDeviceWrite && typeof p.hostDeviceWrite.bytes === 'number');
  if (own.length === 0 && dev.length === 0) return [];
  const ownBytes = own.reduce((s, p) => s + p.hostWriteBytes!, 0);
  const devBytes = dev.reduce((s, p) => s + p.hostDeviceWrite!.bytes, 0);
  const device = dev[0]?.hostDeviceWrite?.device;
  const parts: string[] = [];
  if (own.length > 0) {
    parts.push(`the server itself wrote ${formatSize(ownBytes)} (${ownBytes} bytes) to the host's real disks during the ${own.length} measured window${own.length === 1 ? '' : 's'}${ownBytes === 0 ? ': everything it wrote stayed in RAM' : ''}`);
  }
  if (dev.length > 0) {
    parts.push(`the host's ${device} wrote ${formatSize(devBytes)} in the same windows, counting every process on the machine`);
  }
  const text = parts.join('; ');
  return [{
    kind: 'host-disk',
    level: own.length > 0 && ownBytes > 0 ? 'warn' : 'info',
    text: `Host disk: ${text}.`,
    numbers: { ...(own.length > 0 && { serverHostWriteBytes: ownBytes }), ...(dev.length > 0 && { hostDeviceWriteBytes: devBytes }) },
  }];
}

function seriesFindings(series: Series): Finding[] {
  const out: Finding[] = [];
  const measured = series.cells.filter((c) => c.ok > 0);
  if (measured.length === 0) return out;
  const base = { series: series.name, seriesKey: series.key };

  const loadgenCells = measured.filter((c) => c.loadgenBound);
  if (loadgenCells.length > 0) {
    out.push({
      ...base, kind: 'loadgen-bound', level: 'bad',
      text: `${series.name}: not trusted — the load generator used ≥ ${LOADGEN_BOUND_CORES} core, or ran above ${LOADGEN_CEILING_SHARE_WORDS} of its measured ceiling, at ${threadList(loadgenCells)}, so it may have limited the throughput; no verdict on the server is given.`,
      numbers: {
        cells: loadgenCells.length,
        maxLoadgenCpuCores: Math.max(...loadgenCells.map((c) => c.loadgenCpuCores ?? 0)),
        ...(loadgenCells.some((c) => c.loadgenCeilingShare !== null) && { maxCeilingShare: Math.max(...loadgenCells.map((c) => c.loadgenCeilingShare ?? 0)) }),
      },
    });
  }

  const networkCells = measured.filter((c) => c.networkBound);
  if (networkCells.length > 0) {
    out.push({
      ...base, kind: 'network-bound', level: 'bad',
      text: `${series.name}: not trusted — at ${threadList(networkCells)} the load moved more than ${formatPercent(NETWORK_BOUND_SHARE)} of what the link between the two engines carried when it was measured, so the network, not the server, may have set the throughput; no verdict on the server is given.`,
      numbers: { cells: networkCells.length, maxLinkShare: Math.max(...networkCells.map((c) => c.linkShare ?? 0)) },
    });
  }

  const noisy = measured.filter((c) => isNoisy(c.requestsPerS));
  if (noisy.length > 0) {
    const worst = noisy.reduce((a, b) => ((b.requestsPerS?.cv ?? 0) > (a.requestsPerS?.cv ?? 0) ? b : a));
    out.push({
      ...base, kind: 'noisy', level: 'warn',
      text: `${series.name}: noisy — requests/s vary by more than ${formatPercent(NOISY_CV)} (coefficient of variation) across repetitions at ${threadList(noisy)}; worst ${formatPercent(worst.requestsPerS?.cv)} at ${worst.threads} threads over ${worst.requestsPerS?.n} repetitions.`,
      numbers: { cells: noisy.length, worstCv: worst.requestsPerS?.cv ?? NaN, worstThreads: worst.threads },
    });
  }

  // a load generator or a link that may have set the throughput: no verdict on the server
  if (loadgenCells.length > 0 || networkCells.length > 0) return out;
  out.push(serverVerdict(series, base));
  return out;
}

function threadList(cells: readonly Cell[]): string {
  const threads = cells.map((c) => c.threads);
  return `${threads.join(', ')} thread${threads.length === 1 && threads[0] === 1 ? '' : 's'}`;
}

/**
 * Findings that qualify what a run found rather than say it: its noise, a load generator or a
 * link that may have set the throughput (no verdict on the server), failed points, writes that
 * reached the host's real disk.
 */
const CAVEAT_KINDS: ReadonlySet<FindingKind> = new Set<FindingKind>(['noisy', 'loadgen-bound', 'network-bound', 'failed-points', 'host-disk']);

/** a run's main result: nothing measured, then a failed expectation, a met one (the experiment says what the run is for), a server verdict (a bound before "scales") */
function resultRank(f: Finding): number {
  if (f.kind === 'no-data') return 0;
  if (f.kind === 'expectation') return f.passed ? 2 : 1;
  if (f.kind === 'not-enough-data') return 5;
  return f.level === 'info' ? 4 : 3;
}

export interface Headline {
  /** the run's main result */
  main: Finding;
  /** the caveats beside it (warn or bad), in the findings' order */
  caveats: Finding[];
}

/**
 * A run's headline, for its report and the runs index: its main result (resultRank; the first of
 * equals), never a caveat while there is a result, and the caveats beside it. A run with caveats
 * only has the worst as its main result. Null without findings.
 */
export function headline(findings: readonly Finding[]): Headline | null {
  const caveats = findings.filter((f) => CAVEAT_KINDS.has(f.kind) && f.level !== 'info');
  const results = findings.filter((f) => !CAVEAT_KINDS.has(f.kind));
  const best = results.reduce<Finding | undefined>((a, f) => (a === undefined || resultRank(f) < resultRank(a) ? f : a), undefined);
  const main = best ?? caveats.find((f) => f.level === 'bad') ?? caveats[0] ?? findings[0];
  return main ? { main, caveats: caveats.filter((f) => f !== main) } : null;
}

/** The caveats in one sentence: "Caveat: 4 series are noisy (…)."; '' without any. */
export function caveatWords(caveats: readonly Finding[]): string {
  const count = (kind: FindingKind) => caveats.filter((f) => f.kind === kind).length;
  const are = (n: number) => `${n} series ${n === 1 ? 'is' : 'are'}`;
  const parts: string[] = [];
  for (const [kind, what] of [['loadgen-bound', 'the load generator'], ['network-bound', 'the network']] as const) {
    const n = count(kind);
    if (n > 0) parts.push(`${are(n)} not trusted: ${what} may have set ${n === 1 ? 'its' : 'their'} throughput`);
  }
  for (const f of caveats) if (f.kind === 'failed-points') parts.push(`${f.numbers.failed} of ${f.numbers.points} points failed`);
  const noisy = count('noisy');
  if (noisy > 0) parts.push(`${are(noisy)} noisy (requests/s vary by more than ${formatPercent(NOISY_CV)} across repetitions)`);
  for (const f of caveats) if (f.kind === 'host-disk') parts.push(`the server wrote ${formatSize(f.numbers.serverHostWriteBytes ?? 0)} to the host's real disks`);
  return parts.length === 0 ? '' : `${parts.length === 1 ? 'Caveat' : 'Caveats'}: ${parts.join('; ')}.`;
}
