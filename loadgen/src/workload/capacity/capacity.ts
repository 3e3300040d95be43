// The load generator's ceiling: the engine driven against the trivial responder on the same CPUs
// as the points' load generator. The two share those CPUs, so the rate reached is not the
// engine's own limit; the ceiling is its requests per CPU-second of the engine alone, times the
// cores it can use (autocannon one, wrk one per thread). A point above half of it is flagged
// loadgen-bound.
import { LAB_DEFAULTS } from '../../results/client-settings.js';
import type { Engine } from '../../results/record.js';
import type { CapacityResult, WorkloadSpec } from '../job.js';
import { runLoad } from '../load.js';
import { runWrkLoad } from '../wrk/run.js';
import { wrkThreads } from '../wrk/request-files.js';
import { startResponder } from './responder.js';
import { availableParallelism } from 'node:os';

export async function measureCapacity(engine: Engine, connections: number, durationS: number): Promise<CapacityResult> {
  const responder = await startResponder();
  const target = new URL(`http://127.0.0.1:${responder.port}`);
  const w: WorkloadSpec = {
    seed: 1, fileSize: 32, mix: 'get', ratio: { get: 0, put: 0, head: 0 },
    files: { kind: 'distinct', perConnection: 1 }, connections, timeoutS: 10, client: LAB_DEFAULTS,
  };
  try {
    const r = engine === 'wrk' ? await runWrkLoad(target, w, durationS, 0) : await runLoad(target, w, durationS, 0);
    const engineCores = engine === 'wrk' ? wrkThreads(connections, availableParallelism()) : 1;
    if (r.requests === 0 || r.cpuSeconds <= 0) throw new Error(`${engine} completed no request against the trivial responder`);
    return {
      phase: 'capacity', engine, connections, durationS: r.durationS,
      requestsPerS: r.requests / r.durationS,
      cpuCores: r.cpuCores,
      ceilingPerS: (r.requests / r.cpuSeconds) * engineCores,
    };
  } finally {
    await responder.close();
  }
}
