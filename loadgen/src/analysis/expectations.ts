// The experiment's `expect` checks (DESIGN §6), evaluated on the measured points.
// speedup: mean req/s at N threads over mean req/s at 1 thread, in every matching series.
// faster: mean req/s of one selection at least `by` times another's.
// finding: the report's own finding (disk-bound, ...) on every matching series, or on none.
// total: a point-record field summed over the matching points, within bounds.
import { analyze } from './analyze.js';
import { computeFindings } from './findings.js';
import { groupBy, okPoints, seriesKey } from './group.js';
import { mean } from './stats.js';
import { absentDesigns, type DesignDim } from './series.js';
import type { ExpectationResult, PointParams, PointRecord } from '../results/record.js';
import { seriesText } from '../experiment/describe.js';
import type { Experiment } from '../experiment/experiment.js';
import { formatBytes } from '../experiment/units.js';
import type { FasterExpectation, FindingExpectation, SpeedupExpectation, SweepKey, TotalExpectation, TotalField } from '../experiment/schema.js';

const selText = (sel: Record<string, string | number> | undefined) =>
  Object.entries(sel ?? {}).map(([k, v]) => `${k}=${v}`).join(', ') || 'all points';
const rps = (x: number) => `${Math.round(x)} req/s`;

function matches(p: PointParams, sel: Record<string, string | number> | undefined): boolean {
  return Object.entries(sel ?? {}).every(([k, v]) => p[k as SweepKey] === v);
}

function untrusted(records: PointRecord[]): string {
  const n = records.filter((r) => r.loadgenBound).length;
  return n > 0 ? ` [${n} of these points loadgen-bound: not trusted]` : '';
}

function speedup(exp: Experiment, e: SpeedupExpectation, records: PointRecord[]): ExpectationResult {
  const { threads, atLeast, atMost } = e.speedup;
  const bounds = [atLeast !== undefined && `at least ${atLeast}`, atMost !== undefined && `at most ${atMost}`].filter(Boolean).join(' and ');
  const description = `speedup at ${threads} threads vs 1 ${e.where ? `where ${selText(e.where)} ` : ''}is ${bounds}`;
  const selected = okPoints(records).filter((r) => matches(r.params, e.where));
  const series = groupBy(selected, (r) => seriesKey(r.params));
  if (series.size === 0) return { description, passed: false, detail: 'no successfully measured point matches' };
  let passed = true;
  const parts: string[] = [];
  for (const recs of series.values()) {
    const name = seriesText(exp, recs[0]!.params);
    const one = mean(recs.filter((r) => r.params.threads === 1).map((r) => r.requestsPerS));
    const n = mean(recs.filter((r) => r.params.threads === threads).map((r) => r.requestsPerS));
    if (!Number.isFinite(one) || !Number.isFinite(n) || one <= 0) {
      passed = false;
      parts.push(`${name}: no measured point at ${Number.isFinite(one) ? threads : 1} thread(s)`);
      continue;
    }
    const s = n / one;
    const ok = (atLeast === undefined || s >= atLeast) && (atMost === undefined || s <= atMost);
    passed &&= ok;
    parts.push(`${name}: 1 thread ${rps(one)}, ${threads} threads ${rps(n)}, speedup ${s.toFixed(2)} (${ok ? 'ok' : 'MISSED'})`);
  }
  return { description, passed, detail: parts.join('; ') + untrusted(selected) };
}

function faster(e: FasterExpectation, records: PointRecord[]): ExpectationResult {
  const { where, than, at, by = 1 } = e.faster;
  const description = `${selText(where)} is at least ${by}× as fast as ${selText(than)}${at ? ` at ${selText(at)}` : ''}`;
  const ok = okPoints(records).filter((r) => matches(r.params, at));
  const a = ok.filter((r) => matches(r.params, where));
  const b = ok.filter((r) => matches(r.params, than));
  if (a.length === 0 || b.length === 0) {
    return { description, passed: false, detail: `no successfully measured point for ${a.length === 0 ? selText(where) : selText(than)}` };
  }
  const ma = mean(a.map((r) => r.requestsPerS));
  const mb = mean(b.map((r) => r.requestsPerS));
  const ratio = ma / mb;
  return {
    description,
    passed: ma >= by * mb,
    detail: `${selText(where)}: ${rps(ma)} over ${a.length} points; ${selText(than)}: ${rps(mb)} over ${b.length} points; ratio ${ratio.toFixed(2)}${untrusted([...a, ...b])}`,
  };
}

function finding(e: FindingExpectation, records: PointRecord[], absent: ReadonlySet<DesignDim>): ExpectationResult {
  const { kind, present = true, measured = false } = e.finding;
  const description = `${e.where ? `where ${selText(e.where)}, ` : ''}the report ${present ? 'names every series' : 'names no series'} ${kind}${measured ? ' from thread samples' : ''}`;
  const analysis = analyze(records, [], absent);
  const findings = computeFindings(analysis, null);
  const series = analysis.series.filter((s) => s.cells.some((c) => c.ok > 0) && matches({ ...s.params, threads: 0, repetition: 0 }, e.where));
  if (series.length === 0) return { description, passed: false, detail: 'no successfully measured series matches' };
  let passed = true;
  const parts = series.map((s) => {
    const found = findings.find((f) => f.seriesKey === s.key && f.kind === kind && (!measured || f.evidence === 'measured'));
    const ok = Boolean(found) === present;
    passed &&= ok;
    const other = findings.find((f) => f.seriesKey === s.key && f.kind === kind);
    const missing = other ? `${other.text} [not from thread samples]` : `${s.name}: not ${kind}`;
    return `${found ? found.text : missing} (${ok ? 'ok' : 'MISSED'})`;
  });
  return { description, passed, detail: parts.join('; ') };
}

const BYTE_FIELDS = new Set<TotalField>(['logBytes', 'deviceWriteBytes', 'deviceReadBytes', 'hostWriteBytes']);

function total(e: TotalExpectation, records: PointRecord[]): ExpectationResult {
  const { of, atLeast, atMost } = e.total;
  const text = (n: number) => (BYTE_FIELDS.has(of) ? `${formatBytes(n)} (${n} bytes)` : String(n));
  const bounds = [atLeast !== undefined && `at least ${text(atLeast)}`, atMost !== undefined && `at most ${text(atMost)}`].filter(Boolean).join(' and ');
  const description = `${of} summed over the measured windows${e.where ? ` where ${selText(e.where)}` : ''} is ${bounds}`;
  const selected = okPoints(records).filter((r) => matches(r.params, e.where));
  if (selected.length === 0) return { description, passed: false, detail: 'no successfully measured point matches' };
  const missing = selected.filter((r) => typeof r[of] !== 'number').length;
  if (missing > 0) return { description, passed: false, detail: `${missing} of ${selected.length} points did not measure ${of} (the runtime does not report it)` };
  const sum = selected.reduce((s, r) => s + (r[of] as number), 0);
  const passed = (atLeast === undefined || sum >= atLeast) && (atMost === undefined || sum <= atMost);
  return { description, passed, detail: `${text(sum)} over ${selected.length} point${selected.length === 1 ? '' : 's'}` };
}

export function evaluateExpectations(exp: Experiment, records: PointRecord[]): ExpectationResult[] {
  return exp.expect.map((e) => {
    if ('faster' in e) return faster(e, records);
    if ('finding' in e) return finding(e, records, absentDesigns(exp));
    if ('total' in e) return total(e, records);
    return speedup(exp, e, records);
  });
}
