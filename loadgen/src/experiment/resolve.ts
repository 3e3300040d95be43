// From the schema-valid file to the Experiment, with the checks that span several fields.
// Each problem names the field, the value given and what is allowed.
import { clientChoice, fillChoice, wrkRefusal } from './client.js';
import { shapeProblem } from '../workload/names.js';
import type { CellParams } from '../results/identity.js';
import type { Experiment } from './experiment.js';
import { DEFAULTS, RAM_DISK } from './experiment.js';
import { SWEEP_KEYS, paramSchemas, type Expectation, type RawExperiment, type SweepKey } from './schema.js';
import type { DiskProfile } from '../disk/profile.js';
import type { ServerImpl } from '../runtime/types.js';
import { customDiskProblems, DISK_PRESETS, PRESET_NAMES } from '../disk/presets.js';
import { WRK_BODY_BUDGET_BYTES, wrkBodyBytes } from '../workload/wrk/request-files.js';
import { formatBytes } from './units.js';

export interface Problem {
  path: (string | number)[];
  message: string;
}

const SERVER_KEYS = ['threads', 'log', 'lock', 'logWrite', 'sync'] as const;
const WORKLOAD_KEYS = ['fileSize', 'mix', 'connections', 'engine'] as const;
const REFERENCE_ONLY = ['lock', 'logWrite', 'sync', 'ioDelay', 'logDelay'] as const;

/** FNV-1a of the name: the default body seed, so a rerun of the same file uses the same bodies */
function seedFromName(name: string): number {
  let h = 0x811c9dc5;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return h >>> 0;
}

const ms = (seconds: number | undefined) => Math.round((seconds ?? 0) * 1000);

