// The lab as a library: `import { runExperiment, loadExperiment, writeReport, compareRuns } from 'speedlab'`.
// A curated set: what a script needs to run an experiment, report it and compare two runs, with
// their types and the errors they throw. The CLI (cli.ts) is a client of the same functions.
import type { ComparisonResult, ReportResult } from './report/index.js';

export { runExperiment } from './api/run-experiment.js';
export type { CompletedRun, InterruptedRun, ReportOutcome, RunOptions, RunResult } from './api/run-experiment.js';
export type { RunEvent, RunEventListener } from './api/events.js';
export type { EngineNames } from './api/refusals.js';
export type { RuntimeChoice } from './api/runtime-choice.js';
export { loadExperiment } from './experiment/load.js';
export type { Experiment } from './experiment/experiment.js';
export type { ExpectationResult, PointRecord, RunInfo } from './results/record.js';
export type { ComparisonResult, ReportResult } from './report/index.js';
export {
  CliError,
  EngineUnreachableError,
  Interrupted,
  PointFailure,
  ReportInputError,
  ResultsFormatError,
  RunRefused,
  RuntimeLost,
  SpeedlabError,
  UnknownDiskError,
  WrkMissingError,
} from './errors.js';

// the report module (vega, vega-lite) loads on first use, so `import 'speedlab'` stays light
const report = () => import('./report/index.js');

/** writes DIR/report.html and DIR/summary.csv for the run in `dir` */
export async function writeReport(dir: string): Promise<ReportResult> {
  return (await report()).writeReport(dir);
}

/** one report with both runs side by side and the ratio B / A per point; default `compare-<A>-vs-<B>.html` next to `dirB` */
export async function compareRuns(dirA: string, dirB: string, outPath?: string): Promise<ComparisonResult> {
  return (await report()).writeComparison(dirA, dirB, outPath);
}
