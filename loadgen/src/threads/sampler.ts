// The thread-state sampler (issue 21): during a measured window, every thread of the server's
// processes is looked at `hz` times a second through /proc/PID/task/TID/{stat,schedstat,syscall,
// wchan}. Each file stays open and is re-read with pread at offset 0 (the kernel regenerates it),
// one system call per file per look, so that 64 threads at 100 Hz cost the orchestrator a few
// percent of a core, not the server. Every look is kept with its time: the summary covers the
// last `windowS` seconds only, the load generator's measured window, not its start-up before it.
import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import type { ThreadStates } from '../results/record.js';
import { classifySample, needsWchan, SAMPLE_CLASSES, type Classified, type SampleClass } from './classify.js';
import { parseSchedstat, parseSyscall, parseTaskStat, parseWchan, type Schedstat, type TaskStat } from './procfs.js';
import { summarize, type TaskRecord } from './summary.js';

export const DEFAULT_SAMPLER_HZ = 100;
/** the server's process list is asked for again this often (a command may fork) */
const PROCESS_REFRESH_MS = 1000;

interface Look extends Classified {
  tick: number;
  stat: TaskStat;
  sched?: Schedstat;
}

interface Task {
  pid: number;
  tid: number;
  fds: { stat: number; sched?: number; syscall?: number; wchan?: number };
  looks: Look[];
  gone: boolean;
}

const buf = Buffer.alloc(4096);

function pread(fd: number | undefined): string | undefined {
  if (fd === undefined) return undefined;
  try {
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.toString('latin1', 0, n);
  } catch {
    return undefined;
  }
}

function openOrUndefined(path: string): number | undefined {
  try {
    return openSync(path, 'r');
  } catch {
    return undefined;
  }
}

export interface SamplerOptions {
  hz: number;
  /** the server's process ids now; a string says why they cannot be read from here */
  processes: () => number[] | string;
}

export class ThreadSampler {
  private readonly tasks = new Map<number, Task>();
  private timer: NodeJS.Timeout | undefined;
  private pids: number[] = [];
  private pidsAt = 0;
  /** when each tick was taken (performance.now ms) */
  private readonly tickTimes: number[] = [];
  private unavailable: string | undefined;

  constructor(private readonly opts: SamplerOptions) {}

  /** samples taken so far */
  get ticks(): number {
    return this.tickTimes.length;
  }

  start(): void {
    this.refreshProcesses();
    if (this.unavailable) return;
    this.tick();
    this.timer = setInterval(() => this.tick(), 1000 / this.opts.hz);
  }

  /** ends sampling; the summary of the last `windowS` seconds (all of it when absent) */
  stop(windowS?: number): ThreadStates {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const t of this.tasks.values()) this.close(t);
    const times = this.tickTimes;
    const hz = this.opts.hz;
    if (!this.unavailable && times.length === 0) this.unavailable = 'no thread of the server could be read in the window';
    if (this.unavailable) return { hz, ticks: times.length, windowS: 0, unavailable: this.unavailable };
    const end = times[times.length - 1]!;
    const from = windowS === undefined ? 0 : times.findIndex((t) => t >= end - windowS * 1000);
    const ticks = times.length - from;
    const spanS = (end - times[from]!) / 1000 + 1 / hz;
    return summarize([...this.tasks.values()].map((t) => record(t, from)), { hz, ticks, windowS: spanS });
  }

  private refreshProcesses(): void {
    const got = this.opts.processes();
    this.pidsAt = performance.now();
    if (typeof got === 'string') {
      this.unavailable ??= got;
      return;
    }
    if (got.length === 0 && this.pids.length === 0) this.unavailable ??= 'the server had no process to read';
    this.pids = got;
  }

  private tick(): void {
    if (performance.now() - this.pidsAt >= PROCESS_REFRESH_MS) this.refreshProcesses();
    const tick = this.tickTimes.length;
    let seen = 0;
    for (const pid of this.pids) {
      let tids: string[];
      try {
        tids = readdirSync(`/proc/${pid}/task`);
      } catch {
        continue;
      }
      for (const name of tids) {
        const tid = Number(name);
        const task = this.tasks.get(tid) ?? this.open(pid, tid);
        if (task && !task.gone && this.look(task, tick)) seen++;
      }
    }
    if (seen > 0) this.tickTimes.push(performance.now());
  }

  private open(pid: number, tid: number): Task | undefined {
    const dir = `/proc/${pid}/task/${tid}`;
    const stat = openOrUndefined(`${dir}/stat`);
    if (stat === undefined) return undefined;
    const fds = { stat, sched: openOrUndefined(`${dir}/schedstat`), syscall: openOrUndefined(`${dir}/syscall`), wchan: openOrUndefined(`${dir}/wchan`) };
    const task: Task = { pid, tid, fds, looks: [], gone: false };
    this.tasks.set(tid, task);
    return task;
  }

  /** one look at one thread; false when it has ended */
  private look(t: Task, tick: number): boolean {
    const stat = parseTaskStat(pread(t.fds.stat) ?? '');
    if (!stat) {
      this.close(t);
      return false;
    }
    const sched = parseSchedstat(pread(t.fds.sched) ?? '');
    const syscall = stat.state === 'R' ? undefined : parseSyscall(pread(t.fds.syscall) ?? '');
    const wchan = t.fds.syscall === undefined || needsWchan(stat.state, syscall) ? parseWchan(pread(t.fds.wchan) ?? '') : '';
    t.looks.push({ tick, stat, ...(sched && { sched }), ...classifySample(stat.state, syscall, wchan) });
    return true;
  }

  private close(t: Task): void {
    if (t.gone) return;
    t.gone = true;
    for (const fd of Object.values(t.fds)) {
      try {
        if (fd !== undefined) closeSync(fd);
      } catch {
        // closed already
      }
    }
  }
}

/** one thread's looks from tick `from` on; its times from the look just before (or the first in) the window */
function record(t: Task, from: number): TaskRecord {
  const inWindow = t.looks.filter((l) => l.tick >= from);
  const before = t.looks.filter((l) => l.tick < from).pop();
  const counts = Object.fromEntries(SAMPLE_CLASSES.map((c) => [c, 0])) as Record<SampleClass, number>;
  const futex = new Map<string, number>();
  const where = new Map<string, number>();
  for (const l of inWindow) {
    counts[l.cls]++;
    if (l.futex) futex.set(l.futex, (futex.get(l.futex) ?? 0) + 1);
    if (l.where) where.set(l.where, (where.get(l.where) ?? 0) + 1);
  }
  const first = before ?? inWindow[0];
  const last = inWindow[inWindow.length - 1];
  const ends = (l: Look | undefined) => l && { stat: l.stat, ...(l.sched && { sched: l.sched }) };
  return {
    pid: t.pid, tid: t.tid, name: last?.stat.comm ?? first?.stat.comm ?? '', seen: inWindow.length, counts, futex, where,
    ...(first && { first: ends(first) }), ...(last && { last: ends(last) }),
  };
}
