// The contract between the sweep (which writes points.jsonl and run.json) and whatever reads them
// (run --resume, the report): one schema per file, and the one way to read each (DESIGN §7).
// record.ts derives the types from these schemas. A field added after the first version is
// optional, or has the value every older record meant (engine), so old results still load.
import { clientSettingsSchema } from './client-settings.js';
import { z } from 'zod';
import { ResultsFormatError } from '../errors.js';
import { checkJson } from '../validate.js';
import { ENGINES, LOCK_MODES, LOG_MODES, LOG_WRITES, MIXES, SYNC_MODES } from './params.js';


/**
 * a measured number; JSON has no NaN or Infinity (a window of no time gives them), so JSON.stringify
 * wrote null: it reads back as NaN, unknown, never 0, so it cannot pass for a measurement
 */
const measured = z.number().nullable().transform((v) => v ?? NaN);

/** The parameters that identify one measured point. */
export const pointParamsSchema = z.object({
  threads: z.number().int().min(1),
  /** bytes */
  fileSize: z.number().min(0),
  log: z.enum(LOG_MODES),
  lock: z.enum(LOCK_MODES),
  logWrite: z.enum(LOG_WRITES),
  sync: z.enum(SYNC_MODES),
  /** disk profile name: 'ram', 'hdd', 'sd-card', a custom name, or 'host' */
  disk: z.string(),
  mix: z.enum(MIXES),
  connections: z.number().int().min(1),
  /** the load generator; records written before it existed were all autocannon */
  engine: z.enum(ENGINES).default('autocannon'),
  /** 0-based repetition index */
  repetition: z.number().int().min(0),
});

const latencySchema = z.object({ p50: measured, p90: measured, p99: measured, p999: measured, max: measured, mean: measured });

/** the disk profile's configured limits, when throttled (bytes/s, ops/s) */
const diskLimitsSchema = z.object({
  writeBps: z.number().optional(),
  readBps: z.number().optional(),
  writeIops: z.number().optional(),
  readIops: z.number().optional(),
});

/** with two engines (run.json's engines): the path between them, just before the point */
const pointNetworkSchema = z.object({
  /** the engines' names as given (a context or an address) */
  serverEngine: z.string(),
  loadgenEngine: z.string(),
  /** where the load generator reached the server */
  address: z.string(),
  /** one-byte round trips to the server's machine, microseconds */
  rttUs: z.object({ min: z.number(), p50: z.number(), max: z.number() }),
  /** bytes on the wire per second in the measured window, each way, as the load generator counted them */
  sentBytesPerS: measured.optional(),
  receivedBytesPerS: measured.optional(),
  /** the busier direction's rate as a share of what the link carried in that direction (run.json's engines.link) */
  linkShare: measured.optional(),
});

/** where one thread of the server spent the window: shares of its samples, 0..1 (threads/summary.ts) */
const threadSharesSchema = z.object({
  /** on a CPU, and runnable but waiting for one (the running samples split by schedstat) */
  onCpu: z.number(),
  cpuWait: z.number(),
  /** blocked in a futex (mutex, condition variable) while it had work: it ran in the window */
  lock: z.number(),
  /** D state, fsync, journal commits, page writeback */
  disk: z.number(),
  /** epoll/poll/select/accept/recv, and futex waits of a thread that never ran: waiting for work */
  network: z.number(),
  /** anywhere else (a sleep, a pipe), named by `where` */
  other: z.number(),
});

const threadSummarySchema = z.object({
  pid: z.number(),
  tid: z.number(),
  /** comm: the thread's name */
  name: z.string(),
  /** 'main': its process's first thread; 'dispatcher': another that mostly waited to accept or poll (it hands out connections); 'worker': any other */
  role: z.enum(['main', 'dispatcher', 'worker']),
  /** it was scheduled at least once in the window */
  active: z.boolean(),
  samples: z.number(),
  /** CPU seconds (user + system) in the window, and seconds it waited on a run queue for a CPU */
  cpuS: z.number(),
  cpuWaitS: z.number(),
  shares: threadSharesSchema,
  /** the wchan (or syscall) of most of its 'other' samples */
  where: z.string().optional(),
  /** the futex address it waited on most */
  futex: z.string().optional(),
});

