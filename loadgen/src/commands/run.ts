// speedlab run FILE [flags] (its flags: RUN in definitions.ts): the sweep, its results and its report.
import { resolveClient } from '../check/auto.js';
import { settingsText } from '../results/client-settings.js';
import { wrkRefusal } from '../experiment/client.js';
import { CliError, EXIT_INTERRUPTED, Interrupted, RuntimeLost } from '../errors.js';
import { NETWORK_BOUND_SHARE } from '../analysis/network.js';
import { evaluateExpectations } from '../experiment/expectations.js';
import { points } from '../experiment/grid.js';
import { loadExperiment } from '../experiment/load.js';
import type { Experiment } from '../experiment/experiment.js';
import { MAX_REPETITIONS, MAX_SCALE, MIN_SCALE, scaleExperiment, withRepetitions } from '../experiment/scale.js';
import { formatDuration } from '../experiment/units.js';
import { currentCodeVersion, sessionCode } from '../results/code.js';
import { hostInfo, toolVersions } from '../results/host.js';
import type { CodeVersion, ExpectationResult, PointRecord, RunInfo } from '../results/record.js';
import { giveToParentOwner } from '../results/ownership.js';
import { readRunInfo, writeRunInfo } from '../results/store.js';
import { RUN } from './definitions.js';
import { createRuntime, type RuntimeChoice } from './runtime-choice.js';
import type { Runtime } from '../runtime/types.js';
import { Progress } from '../sweep/progress.js';
import { chooseRunDir } from '../sweep/run-dir.js';
import { calibrateRun } from '../sweep/calibration.js';
import { checkThrottles, unthrottledLine } from '../sweep/throttle-check.js';
import { measureCeilings } from '../sweep/capacity.js';
import { runSweep } from '../sweep/sweep.js';
import { bytesLine, resultsTable } from '../sweep/table.js';

// a variable specifier: the report is built separately and may be absent
const REPORT_MODULE = '../report/index.js';

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

async function report(dir: string): Promise<{ line: string; ok: boolean }> {
  let mod: { writeReport(dir: string): Promise<{ htmlPath: string }> };
  try {
    mod = (await import(REPORT_MODULE)) as typeof mod;
  } catch {
    return { line: 'report: skipped (the report module is not built)', ok: true };
  }
  try {
    const r = await mod.writeReport(dir);
    return { line: `report: ${r.htmlPath}`, ok: true };
  } catch (err) {
    return { line: `report: FAILED: ${(err as Error).message}`, ok: false };
  }
}

/** a failed clean-up (the engine gone) must not hide the run's outcome: the next run removes the leftovers */
async function cleanupQuietly(runtime: Runtime, runId: string): Promise<void> {
  try {
    await runtime.cleanup(runId);
  } catch (err) {
    console.error(`could not remove this run's containers and disks (${(err as Error).message.split('\n')[0]}); the next run removes them`);
  }
}

/**
 * A `host` disk bind-mounts a host directory into the server container and wears the real disk:
 * an experiment file alone cannot ask for that, the person running it must (--allow-host-disk).
 */
function refuseHostDisks(exp: Experiment, allowed: boolean): void {
  if (allowed) return;
  const used = [...new Set(points(exp).map((p) => p.params.disk))].filter((d) => exp.disks[d]?.kind === 'host');
  if (used.length > 0) {
    throw new CliError(
      `disk ${used.map((d) => `'${d}'`).join(', ')} is a directory on the host's real disk: it mounts a host directory into the server container and wears an SSD; pass --allow-host-disk to run it anyway`,
      2,
    );
  }
}

/** a run that drives load with wrk needs wrk in the image: refused at its start when the image has none */
function refuseMissingWrk(exp: Experiment, runtime: Runtime): void {
  const missing = runtime.wrkMissing?.();
  if (!missing || !points(exp).some((p) => p.params.engine === 'wrk')) return;
  throw new CliError(`engine: wrk: the speedlab image has no wrk, because ${missing}; use engine: autocannon, or build the image ('speedlab image') on a Linux host of the engine's architecture with wrk installed`, 2);
}

/**
 * Rootless Docker cannot give a throttled disk: the disk helper needs root for the loop device,
 * and on cgroup v1 a rootless engine sets no blkio limits at all. Refused before the first point.
 */
