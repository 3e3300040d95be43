// The experiment file (DESIGN §6), validated with zod. Parsing yields the raw-but-typed form;
// resolve.ts turns it into the Experiment the rest of the lab uses.
import { CLIENT_FIELDS, clientChoiceSchema } from './client.js';
import { z } from 'zod';
import { DURATION_HELP, SIZE_HELP, parseDuration, parseSize } from './units.js';
import { MIN_FILE_SIZE } from '../workload/body.js';
import { ENGINES, LOCK_MODES, LOG_MODES, LOG_WRITES, MIXES, PARAM_KEYS, SYNC_MODES, type ParamKey } from '../results/params.js';
import type { PointRecord } from '../results/record.js';

const MAX_FILE_SIZE = 1024 ** 3; // one body must fit in a Buffer, several in memory

function oneOf<T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: () => `expected one of ${values.join(', ')}` });
}

const size = (min: number, max: number) =>
  z.unknown().transform((v, ctx) => {
    const n = parseSize(v);
    if (n === undefined) ctx.addIssue({ code: 'custom', message: `expected ${SIZE_HELP}` });
    else if (n < min || n > max) ctx.addIssue({ code: 'custom', message: `expected a size from ${min} bytes to ${max} bytes` });
    else return n;
    return z.NEVER;
  });

const duration = (minS: number, maxS: number) =>
  z.unknown().transform((v, ctx) => {
    const n = parseDuration(v);
    if (n === undefined) ctx.addIssue({ code: 'custom', message: `expected ${DURATION_HELP}` });
    else if (n < minS || n > maxS) ctx.addIssue({ code: 'custom', message: `expected a duration from ${minS}s to ${maxS}s` });
    else return n;
    return z.NEVER;
  });

const int = (min: number, max: number) =>
  z.number({ error: () => `expected a whole number from ${min} to ${max}` })
    .int({ error: () => `expected a whole number from ${min} to ${max}` })
    .min(min, { error: () => `expected a whole number from ${min} to ${max}` })
    .max(max, { error: () => `expected a whole number from ${min} to ${max}` });

const list = <T extends z.ZodType>(item: T) =>
  z.array(item, { error: () => 'expected a list of values, e.g. [1, 2, 4]' })
    .min(1, { error: () => 'expected at least one value' });

const threadsValue = int(1, 1024);
const connectionsValue = int(1, 4096);
const fileSizeValue = size(MIN_FILE_SIZE, MAX_FILE_SIZE);
const diskName = z.string({ error: () => 'expected a disk profile name' }).regex(/^[A-Za-z0-9_-]+$/, {
  error: () => 'expected a disk profile name of letters, digits, _ and -',
});

/** the parameters a sweep may vary */
export const paramSchemas = {
  threads: threadsValue,
  fileSize: fileSizeValue,
  log: oneOf(LOG_MODES),
  lock: oneOf(LOCK_MODES),
  logWrite: oneOf(LOG_WRITES),
  sync: oneOf(SYNC_MODES),
  disk: diskName,
  mix: oneOf(MIXES),
  connections: connectionsValue,
  engine: oneOf(ENGINES),
} satisfies Record<ParamKey, z.ZodType>;
export type SweepKey = ParamKey;
/** in the order they appear in point ids */
export const SWEEP_KEYS: readonly SweepKey[] = PARAM_KEYS;

const serverSchema = z.strictObject({
  impl: z.literal('reference', { error: () => 'expected reference (or give command: [...] for your own server)' }).optional(),
  command: z.array(z.string({ error: () => 'expected a list of strings' }), { error: () => 'expected a list of strings, e.g. [./httpserver, "{port}", -N, "{threads}", -l, "{log}"]' })
    .min(1, { error: () => 'expected at least the program' }).optional(),
  image: z.string({ error: () => 'expected an image name' }).optional(),
  threads: threadsValue.optional(),
  log: oneOf(LOG_MODES).optional(),
  lock: oneOf(LOCK_MODES).optional(),
  logWrite: oneOf(LOG_WRITES).optional(),
  sync: oneOf(SYNC_MODES).optional(),
  /** the reference server's --io-delay: a modelled device service time per request */
  ioDelay: duration(0, 60).optional(),
  /** the reference server's --log-delay: a modelled log-device time per log entry */
  logDelay: duration(0, 60).optional(),
  readyTimeout: duration(0.1, 600).optional(),
});

const sweepSchema = z.strictObject({
  threads: list(paramSchemas.threads).optional(),
  fileSize: list(paramSchemas.fileSize).optional(),
  log: list(paramSchemas.log).optional(),
  lock: list(paramSchemas.lock).optional(),
  logWrite: list(paramSchemas.logWrite).optional(),
  sync: list(paramSchemas.sync).optional(),
  disk: list(paramSchemas.disk).optional(),
  mix: list(paramSchemas.mix).optional(),
  connections: list(paramSchemas.connections).optional(),
  engine: list(paramSchemas.engine).optional(),
});