/** the thread-state sampler's view of the window (issue 21); `unavailable` says why there is none */
const threadStatesSchema = z.object({
  hz: z.number(),
  /** samples taken of the whole server */
  ticks: z.number(),
  windowS: z.number(),
  unavailable: z.string().optional(),
  /** the CPUs the lab's process (the sampler) kept to: the load generator's, off the server's cpuset; absent without a split */
  samplerCpus: z.string().optional(),
  /** why the sampler shared the server's CPUs although there was a split */
  samplerPinProblem: z.string().optional(),
  /** mean number of threads in each class over the window */
  classes: threadSharesSchema.optional(),
  /** the futex the most threads waited on (active threads only): mean waiters, distinct threads */
  hottestFutex: z.object({ pid: z.number(), address: z.string(), meanWaiters: z.number(), threads: z.number() }).optional(),
  threads: z.array(threadSummarySchema).optional(),
});

/** the CPUs the server could use, busy in the window: the whole machine's, or the server's cpuset's */
const machineCpuSchema = z.object({
  scope: z.enum(['machine', 'cpuset']),
  /** the CPUs counted (a cpuset list, or "all") and how many */
  cpuList: z.string(),
  cpus: z.number(),
  /** cores busy on them, every process counted (the load generator too, where it shares them) */
  busyCores: measured,
  /** the CPUs the lab's own process kept to in the window, sampling or not: the load generator's, so it was none of those processes; absent without a split */
  labCpus: z.string().optional(),
  /** why the lab's process could run on the server's CPUs although there was a split */
  labPinProblem: z.string().optional(),
});

/** one line of points.jsonl */
export const pointRecordSchema = z.object({
  /** stable key of params (without repetition it names the cell; with it, the point) */
  id: z.string(),
  params: pointParamsSchema,
  /** 'ok' when measured and verified; 'failed' when the point could not be measured or verification failed */
  outcome: z.enum(['ok', 'failed']),
  /** why the point failed (server died, verification mismatch, ...) */
  failure: z.string().optional(),
  /** ISO */
  startedAt: z.string(),
  /** ISO */
  finishedAt: z.string(),
  /** measured window, seconds */
  durationS: measured,
  requests: measured,
  requestsPerS: measured,
  /** content bytes moved per second (request + response bodies) */
  bytesPerS: measured,
  latencyUs: latencySchema,
  /** status code -> count, e.g. { "200": 1000, "500": 3 } */
  statusCounts: z.record(z.string(), z.number()),
  /** connection errors and timeouts */
  errors: z.number(),
  timeouts: z.number(),
  /** server CPU use in cores (1.0 = one core busy) averaged over the window */
  serverCpuCores: measured,
  /** CPUs available to the server (cpuset size, or nproc for local) */
  serverCpus: z.number(),
  serverMemPeakBytes: z.number().optional(),
  /** bytes read/written on the device backing the data directory during the window */
  deviceReadBytes: measured,
  deviceWriteBytes: measured,
  /** log file growth during the window */
  logBytes: measured,
  /**
   * bytes the server itself caused to be written to the host's real block devices during the
   * window (local: its processes' /proc io write_bytes); absent when the runtime cannot tell
   */
  hostWriteBytes: z.number().optional(),
  /** the whole host's writes to the device backing `/` during the window, every process included */
  hostDeviceWrite: z.object({ device: z.string(), bytes: z.number() }).optional(),
  /** loadgen CPU use in cores averaged over the window */
  loadgenCpuCores: measured,
  /**
   * true when the load generator may have limited the result, which is then not trusted: it used
   * LOADGEN_BOUND_CORES or more, or the point's rate was above LOADGEN_CEILING_SHARE of its engine's
   * ceiling (run.json; analysis/loadgen.ts)
   */
  loadgenBound: z.boolean(),
  /** requests/s as a share of the engine's ceiling (run.json's loadgenCeilings), where it was measured */
  loadgenCeilingShare: measured.optional(),
  verification: z.object({ checked: z.number(), mismatches: z.number(), detail: z.string().optional() }),
  diskLimits: diskLimitsSchema.optional(),
  /**
   * the point's throttled disk was not throttled (run --allow-unthrottled): the limit, the
   * measured rate and the likely reason (sweep/throttle-check.ts); its disk numbers are not the profile's
   */
  unthrottled: z.string().optional(),
  /** two engines only: the network path of this point */
  network: pointNetworkSchema.optional(),
  /** two engines only: the point moved more than NETWORK_BOUND_SHARE of what the link carries, so the link may have limited it */
  networkBound: z.boolean().optional(),
  /** where the server's threads spent the window (issue 21); absent in runs made before it, or with the sampler off */
  threadStates: threadStatesSchema.optional(),
  /** the CPUs available to the server, busy in the window; absent in runs made before it */
  serverCpusBusy: machineCpuSchema.optional(),
});