function refuseRootlessDisks(exp: Experiment, runtime: Runtime): void {
  const engine = runtime.engineRecord?.();
  if (!engine?.rootless) return;
  const throttled = [...new Set(points(exp).map((p) => p.params.disk))].filter((d) => exp.disks[d]?.kind === 'throttled');
  if (throttled.length === 0) return;
  const limits = engine.cgroupVersion === 1 ? ', and on cgroup v1 it sets no blkio limits' : '';
  const names = throttled.map((d) => `'${d}'`).join(', ');
  throw new CliError(`${throttled.length > 1 ? `disks ${names} are` : `disk ${names} is`} throttled, which rootless Docker (${engine.url}) cannot give: the loop device under it needs root${limits}; use a ram profile here, or a rootful engine for throttled disks (README "Your machine")`, 2);
}

/** the experiment's engines: with the command line's on top; undefined for the usual one-engine run */
function enginesOf(exp: Experiment, args: Args): Experiment['engines'] {
  const engines = { ...exp.engines, ...args.engines };
  if (engines.server === undefined && engines.loadgen === undefined) {
    const stray = Object.keys(engines);
    if (stray.length > 0) throw new CliError(`${stray.map((k) => (k === 'address' ? '--server-address / engines.address' : `engines.${k}`)).join(', ')}: only with two engines (--server-engine and/or --loadgen-engine, or engines.server / engines.loadgen)`, 2);
    return undefined;
  }
  if (args.runtime === 'local') throw new CliError('two engines (--server-engine, --loadgen-engine or engines:) need --runtime docker (or auto)', 2);
  if (exp.server.impl.kind === 'command') throw new CliError('two engines run the server in a container: give server.image and server.command instead of a local command', 2);
  return engines;
}

