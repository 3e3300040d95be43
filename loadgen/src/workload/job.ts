// The job a `speedlab loadgen` process runs (it arrives as JSON, so it is validated here too)
// and the result it prints. One job is one phase of one point.
import { z } from 'zod';
import { LAB_DEFAULTS, clientSettingsSchema } from '../results/client-settings.js';
import { ENGINES, MIXES } from '../results/params.js';

const fileSet = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('distinct'), perConnection: z.number().int().min(1) }),
  z.object({ kind: z.literal('shared'), count: z.number().int().min(1) }),
]);

const workloadSpecSchema = z.object({
  /** body seed: every body in this point derives from it */
  seed: z.number().int().min(0).max(0xffffffff),
  fileSize: z.number().int().min(32),
  mix: z.enum(MIXES),
  /** weights for mix 'mixed' */
  ratio: z.object({ get: z.number().int().min(0), put: z.number().int().min(0), head: z.number().int().min(0) }),
  files: fileSet,
  connections: z.number().int().min(1),
  timeoutS: z.number().positive(),
  /** what the server needs from the lab's clients (jobs written before there were settings: the lab's defaults) */
  client: clientSettingsSchema.default(LAB_DEFAULTS),
});

export const jobSchema = z.discriminatedUnion('phase', [
  z.object({ phase: z.literal('seed'), workload: workloadSpecSchema }),
  z.object({
    phase: z.literal('load'),
    /** the load generator of this window (jobs written before there was a choice: autocannon) */
    engine: z.enum(ENGINES).default('autocannon'),
    workload: workloadSpecSchema,
    durationS: z.number().positive(),
    /** when set, the window is this many requests (durationS is then only a bound for the estimate) */
    requests: z.number().int().min(1).optional(),
    /** tags the bodies PUT in this window (warm-up and measure use different ones) */
    seqBase: z.number().int().min(0).max(0xffffffff),
  }),
  z.object({ phase: z.literal('verify'), workload: workloadSpecSchema }),
  /** `speedlab check`: the probe stages (check/stages.ts) from `from` on, or only those listed */
  z.object({
    phase: z.literal('check'),
    from: z.string(),
    only: z.array(z.string()).optional(),
    threads: z.number().int().min(1),
    /** the server was started with a log (-l): /healthcheck answers 200, else 404 */
    logging: z.boolean(),
    settings: z.unknown(),
  }),
  /** the engine's ceiling against a trivial responder in the loadgen's own process (no server) */
  z.object({
    phase: z.literal('capacity'),
    engine: z.enum(ENGINES),
    connections: z.number().int().min(1),
    durationS: z.number().positive(),
  }),
]);

export type FileSet = z.infer<typeof fileSet>;
export type WorkloadSpec = z.output<typeof workloadSpecSchema>;
export type LoadgenJob = z.infer<typeof jobSchema>;

/** seq ranges (top nibble) so bodies from different phases never collide */
export const SEQ_SEED = 0x10000000;
export const SEQ_WARMUP = 0x20000000;
export const SEQ_MEASURE = 0x30000000;
export const SEQ_VERIFY = 0xf0000000;

const count = z.number().min(0);

/** what a `speedlab loadgen` process prints: one JSON line, checked where it is read (sweep/) */
export const loadResultSchema = z.object({
  phase: z.literal('load'),
  durationS: count,
  requests: count,
  /** content bytes moved (PUT request bodies + GET response bodies) */
  contentBytes: count,
  /** bytes on the wire, both ways (headers included), for subtracting from the server's I/O counters */
  wireBytesSent: count,
  wireBytesReceived: count,
  statusCounts: z.record(z.string(), count),
  errors: count,
  timeouts: count,
  latencyUs: z.object({ p50: count, p90: count, p99: count, p999: count, max: count, mean: count }),
  cpuSeconds: count,
  cpuCores: count,
  /**
   * wall seconds the engine applied load: the window and the tail after it (autocannon stops on its
   * next tick, wrk when its interrupt lands), whose responses are not counted but cost the server
   * CPU; results written before it: absent
   */
  loadS: count.optional(),
});

export const seedResultSchema = z.object({
  phase: z.literal('seed'),
  files: count,
  durationS: count,
  failures: z.array(z.string()),
});

export const verifyResultSchema = z.object({
  phase: z.literal('verify'),
  checked: count,
  mismatches: count,
  /** the first few mismatches, in words */
  details: z.array(z.string()),
});

export const capacityResultSchema = z.object({
  phase: z.literal('capacity'),
  engine: z.enum(ENGINES),
  connections: count,
  durationS: count,
  /** the rate reached against the responder (which shared the CPUs) */
  requestsPerS: count,
  /** the engine's own CPU in that window */
  cpuCores: count,
  /** requests per CPU-second of the engine, times the cores it can use */
  ceilingPerS: count,
});

export type LoadResult = z.output<typeof loadResultSchema>;
export type SeedResult = z.output<typeof seedResultSchema>;
export type VerifyResult = z.output<typeof verifyResultSchema>;
export type CapacityResult = z.output<typeof capacityResultSchema>;
export type LoadgenResult = LoadResult | SeedResult | VerifyResult | CapacityResult;
