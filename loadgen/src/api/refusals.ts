// What a run refuses before its first point, in the words the CLI prints (they name its flags).
import { CliError, RunRefused } from '../errors.js';
import type { Experiment } from '../experiment/experiment.js';
import { points } from '../experiment/grid.js';
import type { Runtime } from '../runtime/types.js';
import type { RuntimeChoice } from './runtime-choice.js';

/** the engines of a two-engine run, as the command line (or an API caller) names them */
export interface EngineNames { server?: string; loadgen?: string; address?: string }

/**
 * A `host` disk bind-mounts a host directory into the server container and wears the real disk:
 * an experiment file alone cannot ask for that, the person running it must (--allow-host-disk).
 */
export function refuseHostDisks(exp: Experiment, allowed: boolean): void {
  if (allowed) return;
  const used = [...new Set(points(exp).map((p) => p.params.disk))].filter((d) => exp.disks[d]?.kind === 'host');
  if (used.length > 0) {
    throw new RunRefused(
      `disk ${used.map((d) => `'${d}'`).join(', ')} is a directory on the host's real disk: it mounts a host directory into the server container and wears an SSD; pass --allow-host-disk to run it anyway`,
      2,
    );
  }
}

/** a run that drives load with wrk needs wrk in the image: refused at its start when the image has none */
export function refuseMissingWrk(exp: Experiment, runtime: Runtime): void {
  const missing = runtime.wrkMissing?.();
  if (!missing || !points(exp).some((p) => p.params.engine === 'wrk')) return;
  throw new RunRefused(`engine: wrk: the speedlab image has no wrk, because ${missing}; use engine: autocannon, or build the image ('speedlab image') on a Linux host of the engine's architecture with wrk installed`, 2);
}

/**
 * Rootless Docker cannot give a throttled disk: the disk helper needs root for the loop device,
 * and on cgroup v1 a rootless engine sets no blkio limits at all. Refused before the first point.
 */
export function refuseRootlessDisks(exp: Experiment, runtime: Runtime): void {
  const engine = runtime.engineRecord?.();
  if (!engine?.rootless) return;
  const throttled = [...new Set(points(exp).map((p) => p.params.disk))].filter((d) => exp.disks[d]?.kind === 'throttled');
  if (throttled.length === 0) return;
  const limits = engine.cgroupVersion === 1 ? ', and on cgroup v1 it sets no blkio limits' : '';
  const names = throttled.map((d) => `'${d}'`).join(', ');
  throw new RunRefused(`${throttled.length > 1 ? `disks ${names} are` : `disk ${names} is`} throttled, which rootless Docker (${engine.url}) cannot give: the loop device under it needs root${limits}; use a ram profile here, or a rootful engine for throttled disks (README "Your machine")`, 2);
}

/** the experiment's engines with the caller's on top; undefined for the usual one-engine run */
export function enginesOf(exp: Experiment, given: EngineNames, runtime: RuntimeChoice): Experiment['engines'] {
  const engines = { ...exp.engines, ...given };
  if (engines.server === undefined && engines.loadgen === undefined) {
    const stray = Object.keys(engines);
    if (stray.length > 0) throw new RunRefused(`${stray.map((k) => (k === 'address' ? '--server-address / engines.address' : `engines.${k}`)).join(', ')}: only with two engines (--server-engine and/or --loadgen-engine, or engines.server / engines.loadgen)`, 2);
    return undefined;
  }
  if (runtime === 'local') throw new RunRefused('two engines (--server-engine, --loadgen-engine or engines:) need --runtime docker (or auto)', 2);
  if (exp.server.impl.kind === 'command') throw new RunRefused('two engines run the server in a container: give server.image and server.command instead of a local command', 2);
  return engines;
}

/** --engine names the one engine: not with two, nor with the local runtime */
export function refuseEngineName(engine: string | undefined, twoEngines: boolean, runtime: RuntimeChoice): void {
  if (engine === undefined || (!twoEngines && runtime !== 'local')) return;
  throw new RunRefused(`--engine: names the one Docker engine; ${twoEngines ? 'with two engines use --server-engine and --loadgen-engine' : 'it needs --runtime docker (or auto), not local'}`, 2);
}

/** a checkout whose code version cannot be read is a usage error (exit 2) */
export function codeVersionOrRefuse<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
}