function codeVersion(): CodeVersion | undefined {
  try {
    return currentCodeVersion();
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
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

function expectationLines(results: ExpectationResult[]): string[] {
  return results.map((r) => `${r.passed ? 'PASS' : 'FAIL'}  ${r.description}\n      ${r.detail}`);
}

export async function main(argv: string[]): Promise<number> {
  const args = parse(argv);
  if (!args) return 0;
  let exp = withRepetitions(scaleExperiment(loadExperiment(args.file), args.scale), args.repetitions);
  refuseHostDisks(exp, args.allowHostDisk);
  const codeNow = codeVersion();
  const dir = chooseRunDir(exp, args.out, args.resume);
  const runId = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  const engines = enginesOf(exp, args);
  if (args.engine !== undefined && (engines || args.runtime === 'local')) {
    throw new CliError(`--engine: names the one Docker engine; ${engines ? 'with two engines use --server-engine and --loadgen-engine' : 'it needs --runtime docker (or auto), not local'}`, 2);
  }
  const dockerOpts = engines ? { engines } : args.engine !== undefined ? { engine: args.engine } : undefined;
  const runtime = await createRuntime(engines ? 'docker' : args.runtime, { readyTimeoutS: exp.server.readyTimeoutS }, exp.server.impl.kind === 'command', (t) => console.error(t), dockerOpts);

  refuseMissingWrk(exp, runtime);
  refuseRootlessDisks(exp, runtime);
  const previous = args.resume ? readRunInfo(dir) : undefined;
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
    ...(args.scale !== 1 && { scale: args.scale }),
  };
  writeRunInfo(dir, info);
  console.error(`results: ${dir}`);
  if (args.scale !== 1) console.error(`scale: ${args.scale} (windows and total: bounds × ${args.scale}; the grid as in the file)`);
  if (args.repetitions !== undefined) console.error(`repetitions: ${args.repetitions} (the file says ${loadExperiment(args.file).workload.repetitions})`);

  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const started = Date.now();
  let records: PointRecord[];
  try {
    const client = await resolveClient(exp, runtime, runId, previous?.client, (t) => console.error(t));
    exp = { ...exp, clientSettings: client.settings };
    writeRunInfo(dir, Object.assign(info, { client, experiment: JSON.parse(JSON.stringify(exp)) as unknown }));
    const refusal = points(exp).some((p) => p.params.engine === 'wrk') ? wrkRefusal(client.settings) : undefined;
    if (refusal) throw new CliError(`${refusal}, or set client: in the experiment to what wrk can send (check's findings: ${settingsText(client.settings)})`);
    const calibration = await calibrateRun(exp, runtime, runId, info.calibration, abort.signal, (t) => console.error(t));
    if (calibration.length > info.calibration.length) writeRunInfo(dir, Object.assign(info, { calibration }));
    const unthrottled = checkThrottles(exp, calibration, info.engine);
    if (unthrottled.length > 0 && !args.allowUnthrottled) {
      throw new CliError(`${unthrottled.map(unthrottledLine).join('; ')}: its points would describe a disk that was never throttled; run where the engine applies disk limits (Linux, rootful Docker with the blkio or io controller: README "Your machine"), use a ram profile, or pass --allow-unthrottled to run anyway with those points marked`, 2);
    }
    for (const u of unthrottled) console.error(`--allow-unthrottled: ${unthrottledLine(u)}; its points are marked`);
    const ceilings = await measureCeilings(exp, runtime, runId, info.loadgenCeilings ?? [], abort.signal, (t) => console.error(t));
    if (ceilings.length > (info.loadgenCeilings?.length ?? 0)) writeRunInfo(dir, Object.assign(info, { loadgenCeilings: ceilings }));
    if (info.engines && !info.engines.link && runtime.measureLink) {
      const link = await runtime.measureLink(runId, abort.signal);
      console.error(`link: ${(link.down.bytesPerS / 1e6).toFixed(0)} MB/s server to load generator, ${(link.up.bytesPerS / 1e6).toFixed(0)} MB/s back (${link.down.streams} streams, ${link.down.seconds} s each way)`);
      writeRunInfo(dir, Object.assign(info, { engines: { ...info.engines, link } }));
    }
    records = await runSweep({ exp, runtime, runId, dir, signal: abort.signal, progress: new Progress(), ceilings, unthrottled: new Map(unthrottled.map((u) => [u.disk, unthrottledLine(u)])), ...(info.engines?.link && { link: info.engines.link }) });
  } catch (err) {
    if (err instanceof Interrupted || abort.signal.aborted) {
      await cleanupQuietly(runtime, runId);
      giveToParentOwner(dir);
      console.error(`interrupted: the unfinished point was discarded; finish with: speedlab run ${args.file} --out ${dir} --resume`);
      return EXIT_INTERRUPTED;
    }
    await cleanupQuietly(runtime, runId);
    const lost = err instanceof RuntimeLost ? err.message : await runtime.lost?.();
    if (lost) {
      giveToParentOwner(dir);
      throw new CliError(`${lost}; then finish the run with: speedlab run ${args.file} --out ${dir} --resume${resumeFlags(args)}`);
    }
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  await cleanupQuietly(runtime, runId);

  const expectations = evaluateExpectations(exp, records);
  writeRunInfo(dir, { ...info, finishedAt: new Date().toISOString(), ...(expectations.length > 0 && { expectations }) });
  const rep = await report(dir);
  giveToParentOwner(dir);

  const failed = records.filter((r) => r.outcome === 'failed');
  const bound = records.filter((r) => r.loadgenBound);
  const netBound = records.filter((r) => r.networkBound);
  const out: string[] = [resultsTable(exp, records), '', bytesLine(records)];
  if (bound.length > 0) out.push(`${bound.length} of ${records.length} points were loadgen-bound (the load generator used >= 90% of a core, or the rate was above half of its ceiling): their numbers measure the load generator, not the server`);
  if (netBound.length > 0) out.push(`${netBound.length} of ${records.length} points were network-bound (they moved more than ${NETWORK_BOUND_SHARE * 100}% of what the link between the engines carries): their numbers measure the network, not the server`);
  if (failed.length > 0) out.push(`${failed.length} of ${records.length} points FAILED (see the notes above and points.jsonl)`);
  if (expectations.length > 0) out.push('', 'expectations:', ...expectationLines(expectations));
  out.push('', rep.line, `results: ${dir} (${points(exp).length} points, this session ${formatDuration((Date.now() - started) / 1000)})`);
  console.log(out.join('\n'));
  const missed = expectations.some((e) => !e.passed);
  return missed || failed.length > 0 || !rep.ok ? 1 : 0;
}
