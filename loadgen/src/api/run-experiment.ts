// runExperiment: one run of an experiment (its directory, client settings, calibration and
// ceilings, the sweep, the expectations and the report) as a function that reports through events
// and returns what happened. `speedlab run` is a client of it: it parses the flags, turns Ctrl-C
// into the signal, and prints the events and the result. Nothing here installs a process signal
// handler or writes to the terminal.
import { resolveClient } from '../check/auto.js';
import { CliError, Interrupted, RuntimeLost } from '../errors.js';
import { wrkRefusal } from '../experiment/client.js';
import type { Experiment } from '../experiment/experiment.js';
import { evaluateExpectations } from '../analysis/expectations.js';
import { points } from '../experiment/grid.js';
import { loadExperiment } from '../experiment/load.js';
import { MAX_REPETITIONS, MAX_SCALE, MIN_SCALE, scaleExperiment, withRepetitions } from '../experiment/scale.js';
import { settingsText } from '../results/client-settings.js';
import { currentCodeVersion, sessionCode } from '../results/code.js';
import { hostInfo, toolVersions } from '../results/host.js';
import { giveToParentOwner } from '../results/ownership.js';
import type { ExpectationResult, PointRecord, RunInfo } from '../results/record.js';
import { readPoints, readRunInfo, writeRunInfo } from '../results/store.js';
import type { Runtime } from '../runtime/types.js';
import { calibrateRun } from '../sweep/calibration.js';
import { measureCeilings } from '../sweep/capacity.js';
import { chooseRunDir } from '../sweep/run-dir.js';
import { runSweep, type SweepProgress } from '../sweep/sweep.js';
import { checkThrottles, unthrottledLine } from '../sweep/throttle-check.js';
import type { RunEventListener } from './events.js';
import { codeVersionOrRefuse, enginesOf, refuseEngineName, refuseHostDisks, refuseMissingWrk, refuseRootlessDisks, type EngineNames } from './refusals.js';
import { createRuntime, type RuntimeChoice } from './runtime-choice.js';

// a variable specifier: the report is built separately and may be absent
const REPORT_MODULE = '../report/index.js';

export interface RunOptions {
  /** where the servers run: 'auto' (the default) is docker when an engine answers, else local */
  runtime?: RuntimeChoice;
  /** the run directory; default results/<name>-<timestamp>/ (with `resume`, the newest of that name) */
  out?: string;
  /** finish the run in `out` (or the newest of this experiment's): the points it has are kept */
  resume?: boolean;
  /** the windows (and total: bounds) at this fraction, from 0.01 to 1; default 1 */
  scale?: number;
  /** replaces workload.repetitions */
  repetitions?: number;
  /** permits a `host` disk profile (it wears the host's real disk) */
  allowHostDisk?: boolean;
  /** runs a throttled profile the engine did not throttle; its points are marked */
  allowUnthrottled?: boolean;
  /** the one Docker engine: a context name or a URL */
  engine?: string;
  /** two engines: the server's, the load generator's, and the address the second reaches the first at */
  engines?: EngineNames;
  /** stops the run: the unfinished point is discarded, the outcome is 'interrupted' and the run resumable */
  signal?: AbortSignal;
  onEvent?: RunEventListener;
}

/** the report of the run: report.html and summary.csv in its directory */
export type ReportOutcome =
  | { status: 'written'; htmlPath: string }
  /** the report module is not built */
  | { status: 'skipped' }
  | { status: 'failed'; message: string };

export interface CompletedRun {
  outcome: 'completed';
  dir: string;
  /** the experiment as run: scaled, with its repetitions and the client settings it used */
  experiment: Experiment;
  /** every point's record, a resumed run's earlier ones first */
  records: PointRecord[];
  expectations: ExpectationResult[];
  report: ReportOutcome;
  /** points that could not be measured (their records say why) */
  failed: number;
  /** points whose numbers measure the load generator, not the server */
  loadgenBound: number;
  /** points whose numbers measure the link between two engines, not the server */
  networkBound: number;
  /** expectations that did not hold */
  missed: number;
  /** when this session's work began (ms since the epoch): before the client settings and calibration */
  sessionStartedAt: number;
}

export interface InterruptedRun {
  outcome: 'interrupted';
  /** resume it with `resume: true, out: dir` */
  dir: string;
  /** the points recorded before the stop; the unfinished one was discarded */
  records: PointRecord[];
}

export type RunResult = CompletedRun | InterruptedRun;

const NEVER_ABORTED = new AbortController().signal;

function checkedScale(scale: number): number {
  if (!(scale >= MIN_SCALE && scale <= MAX_SCALE)) throw new CliError(`scale: got ${scale}; expected a number from ${MIN_SCALE} to ${MAX_SCALE} (the fraction of the windows to run, e.g. 0.2)`, 2);
  return scale;
}

