// One point's lifecycle: fresh server (start, readiness), seeding, warm-up, the measured window
// (server counters snapshotted just before and after it), verify, stop. Each phase is its own
// loadgen process. When a phase fails, the server's death is the cause (failure.ts).
import type { z } from 'zod';
import { Interrupted, PointFailure } from '../errors.js';
import { LoadgenEndedError, ServerEndedError } from '../runtime/death.js';
import { loadgenDied, requestOf, serverDied, symptom, type PointPhase } from './failure.js';
import type { Experiment } from '../experiment/experiment.js';
import type { Point } from '../experiment/grid.js';
import type { LoadgenCeiling, PointRecord, RunEngines } from '../results/record.js';
import { ceilingFor } from './capacity.js';
import type { RunningServer, Runtime, ServerSpec, ServerStats } from '../runtime/types.js';
import { loadResultSchema, seedResultSchema, verifyResultSchema, type LoadResult } from '../workload/job.js';
import { hostDiskCounter, type HostDiskCounter } from '../results/host-disk.js';
import { pointJobs } from './jobs.js';
import { diskLimits } from '../disk/presets.js';
import { check } from '../validate.js';
import { isLoadgenBound } from '../analysis/loadgen.js';
import { networkVerdict } from '../analysis/network.js';
import { startWindowEvidence } from './window-evidence.js';

interface PointContext {
  exp: Experiment;
  runtime: Runtime;
  runId: string;
  signal: AbortSignal;
  /** the run's load-generator ceilings (absent: only the CPU rule flags loadgen-bound points) */
  ceilings?: readonly LoadgenCeiling[];
  /** two engines: the link between them (run.json's engines.link) */
  link?: RunEngines['link'];
  onPhase(phase: PointPhase): void;
}

function serverSpec(ctx: PointContext, pt: Point): ServerSpec {
  const p = pt.params;
  return {
    impl: ctx.exp.server.impl,
    threads: p.threads,
    log: p.log,
    lock: p.lock,
    logWrite: p.logWrite,
    sync: p.sync,
    ...(ctx.exp.server.ioDelayMs > 0 && { ioDelayMs: ctx.exp.server.ioDelayMs }),
    ...(ctx.exp.server.logDelayMs > 0 && { logDelayMs: ctx.exp.server.logDelayMs }),
    disk: ctx.exp.disks[p.disk]!,
    runId: ctx.runId,
  };
}

function emptyRecord(ctx: PointContext, pt: Point, startedAt: string): PointRecord {
  const disk = ctx.exp.disks[pt.params.disk];
  const limits = disk && diskLimits(disk);
  return {
    id: pt.id,
    params: pt.params,
    outcome: 'failed',
    startedAt,
    finishedAt: startedAt,
    durationS: 0,
    requests: 0,
    requestsPerS: 0,
    bytesPerS: 0,
    latencyUs: { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 },
    statusCounts: {},
    errors: 0,
    timeouts: 0,
    serverCpuCores: 0,
    serverCpus: 0,
    deviceReadBytes: 0,
    deviceWriteBytes: 0,
    logBytes: 0,
    loadgenCpuCores: 0,
    loadgenBound: false,
    verification: { checked: 0, mismatches: 0 },
    ...(limits && { diskLimits: limits }),
  };
}

/** two engines: the wire rates each way, and the verdict against the link */
function fillNetwork(rec: PointRecord, m: LoadResult, link: RunEngines['link']): void {
  if (!rec.network) return;
  const s = m.durationS;
  rec.network.sentBytesPerS = Math.round(m.wireBytesSent / s);
  rec.network.receivedBytesPerS = Math.round(m.wireBytesReceived / s);
  if (!link) return;
  const v = networkVerdict(m.wireBytesSent / s, m.wireBytesReceived / s, link);
  rec.network.linkShare = v.share;
  rec.networkBound = v.bound;
}

function fillHostWrites(rec: PointRecord, before: ServerStats, after: ServerStats, hostBefore?: HostDiskCounter, hostAfter?: HostDiskCounter): void {
  if (before.hostWriteBytes !== undefined && after.hostWriteBytes !== undefined) rec.hostWriteBytes = Math.max(0, after.hostWriteBytes - before.hostWriteBytes);
  if (hostBefore && hostAfter && hostBefore.device === hostAfter.device) {
    rec.hostDeviceWrite = { device: hostAfter.device, bytes: Math.max(0, hostAfter.writeBytes - hostBefore.writeBytes) };
  }
}