const FILES_HELP = 'expected distinct or shared:K (K hot names shared by all connections, e.g. shared:4)';
const filesValue = z.unknown().transform((v, ctx) => {
  if (v === 'distinct') return { kind: 'distinct' as const };
  const m = typeof v === 'string' ? /^shared:(\d+)$/.exec(v) : null;
  const k = m ? Number(m[1]) : 0;
  if (m && k >= 1 && k <= 100_000) return { kind: 'shared' as const, count: k };
  ctx.addIssue({ code: 'custom', message: FILES_HELP });
  return z.NEVER;
});

const ratioSchema = z.strictObject({
  get: int(0, 100).optional(),
  put: int(0, 100).optional(),
  head: int(0, 100).optional(),
});

const workloadSchema = z.strictObject({
  engine: oneOf(ENGINES).optional(),
  mix: oneOf(MIXES).optional(),
  ratio: ratioSchema.optional(),
  files: filesValue.optional(),
  filesPerConnection: int(1, 10_000).optional(),
  fileSize: fileSizeValue.optional(),
  connections: connectionsValue.optional(),
  warmup: duration(0, 3600).optional(),
  duration: duration(0.05, 24 * 3600).optional(),
  /** measure this many requests instead of a duration */
  requests: int(1, 100_000_000).optional(),
  repetitions: int(1, 100).optional(),
  timeout: duration(0.1, 3600).optional(),
  seed: int(0, 0xffffffff).optional(),
});

const diskSchema = z.strictObject({
  kind: oneOf(['ram', 'throttled', 'host'] as const),
  size: size(1024 * 1024, 1024 ** 4),
  writeBps: size(1, 1e12).optional(),
  readBps: size(1, 1e12).optional(),
  writeIops: int(1, 10_000_000).optional(),
  readIops: int(1, 10_000_000).optional(),
  path: z.string({ error: () => 'expected a directory path' }).optional(),
});

const scalar = z.union([z.string(), z.number()], { error: () => 'expected a parameter value (text or number)' });
const selectionSchema = z.record(z.string(), scalar, { error: () => 'expected a map of parameter: value, e.g. { log: full, disk: ram }' });

const speedupExpectSchema = z.strictObject({
  where: selectionSchema.optional(),
  speedup: z.strictObject({
    threads: threadsValue,
    atLeast: z.number({ error: () => 'expected a number' }).positive({ error: () => 'expected a number above 0' }).optional(),
    atMost: z.number({ error: () => 'expected a number' }).positive({ error: () => 'expected a number above 0' }).optional(),
  }),
});

const fasterExpectSchema = z.strictObject({
  faster: z.strictObject({
    where: selectionSchema,
    than: selectionSchema,
    at: selectionSchema.optional(),
    by: z.number({ error: () => 'expected a number' }).positive({ error: () => 'expected a number above 0' }).optional(),
  }),
});

/** the per-series verdicts of the report (analysis/findings.ts) that a finding: expectation may ask for */
const EXPECTABLE_FINDING_KINDS = ['disk-bound', 'cpu-bound', 'lock-bound', 'single-thread-bound', 'scales', 'noisy', 'loadgen-bound', 'network-bound', 'unexplained'] as const;
export type ExpectableFindingKind = (typeof EXPECTABLE_FINDING_KINDS)[number];

const findingExpectSchema = z.strictObject({
  where: selectionSchema.optional(),
  finding: z.strictObject({
    kind: oneOf(EXPECTABLE_FINDING_KINDS),
    present: z.boolean({ error: () => 'expected true or false' }).optional(),
    /** true: the verdict must rest on thread samples (the sampler's evidence), not on the curve alone */
    measured: z.boolean({ error: () => 'expected true or false' }).optional(),
  }),
});

/** point-record fields that a total: expectation may sum */
const TOTAL_FIELDS = ['logBytes', 'deviceWriteBytes', 'deviceReadBytes', 'hostWriteBytes', 'requests'] as const satisfies readonly (keyof PointRecord)[];
export type TotalField = (typeof TOTAL_FIELDS)[number];
const bound = z.unknown().transform((v, ctx) => {
  const n = parseSize(v);
  if (n === undefined) ctx.addIssue({ code: 'custom', message: `expected ${SIZE_HELP}, or a count` });
  else return n;
  return z.NEVER;
});

const totalExpectSchema = z.strictObject({
  where: selectionSchema.optional(),
  total: z.strictObject({
    of: oneOf(TOTAL_FIELDS),
    atLeast: bound.optional(),
    atMost: bound.optional(),
  }),
});