function checkedRepetitions(reps: number | undefined): number | undefined {
  if (reps !== undefined && !(Number.isInteger(reps) && reps >= 1 && reps <= MAX_REPETITIONS)) {
    throw new CliError(`repetitions: got ${reps}; expected a whole number from 1 to ${MAX_REPETITIONS} (replaces workload.repetitions)`, 2);
  }
  return reps;
}

async function writeReportOf(dir: string): Promise<ReportOutcome> {
  let mod: { writeReport(dir: string): Promise<{ htmlPath: string }> };
  try {
    mod = (await import(REPORT_MODULE)) as typeof mod;
  } catch {
    return { status: 'skipped' };
  }
  try {
    return { status: 'written', htmlPath: (await mod.writeReport(dir)).htmlPath };
  } catch (err) {
    return { status: 'failed', message: (err as Error).message };
  }
}

/** a failed clean-up (the engine gone) must not hide the run's outcome: the next run removes the leftovers */
async function cleanupQuietly(runtime: Runtime, runId: string, emit: RunEventListener): Promise<void> {
  try {
    await runtime.cleanup(runId);
  } catch (err) {
    emit({ type: 'line', text: `could not remove this run's containers and disks (${(err as Error).message.split('\n')[0]}); the next run removes them` });
  }
  emit({ type: 'released' });
}

/**
 * On abort a Docker run's containers go at once, as the Docker runtime's own Ctrl-C hook removed
 * them before this API existed: whatever waits on them (a probe, a window) ends now, and the
 * interrupted path's clean-up removes what started since. Local processes are stopped by that
 * clean-up (and by a terminal's Ctrl-C, which reaches them too).
 */
function removeOnAbort(runtime: Runtime, runId: string, signal: AbortSignal): () => void {
  if (runtime.name !== 'docker') return () => {};
  const remove = () => void runtime.cleanup(runId).catch(() => {});
  signal.addEventListener('abort', remove, { once: true });
  return () => signal.removeEventListener('abort', remove);
}

function sweepEvents(emit: RunEventListener): SweepProgress {
  return {
    point: (n, total, params, etaS) => emit({ type: 'point', n, total, params, etaS }),
    phase: (phase) => emit({ type: 'phase', phase }),
    pointDone: (record, line) => emit({ type: 'point-done', record, line }),
    finish: () => emit({ type: 'sweep-end' }),
  };
}

/**
 * Runs `experiment` (a file, or what loadExperiment returned) to its end or until `signal` aborts.
 * Refusals and bad input throw the lab's errors (RunRefused, CliError, ResultsFormatError: each
 * with the `exitCode` the CLI ends with); a runtime that goes away throws RuntimeLost with the
 * directory to resume. A failed point or a missed expectation is in the result, not thrown.
 */