function fillMeasurement(rec: PointRecord, m: LoadResult, before: ServerStats, after: ServerStats, cpus: number, ceiling?: LoadgenCeiling): void {
  const s = m.durationS;
  rec.durationS = s;
  rec.requests = m.requests;
  rec.requestsPerS = m.requests / s;
  rec.bytesPerS = m.contentBytes / s;
  rec.latencyUs = m.latencyUs;
  rec.statusCounts = m.statusCounts;
  rec.errors = m.errors;
  rec.timeouts = m.timeouts;
  // the server's CPU counters run over the whole time load was applied, the tail after the window too
  rec.serverCpuCores = (after.cpuSeconds - before.cpuSeconds) / Math.max(s, m.loadS ?? s);
  rec.serverCpus = cpus;
  if (after.memPeakBytes !== undefined) rec.serverMemPeakBytes = after.memPeakBytes;
  const read = after.readBytes - before.readBytes;
  const write = after.writeBytes - before.writeBytes;
  // counters that include socket traffic: take away what went over the wire
  rec.deviceReadBytes = Math.max(0, after.ioIncludesSockets ? read - m.wireBytesSent : read);
  rec.deviceWriteBytes = Math.max(0, after.ioIncludesSockets ? write - m.wireBytesReceived : write);
  rec.logBytes = after.logBytes - before.logBytes;
  rec.loadgenCpuCores = m.cpuCores;
  if (ceiling && ceiling.requestsPerS > 0) rec.loadgenCeilingShare = Number((rec.requestsPerS / ceiling.requestsPerS).toFixed(3));
  rec.loadgenBound = isLoadgenBound(m.cpuCores, rec.loadgenCeilingShare);
}

/**
 * how long a failed phase waits for a server that may have just died to be known as gone (a
 * Docker engine records a container's end a moment after its process's); paid only on failure
 */
const SETTLE_MS = 5000;
/** after the server died, how long seeding or verification may go on to report its request in flight */
const AFTER_DEATH_MS = 5000;

/** what a phase's result says went wrong, while the server may be alive */
interface Problem {
  cause: string;
  detail?: string[];
  inFlight?: string;
}

