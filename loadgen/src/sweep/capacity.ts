// The load generator's ceiling per run (run.json's loadgenCeilings): for each engine and
// connection count the grid uses, what the engine can drive, measured against a trivial responder
// on the load generator's own CPUs (workload/capacity/). A point above a share of it measured the load generator
// more than the server (analysis/loadgen.ts). A resumed run keeps what it has.
import type { Experiment } from '../experiment/experiment.js';
import { points } from '../experiment/grid.js';
import type { LoadgenCeiling } from '../results/record.js';
import type { Runtime } from '../runtime/types.js';
import { capacityResultSchema } from '../workload/job.js';
import { CliError, EngineUnreachableError, WRK_MISSING } from '../errors.js';
import { check } from '../validate.js';

/** the capacity window: the experiment's own window, within 1 to 3 s */
function capacityWindowS(exp: Experiment): number {
  return Math.min(3, Math.max(1, exp.workload.durationS));
}

export function ceilingFor(ceilings: readonly LoadgenCeiling[], engine: string, connections: number): LoadgenCeiling | undefined {
  return ceilings.find((c) => c.engine === engine && c.connections === connections);
}

export async function measureCeilings(
  exp: Experiment,
  runtime: Runtime,
  runId: string,
  have: LoadgenCeiling[],
  signal: AbortSignal,
  note: (line: string) => void,
): Promise<LoadgenCeiling[]> {
  const out = [...have];
  const shapes = new Map(points(exp).map((p) => [`${p.params.engine}/${p.params.connections}`, p.params]));
  for (const { engine, connections } of shapes.values()) {
    if (ceilingFor(out, engine, connections)) continue;
    try {
      const printed = await runtime.runLoadgenAlone({ phase: 'capacity', engine, connections, durationS: capacityWindowS(exp) }, runId, signal);
      const checked = check(capacityResultSchema, printed);
      if (!checked.ok) throw new Error(`the load generator's result: ${checked.problem}`);
      const r = checked.value;
      out.push({ engine, connections, requestsPerS: Math.round(r.ceilingPerS), measuredPerS: Math.round(r.requestsPerS), cpuCores: Number(r.cpuCores.toFixed(3)), windowS: r.durationS });
      note(`load generator ceiling: ${engine} with ${connections} connections, ${Math.round(r.ceilingPerS)} req/s (${Math.round(r.requestsPerS)} req/s reached against a trivial responder at ${r.cpuCores.toFixed(2)} cores)`);
    } catch (err) {
      // an engine that went away stops the run (run.ts says which, and how to resume)
      if (signal.aborted || err instanceof EngineUnreachableError) throw err;
      // no wrk where the load generators run: every point would fail alike, so the run stops here
      const message = (err as Error).message;
      const at = message.indexOf(WRK_MISSING);
      // the loadgen's stderr comes back with its lines joined by ' | '
      if (at >= 0) throw new CliError(message.slice(at).split(/\n| \| /)[0]!, 1, { cause: err });
      // the points of this engine will fail with the same reason (wrk missing, say), each recorded
      note(`load generator ceiling of ${engine} with ${connections} connections not measured: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return out;
}