export async function runExperiment(experiment: string | Experiment, options: RunOptions = {}): Promise<RunResult> {
  const emit: RunEventListener = options.onEvent ?? (() => {});
  const signal = options.signal ?? NEVER_ABORTED;
  const say = (text: string) => emit({ type: 'line', text });
  const runtimeChoice = options.runtime ?? 'auto';
  const scale = checkedScale(options.scale ?? 1);
  const repetitions = checkedRepetitions(options.repetitions);
  if (signal.aborted) throw new Interrupted();

  const asGiven = typeof experiment === 'string' ? loadExperiment(experiment) : experiment;
  let exp = withRepetitions(scaleExperiment(asGiven, scale), repetitions);
  refuseHostDisks(exp, options.allowHostDisk ?? false);
  const codeNow = codeVersionOrRefuse(currentCodeVersion);
  const dir = chooseRunDir(exp, options.out, options.resume ?? false);
  const runId = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  const engines = enginesOf(exp, options.engines ?? {}, runtimeChoice);
  refuseEngineName(options.engine, engines !== undefined, runtimeChoice);
  const dockerOpts = {
    ...(engines ? { engines } : options.engine !== undefined && { engine: options.engine }),
    note: (line: string) => say(`docker: ${line}`),
    say,
  };
  const runtime = await createRuntime(engines ? 'docker' : runtimeChoice, { readyTimeoutS: exp.server.readyTimeoutS }, exp.server.impl.kind === 'command', say, dockerOpts);

  refuseMissingWrk(exp, runtime);
  refuseRootlessDisks(exp, runtime);
  const previous = options.resume ? readRunInfo(dir) : undefined;
  const engineInfo = runtime.engines?.();
  const code = sessionCode(previous, codeNow);
  const info: RunInfo = {
    name: exp.name,
    startedAt: previous?.startedAt ?? new Date().toISOString(),
    experiment: JSON.parse(JSON.stringify(exp)) as unknown,
    runtime: runtime.name,
    host: { ...hostInfo(), ...runtime.environment?.() },
    calibration: previous?.calibration ?? [],
    ...(previous?.loadgenCeilings && { loadgenCeilings: previous.loadgenCeilings }),
    ...(runtime.engineRecord && { engine: runtime.engineRecord() }),
    ...(engineInfo && { engines: { ...engineInfo, ...(previous?.engines?.link && { link: previous.engines.link }) } }),
    tools: toolVersions(),
    ...(code && { code }),
    ...(scale !== 1 && { scale }),
  };
  writeRunInfo(dir, info);
  emit({ type: 'run-dir', dir });
  if (scale !== 1) say(`scale: ${scale} (windows and total: bounds × ${scale}; the grid as in the file)`);
  if (repetitions !== undefined) say(`repetitions: ${repetitions} (the file says ${asGiven.workload.repetitions})`);

  const stopRemovingOnAbort = removeOnAbort(runtime, runId, signal);
  const sessionStartedAt = Date.now();
  let records: PointRecord[];
  try {
    if (signal.aborted) throw new Interrupted();
    const client = await resolveClient(exp, runtime, runId, previous?.client, say);
    exp = { ...exp, clientSettings: client.settings };
    writeRunInfo(dir, Object.assign(info, { client, experiment: JSON.parse(JSON.stringify(exp)) as unknown }));
    const refusal = points(exp).some((p) => p.params.engine === 'wrk') ? wrkRefusal(client.settings) : undefined;
    if (refusal) throw new CliError(`${refusal}, or set client: in the experiment to what wrk can send (check's findings: ${settingsText(client.settings)})`);
    const calibration = await calibrateRun(exp, runtime, runId, info.calibration, signal, say);
    if (calibration.length > info.calibration.length) writeRunInfo(dir, Object.assign(info, { calibration }));
    const unthrottled = checkThrottles(exp, calibration, info.engine);
    if (unthrottled.length > 0 && !options.allowUnthrottled) {
      throw new CliError(`${unthrottled.map(unthrottledLine).join('; ')}: its points would describe a disk that was never throttled; run where the engine applies disk limits (Linux, rootful Docker with the blkio or io controller: README "Your machine"), use a ram profile, or pass --allow-unthrottled to run anyway with those points marked`, 2);
    }
    for (const u of unthrottled) say(`--allow-unthrottled: ${unthrottledLine(u)}; its points are marked`);
    const ceilings = await measureCeilings(exp, runtime, runId, info.loadgenCeilings ?? [], signal, say);
    if (ceilings.length > (info.loadgenCeilings?.length ?? 0)) writeRunInfo(dir, Object.assign(info, { loadgenCeilings: ceilings }));
    if (info.engines && !info.engines.link && runtime.measureLink) {
      const link = await runtime.measureLink(runId, signal);
      say(`link: ${(link.down.bytesPerS / 1e6).toFixed(0)} MB/s server to load generator, ${(link.up.bytesPerS / 1e6).toFixed(0)} MB/s back (${link.down.streams} streams, ${link.down.seconds} s each way)`);
      writeRunInfo(dir, Object.assign(info, { engines: { ...info.engines, link } }));
    }
    records = await runSweep({ exp, runtime, runId, dir, signal, progress: sweepEvents(emit), ceilings, unthrottled: new Map(unthrottled.map((u) => [u.disk, unthrottledLine(u)])), ...(info.engines?.link && { link: info.engines.link }) });
  } catch (err) {
    stopRemovingOnAbort();
    await cleanupQuietly(runtime, runId, emit);
    if (err instanceof Interrupted || signal.aborted) {
      giveToParentOwner(dir);
      return { outcome: 'interrupted', dir, records: readPoints(dir) };
    }
    const lost = err instanceof RuntimeLost ? err.message : await runtime.lost?.();
    if (lost) {
      giveToParentOwner(dir);
      throw new RuntimeLost(lost, dir);
    }
    throw err;
  }
  stopRemovingOnAbort();
  emit({ type: 'measured' });
  await cleanupQuietly(runtime, runId, emit);

  const expectations = evaluateExpectations(exp, records);
  writeRunInfo(dir, { ...info, finishedAt: new Date().toISOString(), ...(expectations.length > 0 && { expectations }) });
  const report = await writeReportOf(dir);
  giveToParentOwner(dir);
  return {
    outcome: 'completed',
    dir,
    experiment: exp,
    records,
    expectations,
    report,
    failed: records.filter((r) => r.outcome === 'failed').length,
    loadgenBound: records.filter((r) => r.loadgenBound).length,
    networkBound: records.filter((r) => r.networkBound).length,
    missed: expectations.filter((e) => !e.passed).length,
    sessionStartedAt,
  };
}