/** @param sweepOrder the sweep's keys in the file's order (the parsed object has the schema's order) */
export function resolveExperiment(raw: RawExperiment, sweepOrder: string[] = []): { experiment?: Experiment; problems: Problem[] } {
  const problems: Problem[] = [];
  const server = raw.server ?? {};
  const workload = raw.workload ?? {};
  const sweepIn = raw.sweep ?? {};

  let impl: ServerImpl = { kind: 'reference' };
  if (server.command && server.impl) problems.push({ path: ['server', 'impl'], message: 'give either impl: reference or command: [...], not both' });
  if (server.image && !server.command) problems.push({ path: ['server', 'image'], message: 'an image needs its command: [...] too (with {port}, {threads}, {log})' });
  if (server.command) impl = server.image ? { kind: 'image', image: server.image, command: server.command } : { kind: 'command', command: server.command };
  if (server.command && !server.command.some((a) => a.includes('{port}'))) {
    problems.push({ path: ['server', 'command'], message: 'the command must contain a {port} placeholder' });
  }

  const sweep = SWEEP_KEYS.filter((k) => sweepIn[k] !== undefined).map((key) => ({ key, values: sweepIn[key]! }));
  sweep.sort((a, b) => sweepOrder.indexOf(a.key) - sweepOrder.indexOf(b.key));
  const swept = new Set(sweep.map((s) => s.key));

  for (const k of SERVER_KEYS) {
    if (swept.has(k) && server[k] !== undefined) problems.push({ path: ['sweep', k], message: `${k} is also fixed in server.${k}; set it in one place` });
  }
  for (const k of WORKLOAD_KEYS) {
    if (swept.has(k) && workload[k] !== undefined) problems.push({ path: ['sweep', k], message: `${k} is also fixed in workload.${k}; set it in one place` });
  }
  for (const { key, values } of sweep) {
    const seen = new Set<string | number>();
    values.forEach((v, i) => {
      if (seen.has(v)) problems.push({ path: ['sweep', key, i], message: `${key} lists this value twice` });
      seen.add(v);
    });
  }

  const fixed: CellParams = {
    threads: server.threads ?? DEFAULTS.threads,
    fileSize: workload.fileSize ?? DEFAULTS.fileSize,
    log: server.log ?? DEFAULTS.log,
    lock: server.lock ?? DEFAULTS.lock,
    logWrite: server.logWrite ?? DEFAULTS.logWrite,
    sync: server.sync ?? DEFAULTS.sync,
    disk: DEFAULTS.disk,
    mix: workload.mix ?? DEFAULTS.mix,
    connections: workload.connections ?? DEFAULTS.connections,
    engine: workload.engine ?? DEFAULTS.engine,
  };
  const valuesOf = <K extends SweepKey>(k: K): CellParams[K][] => (swept.has(k) ? (sweep.find((s) => s.key === k)!.values as CellParams[K][]) : [fixed[k]]);

  if (impl.kind !== 'reference') {
    for (const k of REFERENCE_ONLY) {
      // a command that takes the design as a placeholder ({lock}, {logWrite}, {sync}) can vary it
      if (k !== 'ioDelay' && k !== 'logDelay' && server.command!.some((a) => a.includes(`{${k}}`))) continue;
      const hint = k === 'ioDelay' || k === 'logDelay' ? '' : ` (or pass it to your server with a {${k}} placeholder in command:)`;
      if (k !== 'ioDelay' && k !== 'logDelay' && swept.has(k)) problems.push({ path: ['sweep', k], message: `${k} is an option of the reference server; a command: server cannot vary it${hint}` });
      else if (server[k] !== undefined) problems.push({ path: ['server', k], message: `${k} is an option of the reference server; remove it for a command: server${hint}` });
    }
    const logs = valuesOf('log');
    if (logs.includes('meta')) problems.push({ path: swept.has('log') ? ['sweep', 'log'] : ['server', 'log'], message: 'log: meta is a mode of the reference server; a command: server can use off or full' });
    if (logs.some((l) => l !== 'off') && !server.command!.some((a) => a.includes('{log}'))) {
      problems.push({ path: ['server', 'command'], message: 'logging is on but the command has no {log} placeholder' });
    }
  }

  const mixes = valuesOf('mix');
  const ratio = { get: workload.ratio?.get ?? 0, put: workload.ratio?.put ?? 0, head: workload.ratio?.head ?? 0 };
  if (mixes.includes('mixed') && ratio.get + ratio.put + ratio.head === 0) {
    problems.push({ path: ['workload', 'ratio'], message: 'mix: mixed needs a ratio with at least one weight above 0, e.g. { get: 9, put: 1 }' });
  }
  if (workload.ratio && !mixes.includes('mixed')) problems.push({ path: ['workload', 'ratio'], message: 'a ratio applies to mix: mixed only' });

  if (workload.requests !== undefined && workload.duration !== undefined) {
    problems.push({ path: ['workload', 'requests'], message: 'give either duration: (a timed window) or requests: (a counted one), not both' });
  }

  const filesIn = workload.files ?? { kind: 'distinct' as const };
  if (filesIn.kind === 'shared' && workload.filesPerConnection !== undefined) {
    problems.push({ path: ['workload', 'filesPerConnection'], message: 'filesPerConnection applies to files: distinct only' });
  }
  const files = filesIn.kind === 'shared' ? filesIn : { kind: 'distinct' as const, perConnection: workload.filesPerConnection ?? 1 };
  const client = clientChoice(raw.client);
  const clientSettings = fillChoice(client);
  if (valuesOf('engine').includes('wrk')) {
    problems.push(...wrkProblems(swept.has('engine'), workload.requests !== undefined, mixes, ratio, valuesOf, files));
    const refusal = wrkRefusal(clientSettings);
    if (refusal) problems.push({ path: ['client'], message: refusal });
  }
  if (client.names !== 'auto') {
    for (const connections of valuesOf('connections')) {
      const problem = shapeProblem(client.names, files, connections);
      if (problem) {
        problems.push({ path: ['client', 'names'], message: `${problem}; a longer name or fewer files (connections × filesPerConnection, or shared:K)` });
        break;
      }
    }
  }

  const disks: Record<string, DiskProfile> = { ram: RAM_DISK };
  for (const [name, d] of Object.entries(raw.disks ?? {})) {
    if (d.kind === 'host' && !d.path) problems.push({ path: ['disks', name, 'path'], message: 'a host disk needs path: (a directory on the real disk)' });
    for (const p of customDiskProblems(d)) problems.push({ path: ['disks', name, p.field], message: p.message });
    disks[name] = {
      name, kind: d.kind, sizeBytes: d.size,
      ...(d.writeBps !== undefined && { writeBps: d.writeBps }),
      ...(d.readBps !== undefined && { readBps: d.readBps }),
      ...(d.writeIops !== undefined && { writeIops: d.writeIops }),
      ...(d.readIops !== undefined && { readIops: d.readIops }),
      ...(d.path !== undefined && { path: d.path }),
    };
  }
  valuesOf('disk').forEach((d, i) => {
    // a preset (hdd, sd-card, ...) unless the file defines its own profile of that name
    const preset = DISK_PRESETS[d];
    if (!disks[d] && preset) disks[d] = { ...preset };
    if (!disks[d]) {
      const presets = PRESET_NAMES.filter((n) => !(n in disks));
      problems.push({ path: ['sweep', 'disk', i], message: `unknown disk profile; defined: ${Object.keys(disks).join(', ')}; presets: ${presets.join(', ')} (or add it under disks:)` });
    }
  });

  const expect = raw.expect ?? [];
  expect.forEach((e, i) => problems.push(...checkExpectation(e, i, valuesOf, swept)));

  if (problems.length > 0) return { problems };
  return {
    problems,
    experiment: {
      name: raw.name,
      ...(raw.description !== undefined && { description: raw.description }),
      server: { impl, readyTimeoutS: server.readyTimeout ?? DEFAULTS.readyTimeoutS, ioDelayMs: ms(server.ioDelay), logDelayMs: ms(server.logDelay) },
      sweep,
      fixed,
      workload: {
        ratio,
        files,
        warmupS: workload.warmup ?? DEFAULTS.warmupS,
        durationS: workload.duration ?? DEFAULTS.durationS,
        ...(workload.requests !== undefined && { requests: workload.requests }),
        repetitions: workload.repetitions ?? DEFAULTS.repetitions,
        timeoutS: workload.timeout ?? DEFAULTS.timeoutS,
        seed: workload.seed ?? seedFromName(raw.name),
      },
      disks,
      expect: expect.map((e) => normalizeExpectation(e)),
      ...(raw.engines && { engines: raw.engines }),
      ...(raw.sampler !== undefined && { sampler: raw.sampler }),
      client,
      clientSettings,
    },
  };
}

