// Child processes the lab starts: each in its own process group (so a terminal's Ctrl-C reaches
// only the orchestrator, which then stops them in order), ended by that group's id only.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { pidAlive } from '../../util/pid.js';

const TAIL_BYTES = 4096;

export interface Child {
  pid: number;
  proc: ChildProcess;
  /** resolves with the exit code (or the signal's name) */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout(): string;
  stderrTail(): string;
}

export function startChild(argv: string[], options: SpawnOptions & { keepStdout?: boolean } = {}): Child {
  const proc = spawn(argv[0]!, argv.slice(1), { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (!options.keepStdout && out.length > TAIL_BYTES) out = out.slice(-TAIL_BYTES);
  });
  proc.stderr.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-TAIL_BYTES);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('error', (e) => {
      err += `${e.message}\n`;
      resolve({ code: 127, signal: null });
    });
    proc.on('close', (code, signal) => resolve({ code, signal }));
  });
  if (proc.pid === undefined) {
    // spawn failed (e.g. the program does not exist); 'error' will resolve exited
    return { pid: -1, proc, exited, stdout: () => out, stderrTail: () => err };
  }
  return { pid: proc.pid, proc, exited, stdout: () => out, stderrTail: () => err };
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/** SIGTERM to the child's group, SIGKILL after `graceMs`; resolves when the leader has exited */
export async function stopChild(child: Child, graceMs = 2000): Promise<void> {
  if (child.pid <= 0) return;
  killGroup(child.pid, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
  // a member that ignored SIGTERM may outlive the leader
  killGroup(child.pid, 'SIGKILL');
}

export function stopGroupByPid(pgid: number): void {
  if (pidAlive(pgid)) killGroup(pgid, 'SIGTERM');
  setTimeout(() => killGroup(pgid, 'SIGKILL'), 1000).unref();
}
