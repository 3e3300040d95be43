// What runExperiment reports as it goes. A callback (RunOptions.onEvent) rather than an
// EventEmitter: one typed union the compiler checks at every `switch`, events in the order they
// happen with nothing to subscribe or leak, and a listener's exception is the caller's own bug
// (it propagates) instead of an 'error' event nobody listens for.
import type { PointRecord } from '../results/record.js';

export type RunEvent =
  /** a line the CLI prints to stderr as it is (the runtime chosen, calibration, ceilings, scale, …) */
  | { type: 'line'; text: string }
  /** the run directory is chosen and run.json written: from here on the run can be stopped and resumed */
  | { type: 'run-dir'; dir: string }
  /** point `n` of `total` starts; `params` in words; `etaS` the estimate for what remains */
  | { type: 'point'; n: number; total: number; params: string; etaS: number }
  /** the current point's phase: starting, seeding, warm-up, measuring, verifying, … */
  | { type: 'phase'; phase: string }
  /** a point's record is written; `line` is "[n/N] params: verdict" */
  | { type: 'point-done'; record: PointRecord; line: string }
  /** the sweep ended, measured or not (the CLI clears its progress line) */
  | { type: 'sweep-end' }
  /** every point is measured: what follows (clean-up, expectations, report) no longer reads the signal */
  | { type: 'measured' }
  /** this run's processes, containers and disks are removed (or their removal failed and was said) */
  | { type: 'released' };

export type RunEventListener = (event: RunEvent) => void;
