// speedlab run FILE [flags] (its flags: RUN in definitions.ts): a client of the API's
// runExperiment. It parses the flags, turns Ctrl-C and SIGTERM into the run's AbortSignal, prints
// the run's events to stderr as they come, and its result as the table, expectations and exit code.
import { runExperiment, type CompletedRun, type ReportOutcome, type RunResult } from '../api/run-experiment.js';
import type { RunEvent } from '../api/events.js';
import type { RuntimeChoice } from '../api/runtime-choice.js';
import { LOADGEN_BOUND_CORES, LOADGEN_CEILING_SHARE_WORDS } from '../analysis/loadgen.js';
import { NETWORK_BOUND_SHARE } from '../analysis/network.js';
import { CliError, EXIT_INTERRUPTED, RuntimeLost } from '../errors.js';
import { points } from '../experiment/grid.js';
import { MAX_REPETITIONS, MAX_SCALE, MIN_SCALE } from '../experiment/scale.js';
import { formatDuration } from '../experiment/units.js';
import type { ExpectationResult } from '../results/record.js';
import { Progress } from '../sweep/progress.js';
import { bytesLine, resultsTable } from '../sweep/table.js';
import { RUN } from './definitions.js';
import { onSignals, SIGNAL_EXIT_CODES } from './signals.js';

interface Args {
  file: string; runtime: RuntimeChoice; out?: string; resume: boolean; scale: number; repetitions?: number; allowHostDisk: boolean; allowUnthrottled: boolean;
  /** --engine: the one Docker engine, named */
  engine?: string;
  engines: { server?: string; loadgen?: string; address?: string };
}

function parse(argv: string[]): Args | undefined {
  const parsed = RUN.parse(argv);
  if (!parsed) return undefined;
  const { values, operands: positionals } = parsed;
  const scale = Number(values.scale);
  if (!/^\d*\.?\d+$/.test(values.scale) || !(scale >= MIN_SCALE && scale <= MAX_SCALE)) {
    throw RUN.fail(`--scale: got '${values.scale}'; expected a number from ${MIN_SCALE} to ${MAX_SCALE} (the fraction of the windows to run, e.g. 0.2)`);
  }
  const reps = values.repetitions;
  if (reps !== undefined && (!/^\d+$/.test(reps) || Number(reps) < 1 || Number(reps) > MAX_REPETITIONS)) {
    throw RUN.fail(`--repetitions: got '${reps}'; expected a whole number from 1 to ${MAX_REPETITIONS} (replaces workload.repetitions)`);
  }
  return {
    file: positionals[0]!, runtime: values.runtime, resume: values.resume, scale, allowHostDisk: values['allow-host-disk'], allowUnthrottled: values['allow-unthrottled'],
    engines: {
      ...(values['server-engine'] !== undefined && { server: values['server-engine'] }),
      ...(values['loadgen-engine'] !== undefined && { loadgen: values['loadgen-engine'] }),
      ...(values['server-address'] !== undefined && { address: values['server-address'] }),
    },
    ...(values.out !== undefined && { out: values.out }),
    ...(values.engine !== undefined && { engine: values.engine }),
    ...(reps !== undefined && { repetitions: Number(reps) }),
  };
}

/** the engine flags a resumed run needs again */
function resumeFlags(args: Args): string {
  const e = args.engines;
  return [
    args.engine !== undefined && ` --engine ${args.engine}`,
    e.server !== undefined && ` --server-engine ${e.server}`,
    e.loadgen !== undefined && ` --loadgen-engine ${e.loadgen}`,
    e.address !== undefined && ` --server-address ${e.address}`,
  ].filter(Boolean).join('');
}

function reportLine(r: ReportOutcome): string {
  if (r.status === 'skipped') return 'report: skipped (the report module is not built)';
  return r.status === 'written' ? `report: ${r.htmlPath}` : `report: FAILED: ${r.message}`;
}

function expectationLines(results: ExpectationResult[]): string[] {
  return results.map((r) => `${r.passed ? 'PASS' : 'FAIL'}  ${r.description}\n      ${r.detail}`);
}