export const calibrationSchema = z.object({
  disk: z.string(),
  /** MiB/s measured */
  directWriteMiBps: z.number().optional(),
  bufferedWriteMiBps: z.number().optional(),
  fsyncWriteMiBps: z.number().optional(),
  /** buffered read after the file's pages were dropped: read-ahead sized requests */
  readMiBps: z.number().optional(),
  /** O_DIRECT reads of 1 MiB: what the device's read limits allow for large requests */
  directReadMiBps: z.number().optional(),
  limits: diskLimitsSchema.optional(),
  /**
   * the limits the kernel held for the disk's device in the calibration container's cgroup (v2
   * io.max, v1 blkio.throttle.*); absent where this process does not see the engine's cgroups
   */
  heldLimits: diskLimitsSchema.optional(),
  /** what the engine warned when it created the calibration's container (e.g. a disk limit it discarded) */
  warnings: z.array(z.string()).optional(),
});

/** what the calibration program (disk/calibrate-main.ts) prints: the rates it measured, MiB/s */
export const calibrationRatesSchema = calibrationSchema.pick({
  directWriteMiBps: true,
  bufferedWriteMiBps: true,
  fsyncWriteMiBps: true,
  readMiBps: true,
  directReadMiBps: true,
});

/** an engine's ceiling, measured against a trivial responder on the load generator's CPUs */
export const loadgenCeilingSchema = z.object({
  engine: z.enum(ENGINES),
  connections: z.number(),
  /** requests/s the engine can drive: its requests per CPU-second, times the cores it can use */
  requestsPerS: z.number(),
  /** the rate it reached against the responder, which shared its CPUs */
  measuredPerS: z.number(),
  /** the engine's own CPU in that window, in cores */
  cpuCores: z.number(),
  windowS: z.number(),
});

export const expectationResultSchema = z.object({
  description: z.string(),
  passed: z.boolean(),
  /** the measured value(s) behind the verdict, in words */
  detail: z.string(),
});

/** one Docker engine of a run with two */
const runEngineSchema = z.object({
  /** as given: a docker context's name, an address, or 'default' */
  name: z.string(),
  url: z.string(),
  version: z.string(),
  /** the engine's host name */
  hostname: z.string(),
  cpus: z.number(),
  cpuset: z.string(),
});

/** one direction of the link between the engines, measured once per run */
const linkSchema = z.object({ bytesPerS: z.number(), seconds: z.number(), streams: z.number() });

/** the server on one engine, the load generator on another (issue: two machines) */
const runEnginesSchema = z.object({
  server: runEngineSchema,
  loadgen: runEngineSchema,
  /** both engines report the same host name: they share a machine, so the cpusets are disjoint */
  sameHost: z.boolean(),
  /** where the load generator reaches the server; what the server binds; its port; the path peer's port */
  address: z.string(),
  bind: z.string(),
  port: z.number(),
  peerPort: z.number(),
  /** server to load generator (GET bodies) and back (PUT bodies); absent until measured */
  link: z.object({ down: linkSchema, up: linkSchema }).optional(),
});

/** the one Docker engine of a run (or the server's, with two): which, why, and what it is */
const runEngineChoiceSchema = z.object({
  name: z.string(),
  url: z.string(),
  /** why this engine: 'DOCKER_HOST', "current context 'x' in ...", 'rootless socket; ...' */
  why: z.string(),
  os: z.string(),
  arch: z.string(),
  cgroupVersion: z.literal([1, 2]),
  /** 'cgroupfs' or 'systemd' */
  cgroupDriver: z.string(),
  rootless: z.boolean(),
});

