// Parsers of a thread's files under /proc/PID/task/TID/ (Linux): stat, schedstat, wchan, syscall.
// Pure: text in, fields out; undefined when the text is not what the kernel writes.

export interface TaskStat {
  tid: number;
  /** the thread's name (comm), up to 15 bytes, may hold spaces and parentheses */
  comm: string;
  /** R running or runnable, S sleeping, D uninterruptible (disk), T stopped, Z zombie, I idle kernel thread */
  state: string;
  /** clock ticks in user and kernel mode */
  utimeTicks: number;
  stimeTicks: number;
}

export function parseTaskStat(text: string): TaskStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15
  const utimeTicks = Number(rest[11]);
  const stimeTicks = Number(rest[12]);
  const tid = Number(text.slice(0, open - 1));
  if (!rest[0] || !Number.isFinite(utimeTicks) || !Number.isFinite(stimeTicks) || !Number.isInteger(tid)) return undefined;
  return { tid, comm: text.slice(open + 1, close), state: rest[0], utimeTicks, stimeTicks };
}

export interface Schedstat {
  /** nanoseconds on a CPU */
  onCpuNs: number;
  /** nanoseconds runnable but waiting on a run queue for a CPU */
  runQueueNs: number;
  /** times it was scheduled onto a CPU */
  timeslices: number;
}

export function parseSchedstat(text: string): Schedstat | undefined {
  const [a, b, c] = text.trim().split(' ').map(Number);
  if (![a, b, c].every((v) => Number.isFinite(v))) return undefined;
  return { onCpuNs: a!, runQueueNs: b!, timeslices: c! };
}

/** the kernel function a sleeping thread waits in; '' when it is running ("0") */
export function parseWchan(text: string): string {
  const w = text.trim();
  return w === '0' ? '' : w;
}

/** 'running' when on a CPU (or runnable); otherwise the blocking syscall's number and its six arguments, hex as written */
export type ThreadSyscall = 'running' | { nr: number; args: string[] };

export function parseSyscall(text: string): ThreadSyscall | undefined {
  const t = text.trim();
  if (t === 'running') return 'running';
  const fields = t.split(' ');
  const nr = Number(fields[0]);
  // -1: blocked but not in a syscall (e.g. a page fault)
  if (!Number.isInteger(nr)) return undefined;
  return { nr, args: fields.slice(1, 7) };
}