const EXPECT_KINDS = { faster: fasterExpectSchema, speedup: speedupExpectSchema, finding: findingExpectSchema, total: totalExpectSchema } as const;
const EXPECT_HELP = 'expected an expectation: { where: {...}, speedup: { threads: N, atLeast/atMost: x } }, '
  + '{ faster: { where: {...}, than: {...}, at?: {...}, by?: x } }, { where: {...}, finding: { kind: disk-bound, present?: false } } '
  + 'or { where: {...}, total: { of: logBytes, atLeast/atMost: 6.4GB } }';

const expectSchema = z.unknown().transform((v, ctx) => {
  const isObj = typeof v === 'object' && v !== null;
  const kind = isObj ? (Object.keys(EXPECT_KINDS) as (keyof typeof EXPECT_KINDS)[]).find((k) => k in v) : undefined;
  const schema = kind ? EXPECT_KINDS[kind] : undefined;
  if (!schema) {
    ctx.addIssue({ code: 'custom', message: EXPECT_HELP });
    return z.NEVER;
  }
  const r = schema.safeParse(v);
  if (r.success) return r.data;
  for (const issue of r.error.issues) ctx.addIssue({ ...issue, path: issue.path });
  return z.NEVER;
});

/** two engines: the server on one, the load generator on another (README "Two machines") */
const enginesSchema = z.strictObject({
  /** a docker context's name or an engine address (unix://, tcp://, ssh://); absent: the default engine */
  server: z.string({ error: () => 'expected a docker context name or an address like ssh://user@host' }).min(1).optional(),
  loadgen: z.string({ error: () => 'expected a docker context name or an address like unix:///var/run/docker.sock' }).min(1).optional(),
  /** where the load generator reaches the server; absent: the server engine's host */
  address: z.string({ error: () => 'expected an IP address or host name' }).min(1).optional(),
  /** the address the server listens on; absent: the address when it is loopback, else 0.0.0.0 */
  bind: z.string({ error: () => 'expected an IP address' }).min(1).optional(),
  port: z.number({ error: () => 'expected a port number' }).int().min(1024).max(65534).optional(),
});

/** the thread-state sampler (issue 21): how often it looks at the server's threads, or off */
const samplerSchema = z.union([
  z.literal('off'),
  z.strictObject({ hz: z.number({ error: () => 'expected samples per second, 1 to 1000' }).min(1).max(1000) }),
], { error: () => "expected { hz: N } (samples per second, 1 to 1000) or 'off'" });

export const experimentSchema = z.strictObject({
  name: z.string({ error: () => 'expected a name of letters, digits, ., _ and -' }).regex(/^[A-Za-z0-9._-]{1,64}$/, {
    error: () => 'expected a name of 1-64 letters, digits, ., _ and -',
  }),
  description: z.string({ error: () => 'expected text' }).optional(),
  server: serverSchema.optional(),
  sweep: sweepSchema.optional(),
  workload: workloadSchema.optional(),
  disks: z.record(diskName, diskSchema, { error: () => 'expected a map of profile name: { kind, size, ... }' }).optional(),
  expect: z.array(expectSchema, { error: () => 'expected a list of expectations' }).optional(),
  engines: enginesSchema.optional(),
  sampler: samplerSchema.optional(),
  client: clientChoiceSchema.optional(),
});

export type RawExperiment = z.output<typeof experimentSchema>;
export type SpeedupExpectation = z.output<typeof speedupExpectSchema>;
export type FasterExpectation = z.output<typeof fasterExpectSchema>;
export type FindingExpectation = z.output<typeof findingExpectSchema>;
export type TotalExpectation = z.output<typeof totalExpectSchema>;
export type Expectation = SpeedupExpectation | FasterExpectation | FindingExpectation | TotalExpectation;

/** the fields allowed in each object, for "unknown field" errors */
export const KNOWN_FIELDS: Record<string, string[]> = {
  '': Object.keys(experimentSchema.shape),
  server: Object.keys(serverSchema.shape),
  sweep: Object.keys(sweepSchema.shape),
  workload: Object.keys(workloadSchema.shape),
  'workload.ratio': Object.keys(ratioSchema.shape),
  'disks.*': Object.keys(diskSchema.shape),
  'expect.*': ['where', 'speedup'],
  'expect.*.speedup': Object.keys(speedupExpectSchema.shape.speedup.shape),
  'expect.*.faster': Object.keys(fasterExpectSchema.shape.faster.shape),
  'expect.*.finding': Object.keys(findingExpectSchema.shape.finding.shape),
  'expect.*.total': Object.keys(totalExpectSchema.shape.total.shape),
  engines: Object.keys(enginesSchema.shape),
  sampler: ['hz'],
  client: [...CLIENT_FIELDS],
  'client.names': ['length', 'alphabet'],
};