/** the code of one session of a run */
const codeSessionSchema = z.object({
  /** git rev-parse HEAD */
  commit: z.string(),
  /** uncommitted changes (untracked files too) under server/ or loadgen/src/ */
  dirty: z.boolean(),
  /**
   * git tree hashes at that commit of server/ and of the load path (loadgen/src/workload):
   * equal hashes mean unchanged code; absent when SPEEDLAB_CODE_COMMIT passed the commit in
   */
  paths: z.object({ server: z.string(), load: z.string() }).optional(),
});

/** the lab checkout at run time */
export const codeVersionSchema = codeSessionSchema.extend({
  /**
   * a resumed run keeps the code of the session that started it; each later session whose code
   * differed from it and from the earlier ones is listed here, in order
   */
  resumedWith: z.array(codeSessionSchema).optional(),
});

/** run.json */
export const runInfoSchema = z.object({
  name: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  /** the resolved experiment, as validated */
  experiment: z.unknown(),
  runtime: z.enum(['local', 'docker']),
  host: z.object({
    hostname: z.string(),
    kernel: z.string(),
    cgroupVersion: z.literal([1, 2]),
    cpus: z.number(),
    cpuModel: z.string(),
    memBytes: z.number(),
    dockerVersion: z.string().optional(),
    node: z.string(),
    serverCpuset: z.string().optional(),
    loadgenCpuset: z.string().optional(),
  }),
  calibration: z.array(calibrationSchema),
  /** the load generator's ceilings (sweep/capacity.ts); absent in runs made before they existed */
  loadgenCeilings: z.array(loadgenCeilingSchema).optional(),
  /** the Docker engine (the server's, with two); absent for the local runtime and runs made before it existed */
  engine: runEngineChoiceSchema.optional(),
  /** a run on two Docker engines; absent for one */
  engines: runEnginesSchema.optional(),
  tools: z.record(z.string(), z.string()),
  /** run --scale F: the windows (and total: bounds) were F × the file's; absent for a full run */
  scale: z.number().optional(),
  /** the client settings the points used (check/settings.ts); absent in runs made before they existed */
  client: z.object({
    settings: clientSettingsSchema,
    /** the settings the experiment left to auto that check's stages set (a user's server) */
    learned: z.array(z.string()),
    /** wall seconds check's stages took before the first point (0: no check ran) */
    checkS: z.number(),
    /** what check found that may stop the points, one line each */
    blocking: z.array(z.string()),
  }).optional(),
  /** results of the experiment's expect checks, filled after the sweep */
  expectations: z.array(expectationResultSchema).optional(),
  /**
   * the code the run measured (results/code.ts); absent when the lab could not tell (no git or no
   * checkout, as in the Docker image, without SPEEDLAB_CODE_COMMIT) and in runs made before it existed
   */
  code: codeVersionSchema.optional(),
});

type PointRecord = z.output<typeof pointRecordSchema>;

interface ParsedPoints {
  points: PointRecord[];
  /**
   * the last line when it has no newline: what a killed orchestrator leaves, as each record is
   * written with its newline in one write; it is not a record (a resumed run measures it again)
   */
  partial?: { line: number; text: string };
}

/** points.jsonl's text; `file` names it in the error a wrong line throws */
export function parsePoints(text: string, file: string): ParsedPoints {
  const lines = text.split('\n');
  const last = lines.pop()!;
  const points = lines.flatMap((line, i) => {
    if (line.trim() === '') return [];
    const r = checkJson(pointRecordSchema, line);
    if (!r.ok) throw new ResultsFormatError(`${file} line ${i + 1}: ${r.problem}`);
    return [r.value];
  });
  return last.trim() === '' ? { points } : { points, partial: { line: lines.length + 1, text: last } };
}

/** run.json's text; `file` names it in the error a wrong field throws */
export function parseRunInfo(text: string, file: string): z.output<typeof runInfoSchema> {
  const r = checkJson(runInfoSchema, text);
  if (!r.ok) throw new ResultsFormatError(`${file}: ${r.problem}`);
  return r.value;
}
