// The job a `speedlab loadgen` process runs (it arrives as JSON, so it is validated here too)
// and the result it prints. One job is one phase of one point.
import { z } from 'zod';
import { ENGINES, MIXES, type Engine } from '../results/params.js';

const fileSet = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('distinct'), perConnection: z.number().int().min(1) }),
  z.object({ kind: z.literal('shared'), count: z.number().int().min(1) }),
]);

export const workloadSpecSchema = z.object({
  /** body seed: every body in this point derives from it */
  seed: z.number().int().min(0).max(0xffffffff),
  fileSize: z.number().int().min(32),
  mix: z.enum(MIXES),
  /** weights for mix 'mixed' */
  ratio: z.object({ get: z.number().int().min(0), put: z.number().int().min(0), head: z.number().int().min(0) }),
  files: fileSet,
  connections: z.number().int().min(1),
  timeoutS: z.number().positive(),
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
  /** the engine's ceiling against a trivial responder in the loadgen's own process (no server) */
  z.object({
    phase: z.literal('capacity'),
    engine: z.enum(ENGINES),
    connections: z.number().int().min(1),
    durationS: z.number().positive(),
  }),
]);

export type FileSet = z.infer<typeof fileSet>;
export type WorkloadSpec = z.infer<typeof workloadSpecSchema>;
export type LoadgenJob = z.infer<typeof jobSchema>;

/** seq ranges (top nibble) so bodies from different phases never collide */
export const SEQ_SEED = 0x10000000;
export const SEQ_WARMUP = 0x20000000;
export const SEQ_MEASURE = 0x30000000;
export const SEQ_VERIFY = 0xf0000000;

export interface LoadResult {
  phase: 'load';
  durationS: number;
  requests: number;
  /** content bytes moved (PUT request bodies + GET response bodies) */
  contentBytes: number;
  /** bytes on the wire, both ways (headers included), for subtracting from the server's I/O counters */
  wireBytesSent: number;
  wireBytesReceived: number;
  statusCounts: Record<string, number>;
  errors: number;
  timeouts: number;
  latencyUs: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number };
  cpuSeconds: number;
  cpuCores: number;
}

export interface SeedResult {
  phase: 'seed';
  files: number;
  durationS: number;
  failures: string[];
}

export interface VerifyResult {
  phase: 'verify';
  checked: number;
  mismatches: number;
  /** the first few mismatches, in words */
  details: string[];
}

export interface CapacityResult {
  phase: 'capacity';
  engine: Engine;
  connections: number;
  durationS: number;
  /** the rate reached against the responder (which shared the CPUs) */
  requestsPerS: number;
  /** the engine's own CPU in that window */
  cpuCores: number;
  /** requests per CPU-second of the engine, times the cores it can use */
  ceilingPerS: number;
}

export type LoadgenResult = LoadResult | SeedResult | VerifyResult | CapacityResult;
