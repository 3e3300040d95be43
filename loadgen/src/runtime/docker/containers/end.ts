// How a lab container ended (DESIGN §4, "Death wins over symptom"): the engine's record of its
// exit code, OOM kill and memory limit, worded by runtime/death.ts as the local runtime words a child's end.
import { endWithin, fromContainerExit, lastLines, ownEndOnStop, STOP_GRACE_MS, type OwnEnd, type ProcessEnd } from '../../death.js';
import type { ContainerRef } from '../engine/engine.js';
import { demuxBuffer } from './run.js';

/** how a container ended, from the engine's record of it, with its last output lines */
export async function containerEnd(c: ContainerRef): Promise<ProcessEnd> {
  const [state, logs] = await Promise.all([c.inspect(), c.logs({ tail: 20 }).catch(() => Buffer.alloc(0))]);
  const { stdout, stderr } = demuxBuffer(logs);
  const said = lastLines(stderr);
  const stderrTail = said.length ? said : lastLines(stdout);
  if (!state) return { how: { kind: 'gone', detail: 'its container was removed' }, stderrTail };
  return { how: fromContainerExit(state.exitCode, state.oomKilled, state.memoryBytes), stderrTail };
}

/** the end of a container the engine is waiting on (never rejects) */
export function watchEnd(c: ContainerRef): Promise<ProcessEnd> {
  return c.wait().then(
    () => containerEnd(c).catch((err: Error) => ({ how: { kind: 'gone' as const, detail: `the engine did not say how it ended: ${err.message}` }, stderrTail: [] })),
    (err: Error) => ({ how: { kind: 'gone' as const, detail: `its engine stopped answering: ${err.message}` }, stderrTail: [] }),
  );
}

/**
 * the liveness query (types.ts RunningServer.ended): the engine's state first; a container it
 * still calls running may have just lost its process, so its end is awaited for settleMs
 */
export async function endedBy(c: ContainerRef, exited: Promise<ProcessEnd>, settleMs: number): Promise<ProcessEnd | undefined> {
  const state = await c.inspect().catch(() => undefined);
  if (!state?.running) return exited;
  return settleMs > 0 ? endWithin(exited, settleMs) : undefined;
}

/**
 * the lab's stop: SIGTERM (the engine's init hands it to the server), SIGKILL after graceMs, and
 * whose end it was: the server's own when it had ended before (the engine's state, or its answer
 * that the container no longer runs) or ended its own way when asked to stop (death.ts
 * ownEndOnStop); undefined when it stopped as asked. A container removed by someone else is an end too
 */
export async function ownEnd(c: ContainerRef, exited: Promise<ProcessEnd>, graceMs = STOP_GRACE_MS): Promise<OwnEnd | undefined> {
  const before = async (): Promise<OwnEnd> => ({ ...(await exited), when: 'before-stop' });
  const state = await c.inspect().catch(() => undefined);
  if (state && !state.running) return before();
  const asked = await c.kill('SIGTERM').catch(() => undefined);
  if (asked === undefined) return undefined; // the engine did not answer: nothing to tell
  if (asked !== 'killed') return before();
  if (!(await endWithin(exited, graceMs))) await c.kill('SIGKILL').catch(() => undefined);
  return ownEndOnStop(await exited);
}
