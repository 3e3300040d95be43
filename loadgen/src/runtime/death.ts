// How a process of a point ended, in the same words in both runtimes (DESIGN §4, "Death wins
// over symptom"): the local runtime knows a child's exit status or signal, the Docker runtime a
// container's exit code (128 + n after signal n) and whether the kernel's OOM killer struck.
import { constants } from 'node:os';

type ExitHow =
  | { kind: 'status'; status: number }
  | { kind: 'signal'; signal: string }
  /** the kernel's OOM killer, under the container's memory limit */
  | { kind: 'oom'; memoryLimitBytes?: number }
  /** its container vanished, or its engine stopped answering: how it ended is unknown */
  | { kind: 'gone'; detail: string };

/** a process that has ended: how, and the last lines it wrote to stderr (or stdout) */
export interface ProcessEnd {
  how: ExitHow;
  stderrTail: string[];
}

/** the lab stops a server with SIGTERM, then SIGKILL after this long (both runtimes) */
export const STOP_GRACE_MS = 2000;

/**
 * the server's own end, as the lab's stop found it: it had ended before the lab stopped it, or it
 * ended its own way (a crash, the OOM killer) when the lab's SIGTERM asked it to stop
 */
export interface OwnEnd extends ProcessEnd {
  when: 'before-stop' | 'on-stop';
}

/**
 * an end during the lab's stop that is the server's own, or undefined: the lab's SIGTERM or
 * SIGKILL, or any exit status (a server's answer to SIGTERM), is the stop the lab asked for
 */
export function ownEndOnStop(end: ProcessEnd): OwnEnd | undefined {
  const own = end.how.kind === 'oom' || (end.how.kind === 'signal' && end.how.signal !== 'SIGTERM' && end.how.signal !== 'SIGKILL');
  return own ? { ...end, when: 'on-stop' } : undefined;
}

/** the words of a failure for a server that ended its own way on the lab's SIGTERM (hints.ts matches them) */
export const ON_STOP_WORDS = 'when the lab stopped it with SIGTERM';

/** a process's end when it comes within `ms`, else undefined */
export async function endWithin(exited: Promise<ProcessEnd>, ms: number): Promise<ProcessEnd | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)));
  try {
    return await Promise.race([exited, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** how many of a dead process's last output lines a failure quotes */
const TAIL_LINES = 3;

// the first name of a number is the usual one (SIGABRT, not its alias SIGIOT)
const SIGNAL_NAMES = new Map<number, string>();
for (const [name, n] of Object.entries(constants.signals)) if (!SIGNAL_NAMES.has(n)) SIGNAL_NAMES.set(n, name);

/** a child's end as Node reports it (code, or signal name) */
export function fromWaitStatus(code: number | null, signal: string | null): ExitHow {
  return signal ? { kind: 'signal', signal } : { kind: 'status', status: code ?? -1 };
}

/**
 * a container's end as the engine reports it: its exit code is 128 + n when signal n ended its
 * main process (the engine's and the shells' convention), and OOMKilled is the engine's own record
 */
export function fromContainerExit(exitCode: number, oomKilled: boolean, memoryLimitBytes?: number): ExitHow {
  if (oomKilled) return { kind: 'oom', ...(memoryLimitBytes && { memoryLimitBytes }) };
  const signal = exitCode > 128 ? SIGNAL_NAMES.get(exitCode - 128) : undefined;
  return signal ? { kind: 'signal', signal } : { kind: 'status', status: exitCode };
}

const MiB = 1024 ** 2;

/** "was killed by SIGSEGV", "exited with status 3", "was killed by the kernel's OOM killer (memory limit 80 MiB)" */
export function endedHow(how: ExitHow): string {
  switch (how.kind) {
    case 'status':
      return `exited with status ${how.status}`;
    case 'signal':
      return `was killed by ${how.signal}`;
    case 'gone':
      return `is gone (${how.detail})`;
    case 'oom':
      return `was killed by the kernel's OOM killer${how.memoryLimitBytes ? ` (memory limit ${Math.round(how.memoryLimitBytes / MiB)} MiB)` : ''}`;
  }
}

/** the last non-empty lines of a process's output */
export function lastLines(text: string, n = TAIL_LINES): string[] {
  return text.split('\n').map((l) => l.trimEnd()).filter(Boolean).slice(-n);
}

/** the server ended before it accepted connections (thrown by a runtime's startServer) */
export class ServerEndedError extends Error {
  constructor(readonly end: ProcessEnd) {
    super(`the server ${endedHow(end.how)} before it accepted connections`);
  }
}

/** the lab's own load generator (its process or container) ended abnormally: a failure of the lab, not of the server */
export class LoadgenEndedError extends Error {
  constructor(readonly end: ProcessEnd, readonly container = false) {
    super(`the lab's load generator${container ? "'s container" : ''} ${endedHow(end.how)}`);
  }
}
