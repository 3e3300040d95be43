// speedlab plan FILE: the grid, the number of points, estimated wall time and bytes written.
import { statfsSync } from 'node:fs';
import { paramText, serverText, sweptText, workloadText } from '../experiment/describe.js';
import { ASSUMED_CONTENT_BPS, ASSUMED_REQUESTS_PER_S, estimatePlan, estimatePoint } from '../experiment/estimate.js';
import { cells, points } from '../experiment/grid.js';
import { loadExperiment } from '../experiment/load.js';
import { formatBytes, formatDuration } from '../experiment/units.js';
import { CliError } from '../errors.js';
import { hostWrkMissing } from '../runtime/docker/image/wrk-bundle.js';
import { PLAN } from './definitions.js';

function shmFreeBytes(): number | undefined {
  try {
    const s = statfsSync('/dev/shm');
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

export async function main(argv: string[]): Promise<number> {
  const args = PLAN.parse(argv);
  if (!args) return 0;
  const file = args.operands[0]!;
  const exp = loadExperiment(file);
  const pts = points(exp);
  const est = estimatePlan(exp, pts);

  const out: string[] = [];
  out.push(`experiment ${exp.name} (${file})${exp.description ? `: ${exp.description}` : ''}`);
  out.push(`server:   ${serverText(exp)}`);
  out.push(`workload: ${workloadText(exp)}`);
  const axes = exp.sweep.map(({ key, values }) => `${key} [${values.map((v) => paramText(key, v)).join(', ')}]`);
  out.push(`grid:     ${axes.join(' × ') || 'no swept parameter'} = ${cells(exp).length} cells × ${exp.workload.repetitions} repetitions = ${pts.length} points (repetitions interleaved)`);
  out.push('');
  out.push('points:');
  for (const pt of pts) {
    const e = estimatePoint(exp, pt.params);
    out.push(`  ${String(pt.index + 1).padStart(4)}  ${sweptText(exp, pt.params).padEnd(48)} ~${formatDuration(e.wallS)}`);
  }
  out.push('');
  out.push(`estimated wall time:     ~${formatDuration(est.wallS)}`);
  const logged = pts.some((pt) => pt.params.log !== 'off');
  const logText = !logged
    ? 'no log'
    : exp.server.impl.kind === 'reference'
      ? `log ~${formatBytes(est.logBytes)} (full logging writes about 3.45× the content)`
      // a user's server writes its own log at its own rate: the estimate is a bound, not a guess
      : `log: your server's own (the lab does not control its format or rate; in the course's hex format at these rates it would be at most ~${formatBytes(est.logBytes)})`;
  out.push(`estimated bytes written: data volume ~${formatBytes(est.dataBytes)}, ${logText}`);
  out.push(`  (bytes assume the server reaches at most ${ASSUMED_REQUESTS_PER_S} req/s and ${formatBytes(ASSUMED_CONTENT_BPS)}/s of content, or the disk profile's write limit)`);
  const warnings: string[] = [];
  for (const d of est.disks) {
    out.push(`  disk ${d.name}: a point needs up to ~${formatBytes(d.peakBytes)} of its ${formatBytes(d.sizeBytes)}`);
    if (d.peakBytes > d.sizeBytes) warnings.push(`warning: disk profile '${d.name}' (${formatBytes(d.sizeBytes)}) may fill up: a point may write ~${formatBytes(d.peakBytes)}; raise disks.${d.name}.size or shorten the duration`);
  }
  const shm = shmFreeBytes();
  const ramPeak = Math.max(0, ...est.disks.filter((d) => exp.disks[d.name]?.kind === 'ram').map((d) => d.peakBytes));
  if (shm !== undefined && ramPeak > shm) warnings.push(`warning: the local runtime keeps data in /dev/shm, which has ${formatBytes(shm)} free; a point may need ~${formatBytes(ramPeak)}`);
  console.log(out.join('\n'));
  for (const w of warnings) console.log(w);
  const noWrk = pts.some((pt) => pt.params.engine === 'wrk') ? hostWrkMissing() : undefined;
  if (noWrk) {
    throw new CliError(`engine: wrk: no wrk for this run: ${noWrk}; use engine: autocannon, or install wrk on a Linux host of the engine's CPU architecture and build the image there ('speedlab image')`, 2);
  }
  return 0;
}
