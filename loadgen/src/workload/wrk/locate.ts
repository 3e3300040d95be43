// Where the wrk program is: SPEEDLAB_WRK, then PATH, then (inside the speedlab image only) the
// bundle it carries: the build host's wrk with its own libraries and loader, run through that
// loader (runtime/docker/image/wrk-bundle.ts).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WrkMissingError } from '../../errors.js';
import { findExecutable, isExecutable, pathDirectories } from '../../util/executable.js';

/** the bundle's place relative to the project root, in a checkout and in the image alike */
export const WRK_BUNDLE_DIR = '.image/wrk';

function projectRoot(): string {
  // dist/loadgen/src/workload/wrk -> the root (also from the sources: loadgen/src/workload/wrk)
  const here = path.dirname(fileURLToPath(import.meta.url));
  const up = here.split(path.sep).includes('dist') ? '../../../../..' : '../../../..';
  return path.resolve(here, up);
}

/** the argv prefix that runs wrk (a bundle runs through its own loader) */
export function locateWrk(env: NodeJS.ProcessEnv = process.env, root = projectRoot()): string[] {
  const given = env.SPEEDLAB_WRK;
  if (given) {
    if (!isExecutable(given)) throw new WrkMissingError(`SPEEDLAB_WRK=${given} is not an executable file`);
    return [given];
  }
  const onPath = findExecutable('wrk', pathDirectories(env));
  if (onPath) return [onPath];
  if (!env.SPEEDLAB_IN_IMAGE) throw new WrkMissingError('not on PATH');
  const bundle = path.join(root, WRK_BUNDLE_DIR);
  const loader = path.join(bundle, 'lib', 'loader');
  const bin = path.join(bundle, 'bin', 'wrk');
  if (existsSync(loader) && existsSync(bin)) return [loader, '--library-path', path.join(bundle, 'lib'), bin];
  throw new WrkMissingError('not on PATH, and the image has none');
}
