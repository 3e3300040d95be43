// wrk for the speedlab image, registry or not: the host's wrk with the shared objects ldd lists
// and the host's loader, staged under .image/wrk/ in the build context. The image runs it through
// that loader (workload/wrk/locate.ts), so it needs nothing from the base image. Only when host and
// engine share OS and CPU architecture: a macOS or arm64 host's wrk does not run in a Linux x86_64
// container (and macOS has no ldd); then the image has no wrk, and a run that uses it is refused.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { findExecutable, isExecutable, pathDirectories } from '../../../util/executable.js';
import { WRK_BUNDLE_DIR } from '../../../workload/wrk/locate.js';
import { hostBinaryMismatch, platformName, THIS_HOST, type EngineKind, type HostKind } from '../../platform.js';
import { parseLdd } from './local-base.js';

/** SPEEDLAB_WRK when it is executable, else the first wrk on PATH */
function hostWrk(env: NodeJS.ProcessEnv): string | undefined {
  if (env.SPEEDLAB_WRK && isExecutable(env.SPEEDLAB_WRK)) return env.SPEEDLAB_WRK;
  return findExecutable('wrk', pathDirectories(env));
}

const NO_HOST_WRK = 'this host has no wrk (apt-get install wrk, then speedlab image)';

/**
 * why no wrk can come from this host, judged from the host alone (plan asks no engine): a wrk
 * reaches the image only from a Linux host, and the local runtime runs only on Linux. An engine of
 * another CPU architecture is found out at the run's start (stageWrkBundle).
 */
export function hostWrkMissing(env: NodeJS.ProcessEnv = process.env, host: HostKind = THIS_HOST): string | undefined {
  if (host.platform !== 'linux') return `this host is ${platformName(host.platform)}: its wrk runs neither in the engine's Linux containers nor in the local runtime, which needs Linux`;
  return hostWrk(env) ? undefined : NO_HOST_WRK;
}

export type WrkBundle = { wrk: string } | { none: string };

/**
 * stages the bundle under root/.image/wrk: the wrk it copied, or why there is none (the bundle is
 * then removed): no wrk on this host, or a host whose binaries the engine cannot run
 */
export function stageWrkBundle(root: string, engine: EngineKind, env: NodeJS.ProcessEnv = process.env, host: HostKind = THIS_HOST): WrkBundle {
  const dir = path.join(root, WRK_BUNDLE_DIR);
  rmSync(dir, { recursive: true, force: true });
  const mismatch = hostBinaryMismatch(host, engine);
  if (mismatch) return { none: `${mismatch}: this host's wrk cannot run in its containers` };
  const wrk = hostWrk(env);
  if (!wrk) return { none: NO_HOST_WRK };
  const objects = parseLdd(execFileSync('ldd', [wrk], { encoding: 'utf8' }));
  const loader = objects.find((o) => /\/ld-linux[^/]*\.so/.test(o));
  if (!loader) throw new Error(`cannot find the dynamic loader of ${wrk} in ldd's output`);
  mkdirSync(path.join(dir, 'bin'), { recursive: true });
  mkdirSync(path.join(dir, 'lib'));
  copyFileSync(wrk, path.join(dir, 'bin', 'wrk'));
  for (const lib of objects) copyFileSync(lib, path.join(dir, 'lib', lib === loader ? 'loader' : path.basename(lib)));
  return { wrk };
}
