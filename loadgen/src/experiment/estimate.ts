// Estimates for `plan`: wall time and bytes written. The rates a point will reach are unknown
// before it runs, so bytes are estimated at assumed ceilings (stated in the output), which
// makes them an upper-end guess rather than a prediction.
import type { PointParams } from '../results/record.js';
import { opShares } from '../workload/mix.js';
import type { Experiment } from './experiment.js';
import type { Point } from './grid.js';

/** content a server moves per second at most, on a RAM disk (assumed ceiling) */
export const ASSUMED_CONTENT_BPS = 300 * 1024 * 1024;
/** requests per second at most (assumed ceiling for small files) */
export const ASSUMED_REQUESTS_PER_S = 20_000;
/** a full log entry is about 3.45 × the content: 20 bytes per line of 8 + 20×3 + 1 characters */
const FULL_LOG_FACTOR = 3.45;
const META_LOG_BYTES_PER_REQUEST = 48;
/** measured on the 2-core dev machine: spawning a loadgen process, starting and stopping a server */
const LOADGEN_SPAWN_S = 0.35;
const SERVER_START_STOP_S = 0.6;
/** the seed and verify passes' own content rate and per-request cost */
const PASS_BPS = 200 * 1024 * 1024;
const PASS_REQUEST_S = 0.001;

interface PointEstimate {
  wallS: number;
  dataBytes: number;
  logBytes: number;
  /** the most the point's data volume holds at once: files, files in flight, log */
  peakVolumeBytes: number;
}

function fileCount(exp: Experiment, p: PointParams): number {
  const f = exp.workload.files;
  return f.kind === 'shared' ? f.count : p.connections * f.perConnection;
}

export function estimatePoint(exp: Experiment, p: PointParams): PointEstimate {
  const w = exp.workload;
  const names = fileCount(exp, p);
  const shares = opShares({ mix: p.mix, ratio: w.ratio });
  const disk = exp.disks[p.disk];
  const logFactor = p.log === 'full' ? FULL_LOG_FACTOR : 0;
  let contentBps = ASSUMED_CONTENT_BPS;
  if (disk?.writeBps && shares.put > 0) contentBps = Math.min(contentBps, disk.writeBps / (shares.put + logFactor * (shares.put + shares.get)));
  const reqPerS = Math.min(ASSUMED_REQUESTS_PER_S, contentBps / p.fileSize);
  const windowS = w.warmupS + (w.requests !== undefined ? w.requests / reqPerS : w.durationS);
  const windowRequests = reqPerS * windowS;

  // seed: one PUT per name; verify: GET, PUT, GET, HEAD per name
  const passPuts = 2 * names;
  const passGets = 2 * names;
  const passS = (names * p.fileSize * 4) / PASS_BPS + (names * 5 * PASS_REQUEST_S) / Math.min(p.connections, 8);
  const dataBytes = (passPuts + windowRequests * shares.put) * p.fileSize;
  const contentLogged = (passPuts + passGets + windowRequests * (shares.put + shares.get)) * p.fileSize;
  const requests = passPuts + passGets + names + windowRequests;
  const logBytes = p.log === 'full' ? contentLogged * FULL_LOG_FACTOR + requests * 32 : p.log === 'meta' ? requests * META_LOG_BYTES_PER_REQUEST : 0;
  const loadgenRuns = 3 + (w.warmupS > 0 ? 1 : 0);
  return {
    wallS: SERVER_START_STOP_S + loadgenRuns * LOADGEN_SPAWN_S + windowS + passS,
    dataBytes,
    logBytes,
    peakVolumeBytes: (names + p.connections * shares.put) * p.fileSize + logBytes,
  };
}

interface PlanEstimate {
  wallS: number;
  dataBytes: number;
  logBytes: number;
  /** per disk profile: the largest volume a point needs, and the profile's size */
  disks: { name: string; peakBytes: number; sizeBytes: number }[];
}

export function estimatePlan(exp: Experiment, pts: Point[]): PlanEstimate {
  const disks = new Map<string, { name: string; peakBytes: number; sizeBytes: number }>();
  let wallS = 0;
  let dataBytes = 0;
  let logBytes = 0;
  for (const pt of pts) {
    const e = estimatePoint(exp, pt.params);
    wallS += e.wallS;
    dataBytes += e.dataBytes;
    logBytes += e.logBytes;
    const d = disks.get(pt.params.disk) ?? { name: pt.params.disk, peakBytes: 0, sizeBytes: exp.disks[pt.params.disk]?.sizeBytes ?? 0 };
    d.peakBytes = Math.max(d.peakBytes, e.peakVolumeBytes);
    disks.set(d.name, d);
  }
  return { wallS, dataBytes, logBytes, disks: [...disks.values()] };
}
