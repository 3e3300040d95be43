// Choosing the results directory for `run`, fresh or resumed.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { CliError } from '../errors.js';
import type { Experiment } from '../experiment/experiment.js';
import { defaultRunDir, POINTS_FILE, readPoints, readRunInfo, RUN_FILE } from '../results/store.js';

const RESULTS_ROOT = 'results';

/** the newest results/<name>-<timestamp>/ holding a run.json */
function latestRunDir(name: string): string | undefined {
  if (!existsSync(RESULTS_ROOT)) return undefined;
  const re = new RegExp(`^${name.replace(/[.]/g, '\\.')}-\\d{8}T\\d{6}Z$`);
  const dirs = readdirSync(RESULTS_ROOT).filter((d) => re.test(d) && existsSync(path.join(RESULTS_ROOT, d, RUN_FILE))).sort();
  const last = dirs.at(-1);
  return last === undefined ? undefined : path.join(RESULTS_ROOT, last);
}

export function chooseRunDir(exp: Experiment, out: string | undefined, resume: boolean): string {
  if (!resume) {
    const dir = out ?? defaultRunDir(RESULTS_ROOT, exp.name);
    if (existsSync(path.join(dir, POINTS_FILE)) || existsSync(path.join(dir, RUN_FILE))) {
      throw new CliError(`${dir} already holds results; add --resume to finish that run, or choose another --out`);
    }
    return dir;
  }
  const dir = out ?? latestRunDir(exp.name);
  if (!dir) throw new CliError(`--resume: no earlier run of '${exp.name}' under ${RESULTS_ROOT}/; give its directory with --out DIR`);
  const info = readRunInfo(dir);
  if (!info) throw new CliError(`--resume: ${dir} has no ${RUN_FILE}; it is not a run directory`);
  // compare as JSON: what run.json holds
  if (!isDeepStrictEqual(info.experiment, JSON.parse(JSON.stringify(exp)))) {
    throw new CliError(`--resume: the experiment changed since ${dir} was started; start a new run (without --resume) or restore the file`);
  }
  // a wrong line stops the run here, before a runtime is started, not after calibration
  readPoints(dir);
  return dir;
}
