// One point's lifecycle: fresh server, ready, seed, warm-up, measure (server counters snapshotted
// just before and after the measure job), verify, stop. Each phase is its own loadgen process.
import type { z } from 'zod';
import { Interrupted, PointFailure } from '../errors.js';
import type { Experiment } from '../experiment/experiment.js';
import type { Point } from '../experiment/grid.js';
import type { LoadgenCeiling, PointRecord, RunEngines } from '../results/record.js';
import { ceilingFor, LOADGEN_CEILING_SHARE } from './capacity.js';
import type { RunningServer, Runtime, ServerSpec, ServerStats } from '../runtime/types.js';
import { loadResultSchema, seedResultSchema, verifyResultSchema, type LoadResult } from '../workload/job.js';
import { hostDiskCounter, type HostDiskCounter } from '../results/host-disk.js';
import { pointJobs } from './jobs.js';
import { diskLimits } from '../disk/presets.js';
import { check } from '../validate.js';
import { networkVerdict } from '../analysis/network.js';
import { startWindowEvidence } from './window-evidence.js';

/** loadgen CPU at or above this share of a core makes the point untrustworthy */
const LOADGEN_BOUND_CORES = 0.9;

type Phase = 'starting' | 'seed' | 'warm-up' | 'measure' | 'verify' | 'stopping';

interface PointContext {
  exp: Experiment;
  runtime: Runtime;
  runId: string;
  signal: AbortSignal;
  /** the run's load-generator ceilings (absent: only the CPU rule flags loadgen-bound points) */
  ceilings?: readonly LoadgenCeiling[];
  /** two engines: the link between them (run.json's engines.link) */
  link?: RunEngines['link'];
  onPhase(phase: Phase): void;
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
  rec.serverCpuCores = (after.cpuSeconds - before.cpuSeconds) / s;
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
  rec.loadgenBound = m.cpuCores >= LOADGEN_BOUND_CORES || (rec.loadgenCeilingShare ?? 0) > LOADGEN_CEILING_SHARE;
}

export async function measurePoint(ctx: PointContext, pt: Point): Promise<PointRecord> {
  const rec = emptyRecord(ctx, pt, new Date().toISOString());
  const jobs = pointJobs(ctx.exp, pt.params);
  const phaseAbort = new AbortController();
  const onAbort = () => phaseAbort.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  let server: RunningServer | undefined;
  let died: string | undefined;
  let stopping = false;

  const run = async <S extends z.ZodType>(phase: Phase, job: unknown, schema: S): Promise<z.output<S>> => {
    ctx.onPhase(phase);
    let printed: unknown;
    try {
      printed = await ctx.runtime.runLoadgen(server!, job, phaseAbort.signal);
    } catch (err) {
      if (ctx.signal.aborted) throw new Interrupted();
      throw new PointFailure(died ?? `${phase}: ${(err as Error).message}`);
    }
    const result = check(schema, printed);
    if (!result.ok) throw new PointFailure(`${phase}: the load generator's result: ${result.problem}`);
    return result.value;
  };

  try {
    ctx.onPhase('starting');
    try {
      server = await ctx.runtime.startServer(serverSpec(ctx, pt));
    } catch (err) {
      if (ctx.signal.aborted) throw new Interrupted();
      throw new PointFailure(`the server did not start: ${(err as Error).message}`);
    }
    void server.exited.then((reason) => {
      if (stopping) return;
      died = reason;
      phaseAbort.abort();
    });
    if (server.networkPath) {
      try {
        rec.network = await server.networkPath(phaseAbort.signal);
      } catch (err) {
        if (ctx.signal.aborted) throw new Interrupted();
        throw new PointFailure(died ?? `network path: ${(err as Error).message}`);
      }
    }

    const seeded = await run('seed', jobs.seed, seedResultSchema);
    if (seeded.failures.length > 0) throw new PointFailure(`seeding failed: ${seeded.failures.slice(0, 3).join('; ')}`);
    if (jobs.warmup) await run('warm-up', jobs.warmup, loadResultSchema);

    const before = await server.stats();
    // the host disk of this machine: not the server's when it runs on another
    const hostBefore = server.remote ? undefined : hostDiskCounter();
    const evidence = startWindowEvidence(ctx.exp, server);
    let measured: LoadResult | undefined;
    try {
      measured = await run('measure', jobs.measure, loadResultSchema);
    } finally {
      Object.assign(rec, evidence.stop(measured?.durationS));
    }
    const hostAfter = server.remote ? undefined : hostDiskCounter();
    const after = await server.stats();
    fillMeasurement(rec, measured, before, after, server.cpus, ceilingFor(ctx.ceilings ?? [], pt.params.engine, pt.params.connections));
    fillHostWrites(rec, before, after, hostBefore, hostAfter);
    fillNetwork(rec, measured, ctx.link);

    const verified = await run('verify', jobs.verify, verifyResultSchema);
    rec.verification = {
      checked: verified.checked,
      mismatches: verified.mismatches,
      ...(verified.details.length > 0 && { detail: verified.details.join('; ') }),
    };
    if (died) throw new PointFailure(died);
    const ok2xx = Object.entries(rec.statusCounts).some(([code, n]) => code.startsWith('2') && n > 0);
    if (verified.mismatches > 0) rec.failure = `verification: ${verified.mismatches} of ${verified.checked} files wrong (${verified.details[0]})`;
    else if (!ok2xx) rec.failure = 'no successful response in the measured window';
    rec.outcome = rec.failure ? 'failed' : 'ok';
  } catch (err) {
    if (err instanceof PointFailure) {
      rec.outcome = 'failed';
      rec.failure = err.message;
    } else {
      throw err;
    }
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    if (server) {
      ctx.onPhase('stopping');
      stopping = true;
      await server.stop();
    }
  }
  if (ctx.signal.aborted) throw new Interrupted();
  rec.finishedAt = new Date().toISOString();
  return rec;
}
