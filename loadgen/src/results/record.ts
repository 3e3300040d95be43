// The contract between the sweep (which writes points.jsonl and run.json) and the report
// (which reads them). DESIGN §7. Every field is plain JSON.

import type { Engine, LockMode, LogMode, LogWrite, Mix, SyncMode } from './params.js';

// the parameters' value types, named here with the record they describe; params.ts lists the values
export type { Engine, LockMode, LogMode, LogWrite, Mix, SyncMode };

/** The parameters that identify one measured point. */
export interface PointParams {
  threads: number;
  /** bytes */
  fileSize: number;
  log: LogMode;
  lock: LockMode;
  logWrite: LogWrite;
  sync: SyncMode;
  /** disk profile name: 'ram', 'hdd', 'sd-card', a custom name, or 'host' */
  disk: string;
  mix: Mix;
  connections: number;
  /** the load generator; records written before it existed were all autocannon */
  engine: Engine;
  /** 0-based repetition index */
  repetition: number;
}

export interface LatencyMicros {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export interface PointRecord {
  /** stable key of params (without repetition it names the cell; with it, the point) */
  id: string;
  params: PointParams;
  /** 'ok' when measured and verified; 'failed' when the point could not be measured or verification failed */
  outcome: 'ok' | 'failed';
  /** why the point failed (server died, verification mismatch, ...) */
  failure?: string;
  startedAt: string; // ISO
  finishedAt: string; // ISO
  /** measured window, seconds */
  durationS: number;
  requests: number;
  requestsPerS: number;
  /** content bytes moved per second (request + response bodies) */
  bytesPerS: number;
  latencyUs: LatencyMicros;
  /** status code -> count, e.g. { "200": 1000, "500": 3 } */
  statusCounts: Record<string, number>;
  /** connection errors and timeouts */
  errors: number;
  timeouts: number;
  /** server CPU use in cores (1.0 = one core busy) averaged over the window */
  serverCpuCores: number;
  /** CPUs available to the server (cpuset size, or nproc for local) */
  serverCpus: number;
  serverMemPeakBytes?: number;
  /** bytes read/written on the device backing the data directory during the window */
  deviceReadBytes: number;
  deviceWriteBytes: number;
  /** log file growth during the window */
  logBytes: number;
  /**
   * bytes the server itself caused to be written to the host's real block devices during the
   * window (local: its processes' /proc io write_bytes); absent when the runtime cannot tell
   */
  hostWriteBytes?: number;
  /** the whole host's writes to the device backing `/` during the window, every process included */
  hostDeviceWrite?: { device: string; bytes: number };
  /** loadgen CPU use in cores averaged over the window */
  loadgenCpuCores: number;
  /**
   * true when the load generator may have limited the result, which is then not trusted: it used
   * >= 0.9 core, or the point's rate was above half of its engine's ceiling (run.json)
   */
  loadgenBound: boolean;
  /** requests/s as a share of the engine's ceiling (run.json's loadgenCeilings), where it was measured */
  loadgenCeilingShare?: number;
  verification: { checked: number; mismatches: number; detail?: string };
  /** the disk profile's configured limits, when throttled (bytes/s, ops/s) */
  diskLimits?: { writeBps?: number; readBps?: number; writeIops?: number; readIops?: number };
}

export interface Calibration {
  disk: string;
  /** MiB/s measured */
  directWriteMiBps?: number;
  bufferedWriteMiBps?: number;
  fsyncWriteMiBps?: number;
  /** buffered read after the file's pages were dropped: read-ahead sized requests */
  readMiBps?: number;
  /** O_DIRECT reads of 1 MiB: what the device's read limits allow for large requests */
  directReadMiBps?: number;
  limits?: PointRecord['diskLimits'];
}

/** run.json */
export interface RunInfo {
  name: string;
  startedAt: string;
  finishedAt?: string;
  /** the resolved experiment, as validated */
  experiment: unknown;
  runtime: 'local' | 'docker';
  host: {
    hostname: string;
    kernel: string;
    cgroupVersion: 1 | 2;
    cpus: number;
    cpuModel: string;
    memBytes: number;
    dockerVersion?: string;
    node: string;
    serverCpuset?: string;
    loadgenCpuset?: string;
  };
  calibration: Calibration[];
  /** the load generator's ceilings (sweep/capacity.ts); absent in runs made before they existed */
  loadgenCeilings?: LoadgenCeiling[];
  tools: Record<string, string>;
  /** run --scale F: the windows (and total: bounds) were F × the file's; absent for a full run */
  scale?: number;
  /** results of the experiment's expect checks, filled after the sweep */
  expectations?: ExpectationResult[];
  /**
   * the code the run measured (results/code.ts); absent when the lab could not tell (no git or no
   * checkout, as in the Docker image, without SPEEDLAB_CODE_COMMIT) and in runs made before it existed
   */
  code?: CodeVersion;
}

/** the lab checkout at run time */
export interface CodeVersion {
  /** git rev-parse HEAD */
  commit: string;
  /** uncommitted changes (untracked files too) under server/ or loadgen/src/ */
  dirty: boolean;
  /**
   * git tree hashes at that commit of server/ and of the load path (loadgen/src/workload):
   * equal hashes mean unchanged code; absent when SPEEDLAB_CODE_COMMIT passed the commit in
   */
  paths?: { server: string; load: string };
  /**
   * a resumed run keeps the code of the session that started it; each later session whose code
   * differed from it and from the earlier ones is listed here, in order
   */
  resumedWith?: Array<Omit<CodeVersion, 'resumedWith'>>;
}

/** an engine's ceiling, measured against a trivial responder on the load generator's CPUs */
export interface LoadgenCeiling {
  engine: Engine;
  connections: number;
  /** requests/s the engine can drive: its requests per CPU-second, times the cores it can use */
  requestsPerS: number;
  /** the rate it reached against the responder, which shared its CPUs */
  measuredPerS: number;
  /** the engine's own CPU in that window, in cores */
  cpuCores: number;
  windowS: number;
}

export interface ExpectationResult {
  description: string;
  passed: boolean;
  /** the measured value(s) behind the verdict, in words */
  detail: string;
}
