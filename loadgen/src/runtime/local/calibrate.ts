// The local runtime's calibration: its only profile, ram, is a directory in /dev/shm, measured
// with the same program (calibrate-main.js, dd) the docker runtime runs against its disks.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { calibrationMiB } from '../../disk/calibrate.js';
import type { DiskProfile } from '../../disk/profile.js';
import type { Calibration } from '../../results/record.js';
import { calibrationRatesSchema } from '../../results/schema.js';
import { lastJsonLine } from '../../validate.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// the compiled program (disk/calibrate-main.ts), also when this module runs from source (tests)
const MAIN = here.split(path.sep).includes('dist')
  ? path.resolve(here, '../../disk/calibrate-main.js')
  : path.resolve(here, '../../../../dist/loadgen/src/disk/calibrate-main.js');

export async function calibrateLocal(p: DiskProfile, baseDir: string, runId: string, signal?: AbortSignal): Promise<Calibration> {
  if (p.kind !== 'ram') throw new Error(`disk '${p.name}' is ${p.kind}; the local runtime has only the ram profile`);
  // named and marked as the local runtime's server directories are, so its clean-up (this run's,
  // or a later run's stale clean-up after a crash) removes it too
  const dir = mkdtempSync(path.join(baseDir, `speedlab-${runId}-calibrate-`));
  writeFileSync(path.join(dir, 'owner.pid'), String(process.pid));
  writeFileSync(path.join(dir, 'server.pid'), '0');
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [MAIN, dir, String(calibrationMiB(p))], { signal });
    const measured = lastJsonLine(calibrationRatesSchema, stdout, `the calibration of '${p.name}'`);
    return { disk: p.name, ...measured };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
