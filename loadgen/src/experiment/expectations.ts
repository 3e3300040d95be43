// The experiment's `expect` checks (DESIGN §6), evaluated on the measured points.
// speedup: mean req/s at N threads over mean req/s at 1 thread, in every matching series.
// faster: mean req/s of one selection at least `by` times another's.
import type { ExpectationResult, PointRecord } from '../results/record.js';
import type { Experiment } from './experiment.js';
import type { FasterExpectation, SpeedupExpectation } from './schema.js';
import { groupBy, matches, mean, okRecords, seriesKey, seriesText } from './series.js';

const selText = (sel: Record<string, string | number> | undefined) =>
  Object.entries(sel ?? {}).map(([k, v]) => `${k}=${v}`).join(', ') || 'all points';
const rps = (x: number) => `${Math.round(x)} req/s`;

function untrusted(records: PointRecord[]): string {
  const n = records.filter((r) => r.loadgenBound).length;
  return n > 0 ? ` [${n} of these points loadgen-bound: not trusted]` : '';
}

function speedup(exp: Experiment, e: SpeedupExpectation, records: PointRecord[]): ExpectationResult {
  const { threads, atLeast, atMost } = e.speedup;
  const bounds = [atLeast !== undefined && `at least ${atLeast}`, atMost !== undefined && `at most ${atMost}`].filter(Boolean).join(' and ');
  const description = `speedup at ${threads} threads vs 1 ${e.where ? `where ${selText(e.where)} ` : ''}is ${bounds}`;
  const selected = okRecords(records).filter((r) => matches(r.params, e.where));
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
  const ok = okRecords(records).filter((r) => matches(r.params, at));
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

export function evaluateExpectations(exp: Experiment, records: PointRecord[]): ExpectationResult[] {
  return exp.expect.map((e) => ('faster' in e ? faster(e, records) : speedup(exp, e, records)));
}
