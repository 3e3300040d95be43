// Every run records its calibration (DESIGN §5, §7): each disk profile the sweep uses is measured
// once per run, before the first point, by the runtime that will serve it. A resumed run keeps
// the entries it has. A profile that cannot be calibrated is reported and left out; it does not
// stop the sweep (its points will say what is wrong with the disk).
import type { Experiment } from '../experiment/experiment.js';
import { points } from '../experiment/grid.js';
import type { Calibration } from '../results/record.js';
import type { Runtime } from '../runtime/types.js';

export async function calibrateRun(
  exp: Experiment,
  runtime: Runtime,
  runId: string,
  have: Calibration[],
  signal: AbortSignal,
  note: (line: string) => void,
): Promise<Calibration[]> {
  if (!runtime.calibrate) return have;
  const out = [...have];
  const used = [...new Set(points(exp).map((p) => p.params.disk))];
  for (const name of used) {
    const disk = exp.disks[name];
    if (!disk || out.some((c) => c.disk === name)) continue;
    const t0 = Date.now();
    try {
      out.push(await runtime.calibrate(disk, runId, signal));
      note(`calibrated disk '${name}' in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } catch (err) {
      if (signal.aborted) throw err;
      note(`calibration of disk '${name}' failed: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return out;
}
