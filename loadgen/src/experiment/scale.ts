// `run --scale F`: the same experiment at a fraction of its cost, for CI. The grid, the
// repetitions and the expectations stay (`--repetitions N` changes the repetitions); the windows shrink, and so do the bounds of `total:`
// expectations, which grow with the windows (a log that must pass 6.4 GB in a full run must
// pass F × 6.4 GB in a scaled one; a bound of 0 stays 0).
import type { Experiment } from './experiment.js';

export const MIN_SCALE = 0.001;
export const MAX_REPETITIONS = 100;
export const MAX_SCALE = 1;
/** a measured window shorter than this is mostly start-up noise */
const MIN_SCALED_DURATION_S = 0.5;

export function scaleExperiment(exp: Experiment, f: number): Experiment {
  if (f === 1) return exp;
  const w = exp.workload;
  return {
    ...exp,
    workload: {
      ...w,
      warmupS: w.warmupS * f,
      durationS: Math.max(Math.min(MIN_SCALED_DURATION_S, w.durationS), w.durationS * f),
      ...(w.requests !== undefined && { requests: Math.max(1, Math.ceil(w.requests * f)) }),
    },
    expect: exp.expect.map((e) => {
      if (!('total' in e)) return e;
      const { atLeast, atMost } = e.total;
      return {
        ...e,
        total: {
          ...e.total,
          ...(atLeast !== undefined && { atLeast: Math.round(atLeast * f) }),
          ...(atMost !== undefined && { atMost: Math.round(atMost * f) }),
        },
      };
    }),
  };
}

/** `run --repetitions N`: the same experiment with N repetitions (undefined: as in the file) */
export function withRepetitions(exp: Experiment, repetitions: number | undefined): Experiment {
  if (repetitions === undefined || repetitions === exp.workload.repetitions) return exp;
  return { ...exp, workload: { ...exp.workload, repetitions } };
}
