// Probing a server in `check`'s stages through a runtime, restarting it after a stage that
// killed it: what `speedlab check` prints, and what `run` learns its auto client settings from.
import type { ClientSettings } from '../results/client-settings.js';
import { STAGE_IDS, checkResultSchema, type CheckResult, type StageId } from './stages.js';
import type { CheckedStage, ThreadsCheck } from './verdict.js';
import { CliError } from '../errors.js';
import type { Experiment } from '../experiment/experiment.js';
import { points } from '../experiment/grid.js';
import type { RunningServer, Runtime, ServerSpec } from '../runtime/types.js';
import { endedHow, endWithin, ServerEndedError, type ProcessEnd } from '../runtime/death.js';
import { check } from '../validate.js';

const nextStage = (id: StageId): StageId | undefined => STAGE_IDS[STAGE_IDS.indexOf(id) + 1];

/** resolves with the server's end within ms, or undefined while it lives */
async function endedWithin(server: RunningServer, ms: number): Promise<string | undefined> {
  const end = await endWithin(server.exited, ms);
  return end && serverEnd(end);
}

/** "the server exited with status 1: its last line", in the runtimes' shared words (runtime/death.ts) */
function serverEnd(end: ProcessEnd): string {
  return `the server ${endedHow(end.how)}${end.stderrTail.length > 0 ? `: ${end.stderrTail.join(' | ')}` : ''}`;
}

async function startOrWhy(runtime: Runtime, spec: ServerSpec): Promise<RunningServer | string> {
  try {
    return await runtime.startServer(spec);
  } catch (err) {
    if (err instanceof CliError) throw err;
    if (err instanceof ServerEndedError) return serverEnd(err.end);
    return (err as Error).message;
  }
}

/**
 * the stages at one -N: from the first (or only those listed), restarting the server after a
 * stage that killed it, so that one crash does not hide what the later stages would say
 */
async function checkAt(runtime: Runtime, spec: ServerSpec, settings: ClientSettings, only?: StageId[]): Promise<ThreadsCheck> {
  const stages: CheckedStage[] = [];
  let from: StageId | undefined = only?.[0] ?? 'missing';
  let server = await startOrWhy(runtime, spec);
  if (typeof server === 'string') return { threads: spec.threads, stages, startFailure: server };
  try {
    while (from) {
      const job: object = { phase: 'check', from, threads: spec.threads, logging: spec.log !== 'off', settings, ...(only && { only }) };
      const answer: unknown = await runtime.runLoadgen(server, job);
      const checked = check(checkResultSchema, answer);
      if (!checked.ok) throw new Error(`the check's load generator printed a result the lab cannot read: ${checked.problem}`);
      const result: CheckResult = checked.value;
      stages.push(...result.stages);
      for (const s of result.stages) {
        if (s.learned?.connection) settings.connection = s.learned.connection;
        if (s.learned?.names) settings.names = s.learned.names;
        if (s.learned?.body) settings.body = s.learned.body;
      }
      const last: CheckedStage | undefined = result.stages.at(-1);
      if (!last?.suspectGone) break;
      const death = await endedWithin(server, 1000);
      if (death) last.death = death;
      from = only ? undefined : nextStage(last.id);
      if (!death || !from) continue;
      server = await startOrWhy(runtime, spec);
      if (typeof server === 'string') return { threads: spec.threads, stages, startFailure: server };
    }
  } finally {
    if (typeof server !== 'string') await server.stop();
  }
  return { threads: spec.threads, stages };
}


/**
 * every stage at the lowest -N, then at each higher one only the first: does it start and answer
 * (a fixed-size array of threads breaks there). `settings` gathers what the stages learn.
 */
export async function probeServer(runtime: Runtime, spec: Omit<ServerSpec, 'threads'>, threads: number[], settings: ClientSettings): Promise<ThreadsCheck[]> {
  const runs: ThreadsCheck[] = [];
  const [lowest, ...higher] = threads;
  runs.push(await checkAt(runtime, { ...spec, threads: lowest! }, settings));
  for (const t of higher) runs.push(await checkAt(runtime, { ...spec, threads: t }, settings, ['missing']));
  return runs;
}

/** the server as the experiment's first point starts it, and the -N values check starts it with (the sweep's lowest and highest) */
export function experimentProbe(exp: Experiment, runId: string): { spec: Omit<ServerSpec, 'threads'>; threads: number[] } {
  const all = points(exp);
  const first = all[0]!.params;
  const threads = [...new Set([Math.min(...all.map((p) => p.params.threads)), Math.max(...all.map((p) => p.params.threads))])];
  return {
    spec: { impl: exp.server.impl, lock: first.lock, logWrite: first.logWrite, sync: first.sync, log: first.log, disk: exp.disks[first.disk]!, runId },
    threads,
  };
}