/** what the wrk engine cannot do: read HEAD answers, count a window in requests, hold more PUT bodies than its budget */
function wrkProblems(
  engineSwept: boolean,
  counted: boolean,
  mixes: CellParams['mix'][],
  ratio: { head: number; put: number },
  valuesOf: <K extends SweepKey>(k: K) => CellParams[K][],
  files: Experiment['workload']['files'],
): Problem[] {
  const problems: Problem[] = [];
  const where = engineSwept ? ['sweep', 'engine'] : ['workload', 'engine'];
  if (mixes.includes('head') || (mixes.includes('mixed') && ratio.head > 0)) {
    problems.push({ path: where, message: 'wrk cannot run HEAD requests (it waits for the body a HEAD answer announces); use engine: autocannon for a mix with HEAD' });
  }
  if (counted) problems.push({ path: ['workload', 'requests'], message: 'a counted window (requests:) needs engine: autocannon; wrk measures a duration: give duration: instead' });
  const hasPut = mixes.some((m) => m === 'put' || (m === 'mixed' && ratio.put > 0));
  for (const fileSize of valuesOf('fileSize')) {
    for (const connections of valuesOf('connections')) {
      const bytes = wrkBodyBytes({ files, connections, fileSize }, hasPut);
      if (bytes > WRK_BODY_BUDGET_BYTES) {
        problems.push({ path: where, message: `wrk prebuilds one PUT body per file name: ${formatBytes(fileSize)} x ${bytes / fileSize} names = ${formatBytes(bytes)}, over its ${formatBytes(WRK_BODY_BUDGET_BYTES)} budget; use engine: autocannon for files this large, or fewer names` });
        return problems;
      }
    }
  }
  return problems;
}

