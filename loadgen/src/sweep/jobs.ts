// The loadgen jobs of one point: seed, warm-up, measure, verify.
import type { Experiment } from '../experiment/experiment.js';
import type { PointParams } from '../results/record.js';
import { SEQ_MEASURE, SEQ_WARMUP, type LoadgenJob, type WorkloadSpec } from '../workload/job.js';

function workloadSpec(exp: Experiment, p: PointParams): WorkloadSpec {
  const w = exp.workload;
  return {
    // each repetition writes its own bodies
    seed: (w.seed + p.repetition * 0x9e3779b1) >>> 0,
    fileSize: p.fileSize,
    mix: p.mix,
    ratio: w.ratio,
    files: w.files,
    connections: p.connections,
    timeoutS: w.timeoutS,
    client: exp.clientSettings,
  };
}

export function pointJobs(exp: Experiment, p: PointParams): { seed: LoadgenJob; warmup?: LoadgenJob; measure: LoadgenJob; verify: LoadgenJob } {
  const workload = workloadSpec(exp, p);
  const w = exp.workload;
  return {
    seed: { phase: 'seed', workload },
    ...(w.warmupS > 0 && { warmup: { phase: 'load', engine: p.engine, workload, durationS: w.warmupS, seqBase: SEQ_WARMUP } }),
    measure: { phase: 'load', engine: p.engine, workload, durationS: w.durationS, seqBase: SEQ_MEASURE, ...(w.requests !== undefined && { requests: w.requests }) },
    verify: { phase: 'verify', workload },
  };
}