function summary(run: CompletedRun): string {
  const { records } = run;
  const out: string[] = [resultsTable(run.experiment, records), '', bytesLine(records)];
  if (run.loadgenBound > 0) out.push(`${run.loadgenBound} of ${records.length} points were loadgen-bound (the load generator used >= ${LOADGEN_BOUND_CORES * 100}% of a core, or the rate was above ${LOADGEN_CEILING_SHARE_WORDS} of its ceiling): their numbers measure the load generator, not the server`);
  if (run.networkBound > 0) out.push(`${run.networkBound} of ${records.length} points were network-bound (they moved more than ${NETWORK_BOUND_SHARE * 100}% of what the link between the engines carries): their numbers measure the network, not the server`);
  if (run.failed > 0) out.push(`${run.failed} of ${records.length} points FAILED (see the notes above and points.jsonl)`);
  if (run.expectations.length > 0) out.push('', 'expectations:', ...expectationLines(run.expectations));
  out.push('', reportLine(run.report), `results: ${run.dir} (${points(run.experiment).length} points, this session ${formatDuration((Date.now() - run.sessionStartedAt) / 1000)})`);
  return out.join('\n');
}

/**
 * Ctrl-C and SIGTERM while the run can stop cleanly (from its directory's creation to its last
 * point) stop it: the unfinished point is discarded and the run resumable. Before that the signal
 * ends the process as usual (nothing to resume yet); after it, once the run's containers and
 * processes are removed, the process exits as the signal would have ended it.
 */
class SignalWiring {
  readonly controller = new AbortController();
  private release: (() => void) | undefined;
  private released = false;
  private exitCode: number | undefined;

  readonly onEvent = (e: RunEvent): void => {
    if (e.type === 'run-dir') this.release = onSignals(() => this.controller.abort());
    if (e.type === 'measured') {
      this.release?.();
      this.release = onSignals((signal) => {
        this.exitCode ??= SIGNAL_EXIT_CODES[signal];
        if (this.released) process.exit(this.exitCode);
      });
    }
    if (e.type === 'released') {
      this.released = true;
      if (this.exitCode !== undefined) process.exit(this.exitCode);
    }
  };

  dispose(): void {
    this.release?.();
  }
}

/** draws the run's events on stderr: lines as they come, the progress line during the sweep */
function printer(): (e: RunEvent) => void {
  let progress: Progress | undefined;
  return (e) => {
    switch (e.type) {
      case 'line': console.error(e.text); break;
      case 'run-dir': console.error(`results: ${e.dir}`); break;
      case 'point': (progress ??= new Progress()).point(e.n, e.total, e.params, e.etaS); break;
      case 'phase': progress?.phase(e.phase); break;
      case 'point-done': progress?.note(e.line); break;
      case 'sweep-end': progress?.finish(); break;
      case 'measured': case 'released': break;
    }
  };
}

export async function main(argv: string[]): Promise<number> {
  const args = parse(argv);
  if (!args) return 0;
  const signals = new SignalWiring();
  const print = printer();
  let result: RunResult;
  try {
    result = await runExperiment(args.file, {
      runtime: args.runtime, resume: args.resume, scale: args.scale, allowHostDisk: args.allowHostDisk, allowUnthrottled: args.allowUnthrottled, engines: args.engines,
      ...(args.out !== undefined && { out: args.out }),
      ...(args.repetitions !== undefined && { repetitions: args.repetitions }),
      ...(args.engine !== undefined && { engine: args.engine }),
      signal: signals.controller.signal,
      onEvent: (e) => {
        print(e);
        signals.onEvent(e);
      },
    });
  } catch (err) {
    if (err instanceof RuntimeLost && err.runDir !== undefined) {
      throw new CliError(`${err.message}; then finish the run with: speedlab run ${args.file} --out ${err.runDir} --resume${resumeFlags(args)}`, 1, { cause: err });
    }
    throw err;
  } finally {
    signals.dispose();
  }
  if (result.outcome === 'interrupted') {
    console.error(`interrupted: the unfinished point was discarded; finish with: speedlab run ${args.file} --out ${result.dir} --resume`);
    return EXIT_INTERRUPTED;
  }
  console.log(summary(result));
  return result.missed > 0 || result.failed > 0 || result.report.status === 'failed' ? 1 : 0;
}
