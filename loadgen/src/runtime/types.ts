// The contract between the sweep and the places a server can run (DESIGN §4).
// The sweep never knows whether it talks to a child process or a container.
import type { DiskProfile } from '../disk/profile.js';
import type { OwnEnd, ProcessEnd } from './death.js';
import type { Calibration, LockMode, LogMode, LogWrite, PointNetwork, RunEngine, RunEngines, RunInfo, SyncMode } from '../results/record.js';

export type { DiskProfile };

/** How the server under test is started. */
export type ServerImpl =
  | { kind: 'reference' }
  /** a user's own server: argv with {port}, {threads}, {log} placeholders (local runtime) */
  | { kind: 'command'; command: string[] }
  /** a user's own image (docker runtime); command as above */
  | { kind: 'image'; image: string; command: string[] };

export interface ServerSpec {
  impl: ServerImpl;
  threads: number;
  log: LogMode;
  lock: LockMode;
  logWrite: LogWrite;
  sync: SyncMode;
  /** reference server only: --io-delay, a modelled device service time per request (absent: 0) */
  ioDelayMs?: number;
  /** reference server only: --log-delay, a modelled log-device time per log entry (absent: 0) */
  logDelayMs?: number;
  disk: DiskProfile;
  /** labels every resource of this run (stale cleanup) */
  runId: string;
}

/** Cumulative counters; the sweep takes a snapshot before and after the measured window. */
export interface ServerStats {
  /** CPU seconds used by the server so far (user + system) */
  cpuSeconds: number;
  readBytes: number;
  writeBytes: number;
  /** size of the log file now (0 without a log) */
  logBytes: number;
  memPeakBytes?: number;
  /** bytes the server caused to be written to the host's real block devices (not the disk profile's own device) */
  hostWriteBytes?: number;
  /**
   * true when readBytes/writeBytes count every read/write call, sockets included (the local
   * runtime on tmpfs: no block device to ask); the sweep then subtracts the loadgen's wire bytes
   */
  ioIncludesSockets?: boolean;
}

export interface RunningServer {
  /** where the load generator reaches it: 127.0.0.1, but with two engines */
  host: string;
  port: number;
  /** true when it runs on another machine than this process (its host disk is not ours) */
  remote?: boolean;
  /** two engines: the network path to it, measured now (round trips; the run's link) */
  networkPath?(signal?: AbortSignal): Promise<PointNetwork>;
  /** CPUs the server may use */
  cpus: number;
  /** which CPUs, as a cpuset list ("0-1"); absent: every CPU of this machine */
  cpuList?: string;
  /** the server's processes under this machine's PIDs, for the thread sampler; or why they cannot be read from here */
  processes?(): number[] | string;
  /** with a CPU split on this machine: the load generator's CPUs, where the lab's own process (its sampler too) keeps during a window, sampling or not */
  labCpuList?: string;
  stats(): Promise<ServerStats>;
  /** resolves when the server process/container ends: how (runtime/death.ts words it) */
  exited: Promise<ProcessEnd>;
  /**
   * the liveness query the sweep makes when a phase fails, and between phases: how the server
   * ended, or undefined while it runs. `settleMs`: how long to wait for the end of a server that
   * may have just died but is not yet known to be gone (a Docker engine notices a container's end
   * a moment after its process's)
   */
  ended(settleMs?: number): Promise<ProcessEnd | undefined>;
  /**
   * ends the server (SIGTERM, then SIGKILL after death.ts STOP_GRACE_MS) and removes what it used
   * (idempotent). Resolves with the server's own end (the sweep's stop phase reports it) when it
   * had ended before the lab stopped it, or ended its own way when asked to stop (a crash, the OOM
   * killer); undefined when it stopped as asked
   */
  stop(): Promise<OwnEnd | undefined>;
}

/**
 * A load-generator job is run as its own process (`speedlab loadgen`), never in the
 * orchestrator's event loop: locally a child process, in Docker a container that joins the
 * server's network namespace. The job goes in as JSON, the result comes out as JSON on stdout.
 */
export interface Runtime {
  readonly name: 'local' | 'docker';
  /** rejects with death.ts ServerEndedError when the server ended before it accepted connections */
  startServer(spec: ServerSpec): Promise<RunningServer>;
  /**
   * run `speedlab loadgen` with this job JSON against the server; returns the parsed stdout JSON.
   * Rejects with death.ts LoadgenEndedError when the load generator (or its container) was killed
   */
  runLoadgen(server: RunningServer, job: unknown, signal?: AbortSignal): Promise<unknown>;
  /**
   * run `speedlab loadgen` with a job that needs no server (the capacity check) where the points'
   * load generators run: on their CPUs, with a loopback of their own; returns the parsed stdout JSON
   */
  runLoadgenAlone(job: unknown, runId: string, signal?: AbortSignal): Promise<unknown>;
  /** remove everything this runtime created for runId (and, with stale=true, older runs' leftovers) */
  cleanup(runId: string): Promise<void>;
  /** what a disk profile really delivers, measured as a server would get it (run.json's calibration) */
  calibrate?(disk: DiskProfile, runId: string, signal?: AbortSignal): Promise<Calibration>;
  /**
   * why this runtime cannot go on (a Docker engine stopped answering, or with two engines the
   * server's machine is out of the load generator's reach), as a sentence, or undefined while it
   * can; the sweep asks after a failure, so that a lost engine stops the run instead of being
   * recorded as failed points
   */
  lost?(): Promise<string | undefined>;
  /** why the load generators' image has no wrk (engine: wrk cannot run), or undefined when it has one or cannot tell */
  wrkMissing?(): string | undefined;
  /** the Docker engine (the server's, with two): which, why, and what it is (run.json's engine) */
  engineRecord?(): RunEngine;
  /** two engines: which, where the server listens, and the link measured once (run.json's engines) */
  engines?(): RunEngines | undefined;
  /** two engines: measures the link between them (both directions) and keeps it for the points */
  measureLink?(runId: string, signal?: AbortSignal): Promise<NonNullable<RunEngines['link']>>;
  /** what run.json records about where the servers ran, beyond the host itself */
  environment?(): Pick<RunInfo['host'], 'dockerVersion' | 'serverCpuset' | 'loadgenCpuset' | 'cgroupVersion'>;
}