/** parses a selection's values like the sweep's (so fileSize: 4KiB matches 4096) */
function parseSelection(sel: Record<string, string | number>): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(sel)) {
    const schema = paramSchemas[k as SweepKey];
    const r = schema?.safeParse(v);
    out[k] = r?.success ? r.data : v;
  }
  return out;
}

function normalizeExpectation(e: RawExperiment['expect'] extends (infer T)[] | undefined ? T : never): Expectation {
  if ('faster' in e) {
    return {
      faster: {
        ...e.faster,
        where: parseSelection(e.faster.where),
        than: parseSelection(e.faster.than),
        ...(e.faster.at && { at: parseSelection(e.faster.at) }),
      },
    };
  }
  return { ...e, ...(e.where && { where: parseSelection(e.where) }) };
}

function checkSelection(sel: Record<string, string | number> | undefined, path: (string | number)[], valuesOf: (k: SweepKey) => unknown[]): Problem[] {
  const problems: Problem[] = [];
  for (const [k, v] of Object.entries(sel ?? {})) {
    const schema = paramSchemas[k as SweepKey];
    if (!schema) {
      problems.push({ path: [...path, k], message: `unknown parameter; allowed: ${SWEEP_KEYS.join(', ')}` });
      continue;
    }
    const r = schema.safeParse(v);
    if (!r.success) {
      problems.push({ path: [...path, k], message: r.error.issues[0]!.message });
      continue;
    }
    const values = valuesOf(k as SweepKey);
    if (!values.includes(r.data)) problems.push({ path: [...path, k], message: `matches no point; ${k} takes ${values.join(', ')} in this experiment` });
  }
  return problems;
}

function checkExpectation(
  e: NonNullable<RawExperiment['expect']>[number],
  i: number,
  valuesOf: (k: SweepKey) => unknown[],
  swept: Set<SweepKey>,
): Problem[] {
  const base: (string | number)[] = ['expect', i];
  if ('faster' in e) {
    return [
      ...checkSelection(e.faster.where, [...base, 'faster', 'where'], valuesOf),
      ...checkSelection(e.faster.than, [...base, 'faster', 'than'], valuesOf),
      ...checkSelection(e.faster.at, [...base, 'faster', 'at'], valuesOf),
    ];
  }
  const problems = checkSelection(e.where, [...base, 'where'], valuesOf);
  if ('finding' in e) {
    // findings are per series: a series holds every thread count
    if (e.where && 'threads' in e.where) problems.push({ path: [...base, 'where', 'threads'], message: 'a finding is about a whole series (every thread count); select the series without threads' });
    if (!swept.has('threads') || valuesOf('threads').length < 2) problems.push({ path: [...base, 'finding'], message: 'the report judges series by their thread counts: sweep.threads needs at least two values' });
    return problems;
  }
  if ('total' in e) {
    if (e.total.atLeast === undefined && e.total.atMost === undefined) problems.push({ path: [...base, 'total'], message: 'give atLeast: x and/or atMost: y' });
    return problems;
  }
  if (e.speedup.atLeast === undefined && e.speedup.atMost === undefined) {
    problems.push({ path: [...base, 'speedup'], message: 'give atLeast: x and/or atMost: y' });
  }
  const threads = valuesOf('threads') as number[];
  if (!swept.has('threads') || !threads.includes(1) || !threads.includes(e.speedup.threads)) {
    problems.push({ path: [...base, 'speedup', 'threads'], message: `a speedup needs sweep.threads to include 1 and this value; threads takes ${threads.join(', ')}` });
  }
  return problems;
}
