// The thread-state sampler (issue 21): during a measured window, every thread of the server's
// processes is looked at `hz` times a second through /proc/PID/task/TID/{stat,syscall,wchan};
// schedstat is read at the window's two ends. Each file stays open and is re-read with pread at
// offset 0 (the kernel regenerates it), one system call per file per look, so that 64 threads at
// 100 Hz cost the orchestrator a few percent of a core, not the server.
import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import type { ThreadStates } from '../results/record.js';
import { classifySample, needsWchan, SAMPLE_CLASSES, type SampleClass } from './classify.js';
import { parseSchedstat, parseSyscall, parseTaskStat, parseWchan, type Schedstat, type TaskStat } from './procfs.js';
import { summarize, type TaskRecord } from './summary.js';

export const DEFAULT_SAMPLER_HZ = 100;
/** the server's process list is asked for again this often (a command may fork) */
const PROCESS_REFRESH_MS = 1000;

interface Task extends TaskRecord {
  fds: { stat: number; syscall: number | undefined; wchan: number | undefined };
  gone: boolean;
}

const buf = Buffer.alloc(4096);

function pread(fd: number): string | undefined {
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

function readOnce(path: string): string | undefined {
  const fd = openOrUndefined(path);
  if (fd === undefined) return undefined;
  try {
    return pread(fd);
  } finally {
    closeSync(fd);
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
  private ticks = 0;
  private startedAt = 0;
  private unavailable: string | undefined;

  constructor(private readonly opts: SamplerOptions) {}

  start(): void {
    this.startedAt = performance.now();
    this.refreshProcesses();
    if (this.unavailable) return;
    this.tick();
    this.timer = setInterval(() => this.tick(), 1000 / this.opts.hz);
  }

  /** ends the window: the last schedstat of each thread, and the summary */
  stop(): ThreadStates {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const windowS = (performance.now() - this.startedAt) / 1000;
    if (!this.unavailable && this.ticks === 0) this.unavailable = 'no thread of the server could be read in the window';
    for (const t of this.tasks.values()) {
      if (!t.gone) this.readEnds(t, 'last');
      this.close(t);
    }
    if (this.unavailable) return { hz: this.opts.hz, ticks: this.ticks, windowS, unavailable: this.unavailable };
    return summarize([...this.tasks.values()], { hz: this.opts.hz, ticks: this.ticks, windowS });
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
        if (task && !task.gone && this.look(task)) seen++;
      }
    }
    if (seen > 0) this.ticks++;
  }

  private open(pid: number, tid: number): Task | undefined {
    const dir = `/proc/${pid}/task/${tid}`;
    const stat = openOrUndefined(`${dir}/stat`);
    if (stat === undefined) return undefined;
    const task: Task = {
      pid, tid, name: '', seen: 0,
      counts: Object.fromEntries(SAMPLE_CLASSES.map((c) => [c, 0])) as Record<SampleClass, number>,
      futex: new Map(), where: new Map(),
      fds: { stat, syscall: openOrUndefined(`${dir}/syscall`), wchan: openOrUndefined(`${dir}/wchan`) },
      gone: false,
    };
    this.tasks.set(tid, task);
    this.readEnds(task, 'first');
    return task;
  }

  private readEnds(t: Task, end: 'first' | 'last'): void {
    const stat = parseTaskStat(pread(t.fds.stat) ?? '');
    const sched = parseSchedstat(readOnce(`/proc/${t.pid}/task/${t.tid}/schedstat`) ?? '');
    if (!stat) return;
    const ends: { stat: TaskStat; sched?: Schedstat } = { stat, ...(sched && { sched }) };
    t.name = stat.comm;
    if (end === 'first') t.first = ends;
    else t.last = ends;
  }

  /** one look at one thread; false when it has ended */
  private look(t: Task): boolean {
    const stat = parseTaskStat(pread(t.fds.stat) ?? '');
    if (!stat) {
      t.gone = true;
      this.close(t);
      return false;
    }
    t.last = { stat, ...(t.last?.sched && { sched: t.last.sched }) };
    const syscall = stat.state === 'R' || t.fds.syscall === undefined ? undefined : parseSyscall(pread(t.fds.syscall) ?? '');
    const wchan = t.fds.wchan !== undefined && (t.fds.syscall === undefined || needsWchan(stat.state, syscall)) ? parseWchan(pread(t.fds.wchan) ?? '') : '';
    const c = classifySample(stat.state, syscall, wchan);
    t.seen++;
    t.counts[c.cls]++;
    if (c.futex) t.futex.set(c.futex, (t.futex.get(c.futex) ?? 0) + 1);
    if (c.where) t.where.set(c.where, (t.where.get(c.where) ?? 0) + 1);
    return true;
  }

  private close(t: Task): void {
    for (const fd of [t.fds.stat, t.fds.syscall, t.fds.wchan]) {
      if (fd === undefined || fd < 0) continue;
      try {
        closeSync(fd);
      } catch {
        // closed already
      }
    }
    t.fds = { stat: -1, syscall: undefined, wchan: undefined };
    t.gone = true;
  }
}
