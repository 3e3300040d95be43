// The sweep: every point not yet in points.jsonl, in order, one record appended per point.
import { Interrupted, RuntimeLost } from '../errors.js';
import { sweptText } from '../experiment/describe.js';
import { estimatePoint } from '../experiment/estimate.js';
import type { Experiment } from '../experiment/experiment.js';
import { points, type Point } from '../experiment/grid.js';
import type { LoadgenCeiling, PointRecord, RunEngines } from '../results/record.js';
import { PointsWriter, readPoints } from '../results/store.js';
import type { Runtime } from '../runtime/types.js';
import { measurePoint } from './point.js';

async function throwIfLost(runtime: Runtime): Promise<void> {
  const why = await runtime.lost?.();
  if (why) throw new RuntimeLost(why);
}

/** what the sweep reports as it goes: the API turns it into events, which the CLI draws as its progress line */
export interface SweepProgress {
  point(n: number, total: number, text: string, etaS: number): void;
  phase(phase: string): void;
  /** a point's record is written; `line` is its one line ("[n/N] params: verdict") */
  pointDone(record: PointRecord, line: string): void;
  finish(): void;
}

interface SweepOptions {
  exp: Experiment;
  runtime: Runtime;
  runId: string;
  dir: string;
  signal: AbortSignal;
  progress: SweepProgress;
  ceilings?: readonly LoadgenCeiling[];
  link?: RunEngines['link'];
  /** throttled disks that were not throttled (run --allow-unthrottled): name → the reason, marked on each point */
  unthrottled?: ReadonlyMap<string, string>;
}

/** the points still to measure, given the records already written */
function remainingPoints(exp: Experiment, done: PointRecord[]): Point[] {
  const ids = new Set(done.map((r) => r.id));
  return points(exp).filter((p) => !ids.has(p.id));
}

export async function runSweep(o: SweepOptions): Promise<PointRecord[]> {
  const all = points(o.exp);
  const done = readPoints(o.dir);
  const todo = remainingPoints(o.exp, done);
  const writer = new PointsWriter(o.dir);
  // the ETA: the plan's estimate, scaled by how the finished points compared with theirs
  let estimatedSoFar = 0;
  let actualSoFar = 0;
  try {
    for (const pt of todo) {
      const remainingEstimate = todo.slice(todo.indexOf(pt)).reduce((s, p) => s + estimatePoint(o.exp, p.params).wallS, 0);
      const scale = estimatedSoFar > 0 ? actualSoFar / estimatedSoFar : 1;
      o.progress.point(pt.index + 1, all.length, sweptText(o.exp, pt.params), remainingEstimate * scale);
      const t0 = Date.now();
      let record: PointRecord;
      try {
        record = await measurePoint({ exp: o.exp, runtime: o.runtime, runId: o.runId, signal: o.signal, ...(o.ceilings && { ceilings: o.ceilings }), ...(o.link && { link: o.link }), onPhase: (ph) => o.progress.phase(ph) }, pt);
      } catch (err) {
        if (!(err instanceof Interrupted)) await throwIfLost(o.runtime);
        throw err;
      }
      // a point that failed because the engine went away is measured again on --resume
      if (record.outcome === 'failed') await throwIfLost(o.runtime);
      const unthrottled = o.unthrottled?.get(record.params.disk);
      if (unthrottled) record = { ...record, unthrottled };
      writer.append(record);
      done.push(record);
      actualSoFar += (Date.now() - t0) / 1000;
      estimatedSoFar += estimatePoint(o.exp, pt.params).wallS;
      const bound = [record.loadgenBound && 'loadgen-bound', record.networkBound && 'network-bound', record.unthrottled && 'disk not throttled'].filter(Boolean).join(', ');
      const rtt = record.network ? `, RTT ${record.network.rttUs.p50} µs` : '';
      const verdict = record.outcome === 'ok' ? `${Math.round(record.requestsPerS)} req/s${rtt}${bound ? ` (${bound}: not trusted)` : ''}` : `FAILED: ${record.failure}`;
      o.progress.pointDone(record, `[${pt.index + 1}/${all.length}] ${sweptText(o.exp, pt.params)}: ${verdict}`);
    }
  } finally {
    o.progress.finish();
    writer.close();
  }
  return done;
}