export async function measurePoint(ctx: PointContext, pt: Point): Promise<PointRecord> {
  const rec = emptyRecord(ctx, pt, new Date().toISOString());
  const jobs = pointJobs(ctx.exp, pt.params);
  const phaseAbort = new AbortController();
  const onAbort = () => phaseAbort.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  let server: RunningServer | undefined;
  let phase: PointPhase = 'start';
  let stopping = false;
  let afterDeath: NodeJS.Timeout | undefined;

  const enter = (p: PointPhase) => {
    phase = p;
    ctx.onPhase(p);
  };

  /**
   * the failure of the current phase: the server's death first, when it died; else the symptom,
   * with the error it came as (`wrapped`) as its cause
   */
  const failed = async (problem: Problem, wrapped?: unknown): Promise<PointFailure> => {
    const end = await server?.ended(SETTLE_MS).catch(() => undefined);
    // what a dead server's other requests met (refused connections) is no news: the first symptom stays
    if (end) return serverDied(phase, end, { ...(problem.inFlight && { inFlight: problem.inFlight }), ...(problem.detail && { detail: problem.detail.slice(0, 1) }) });
    return symptom(phase, problem.cause, problem.detail, wrapped === undefined ? undefined : { cause: wrapped });
  };

  /** between phases: a server that died after its last answer of the phase (no waiting: it runs, as a rule) */
  const stillAlive = async (): Promise<void> => {
    const end = await server!.ended(0).catch(() => undefined);
    if (end) throw serverDied(phase, end);
  };

  const run = async <S extends z.ZodType>(p: PointPhase, job: unknown, schema: S, problemOf?: (v: z.output<S>) => Problem | undefined): Promise<z.output<S>> => {
    enter(p);
    let printed: unknown;
    try {
      printed = await ctx.runtime.runLoadgen(server!, job, phaseAbort.signal);
    } catch (err) {
      if (ctx.signal.aborted) throw new Interrupted();
      if (err instanceof LoadgenEndedError) {
        const end = await server!.ended(0).catch(() => undefined);
        throw end ? serverDied(p, end) : loadgenDied(p, err.end, err.container);
      }
      // aborted because the server died: the abort is no symptom
      throw await failed(phaseAbort.signal.aborted ? { cause: p } : { cause: p, detail: [(err as Error).message] }, err);
    }
    const result = check(schema, printed);
    if (!result.ok) throw await failed({ cause: p, detail: [`the load generator's result: ${result.problem}`] });
    const problem = problemOf?.(result.value);
    if (problem) throw await failed(problem);
    return result.value;
  };

  /** a server counter read, which fails when the server is gone */
  const stats = async (): Promise<ServerStats> => {
    try {
      return await server!.stats();
    } catch (err) {
      throw await failed({ cause: phase, detail: [`reading the server's counters: ${(err as Error).message}`] }, err);
    }
  };

  try {
    enter('start');
    try {
      server = await ctx.runtime.startServer(serverSpec(ctx, pt));
    } catch (err) {
      if (ctx.signal.aborted) throw new Interrupted();
      if (err instanceof ServerEndedError) throw serverDied('readiness', err.end);
      throw symptom('start', 'the server did not start', [(err as Error).message], { cause: err });
    }
    void server.exited.then(() => {
      if (stopping) return;
      // a load window would go on against a dead server: end it; seeding and verification end
      // by themselves (every request fails at once) and name the request in flight
      if (phase === 'seeding' || phase === 'verify') afterDeath = setTimeout(() => phaseAbort.abort(), AFTER_DEATH_MS);
      else phaseAbort.abort();
    });
    if (server.networkPath) {
      try {
        rec.network = await server.networkPath(phaseAbort.signal);
      } catch (err) {
        if (ctx.signal.aborted) throw new Interrupted();
        throw await failed({ cause: 'network path', detail: [(err as Error).message] }, err);
      }
    }

    await run('seeding', jobs.seed, seedResultSchema, (v) => (v.failures.length > 0 ? { cause: 'seeding failed', detail: v.failures.slice(0, 3), inFlight: requestOf(v.failures[0]) } : undefined));
    await stillAlive();
    if (jobs.warmup) {
      await run('warm-up', jobs.warmup, loadResultSchema);
      await stillAlive();
    }

    enter('window');
    const before = await stats();
    // the host disk of this machine: not the server's when it runs on another
    const hostBefore = server.remote ? undefined : hostDiskCounter();
    const evidence = startWindowEvidence(ctx.exp, server);
    let measured: LoadResult | undefined;
    try {
      measured = await run('window', jobs.measure, loadResultSchema);
    } finally {
      Object.assign(rec, evidence.stop(measured?.durationS));
    }
    const hostAfter = server.remote ? undefined : hostDiskCounter();
    const after = await stats();
    await stillAlive();
    fillMeasurement(rec, measured, before, after, server.cpus, ceilingFor(ctx.ceilings ?? [], pt.params.engine, pt.params.connections));
    fillHostWrites(rec, before, after, hostBefore, hostAfter);
    fillNetwork(rec, measured, ctx.link);

    const verified = await run('verify', jobs.verify, verifyResultSchema);
    rec.verification = {
      checked: verified.checked,
      mismatches: verified.mismatches,
      ...(verified.details.length > 0 && { detail: verified.details.join('; ') }),
    };
    if (verified.mismatches > 0) {
      throw await failed({ cause: `verification: ${verified.mismatches} of ${verified.checked} files wrong`, inFlight: requestOf(verified.details[0]), detail: verified.details.slice(0, 1) });
    }
    enter('stop');
    stopping = true;
    const ownEnd = await server.stop();
    if (ownEnd) throw serverDied('stop', ownEnd);
    const ok2xx = Object.entries(rec.statusCounts).some(([code, n]) => code.startsWith('2') && n > 0);
    if (!ok2xx) {
      phase = 'window';
      throw await failed({ cause: 'no successful response in the measured window' });
    }
    rec.outcome = 'ok';
  } catch (err) {
    if (err instanceof PointFailure) {
      rec.outcome = 'failed';
      rec.failure = err.message;
    } else {
      throw err;
    }
  } finally {
    clearTimeout(afterDeath);
    ctx.signal.removeEventListener('abort', onAbort);
    if (server) {
      enter('stop');
      stopping = true;
      await server.stop();
    }
  }
  if (ctx.signal.aborted) throw new Interrupted();
  rec.finishedAt = new Date().toISOString();
  return rec;
}
