// What the stages of `speedlab check` add up to: can the lab measure this server, with which
// client settings, and what stops it when it cannot.
import { LAB_DEFAULTS, type ClientSettings } from '../results/client-settings.js';
import { STAGE_TITLES, type StageResult } from './stages.js';

export interface CheckedStage extends StageResult {
  /** how the server ended during this stage (the runtime's words), when it did */
  death?: string;
}

/** the stages at one thread count (-N); `startFailure` when the server did not even start */
export interface ThreadsCheck { threads: number; stages: CheckedStage[]; startFailure?: string }

interface Verdict {
  measurable: boolean;
  settings: ClientSettings;
  /** why not, one line per cause */
  blocking: string[];
}

/** a failed stage the lab's settings (or its way of waiting for a server) work around */
function workedAround(s: CheckedStage, stages: CheckedStage[]): boolean {
  if (s.learned) return true;
  // the lab waits for the listening socket and never opens a connection it does not use
  if (s.id === 'empty-connection') return true;
  // a PUT whose body in a second write fails is fine when the body with the head works (what the lab does)
  if (s.id === 'put-after-head') return stages.some((o) => o.id === 'put-with-head' && o.status !== 'failed');
  return false;
}

export function verdict(runs: ThreadsCheck[]): Verdict {
  const settings: ClientSettings = structuredClone(LAB_DEFAULTS);
  const blocking: string[] = [];
  for (const run of runs) {
    if (run.startFailure) {
      blocking.push(`with -N ${run.threads} the server did not start: ${run.startFailure}`);
      continue;
    }
    for (const s of run.stages) {
      if (s.learned?.connection) settings.connection = s.learned.connection;
      if (s.learned?.names) settings.names = s.learned.names;
      if (s.learned?.body) settings.body = s.learned.body;
      if (s.status === 'failed' && !workedAround(s, run.stages)) {
        blocking.push(`with -N ${run.threads}: ${STAGE_TITLES[s.id]}: ${s.death ?? s.problem ?? 'failed'}`);
      }
    }
  }
  return { measurable: blocking.length === 0, settings, blocking };
}
