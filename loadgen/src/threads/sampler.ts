// The thread-state sampler (issue 21): during a measured window, every thread of the server's
// processes is looked at `hz` times a second through /proc/PID/task/TID/wchan (0 for a thread on a
// CPU or runnable; else the kernel function it sleeps in) and, for a futex wait, now and then its
// syscall file (the futex's address); for a wait its wchan does not settle, its state (stat: D is
// the disk). An idle worker in epoll_wait costs one read a look. A wchan of 0 is not proof of
// running: since Linux 6.12 a thread that went to sleep can stay queued for a while (EEVDF's
// delayed dequeue), and wchan shows 0 for it. Its state in stat (R or not) tells the two apart;
// such a sleeper counts where its last wait was read. Not its syscall file: to read that, the
// kernel would dequeue the sleeper on the server's CPU (wait_task_inactive), changing its schedule.
// The syscall file of a blocked thread is the costly read: the kernel takes the runqueue lock of
// the thread's CPU twice for it (wait_task_inactive), where wchan takes the thread's own lock. So
// one futex look in ADDRESS_EVERY reads the address, and the summary scales the addresses read to
// all of a thread's futex looks. Without a readable wchan, every look reads the syscall file.
// The CPU counters and the list of threads are read ten times less often: schedstat then; stat
// (the longer text, with the name) only when a thread is found and at the end, or where schedstat
// is missing. Each file stays open and is re-read with pread at offset 0 (the kernel regenerates
// it): one system call per file per look. Every look is kept with its time: the summary covers
// the last `windowS` seconds only, the load generator's measured window, not its start-up.
// A tick looks at no more than `looksPerTick` threads: a server with more has them looked at in
// turn (a rotating share per tick), so the sampler's cost stops growing with the thread count;
// each thread's samples then stand for the ticks it lived through (summary.ts weights them so).
import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import type { ThreadStates } from '../results/record.js';
import { classifySample, LOCK_WCHAN, needsWchan, SAMPLE_CLASSES, settledByWchan, type Classified, type SampleClass } from './classify.js';
import { parseSchedstat, parseSyscall, parseTaskStat, parseWchan, type Schedstat, type TaskStat } from './procfs.js';
import { summarize, type TaskRecord } from './summary.js';

export const DEFAULT_SAMPLER_HZ = 100;
/** the server's process list is asked for again this often (a command may fork) */
const PROCESS_REFRESH_MS = 1000;
/** every this many looks, the thread list and the CPU counters are read too */
const COUNTER_EVERY = 10;
/**
 * threads looked at per tick, at most: 1,600 looks a second at 100 Hz. On the sampler's bench (the
 * C example, 65 threads, wrk, 2 cores) a look at every thread each tick cost 7-9% of the server's
 * throughput; as many looks as 25 Hz of every thread took are within its noise
 */
export const DEFAULT_LOOKS_PER_TICK = 16;
/** of a thread's looks that find it in a futex wait, the first and then one in this many read the futex's address */
const ADDRESS_EVERY = 4;

interface Look extends Classified {
  tick: number;
  /** a lock look that read the syscall file (the futex's address, when it was a futex wait) */
  addressRead?: true;
}

/** one reading of a thread's CPU counters: schedstat, stat, or both */
interface Counters {
  tick: number;
  stat?: TaskStat;
  sched?: Schedstat;
}

interface Task {
  pid: number;
  tid: number;
  /** the first and last ticks it was alive to be looked at */
  aliveFrom?: number;
  aliveTo?: number;
  fds: { stat: number; sched?: number; syscall?: number; wchan?: number };
  looks: Look[];
  /** its looks so far that found it in a futex wait */
  lockLooks: number;
  /** where its last look that read a wait found it (no futex address) */
  lastWait?: Classified;
  counters: Counters[];
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

interface SamplerOptions {
  hz: number;
  /** at most this many threads looked at per tick (DEFAULT_LOOKS_PER_TICK) */
  looksPerTick?: number;
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
  /** where the next tick's share of the threads begins */
  private cursor = 0;
  /** reads so far of a syscall file (costly for a blocked thread); of those, for a futex wait's address; of a stat file */
  private syscallFileReads = 0;
  private addressReads = 0;
  private statFileReads = 0;
  /** looks whose wchan read 0 */
  private zeroWchans = 0;

  constructor(private readonly opts: SamplerOptions) {}

  /** samples taken so far */
  get ticks(): number {
    return this.tickTimes.length;
  }

  /** files read so far: syscall (all; for a futex's address), stat; looks taken, and those whose wchan read 0 */
  get reads(): { syscall: number; address: number; stat: number; looks: number; zeroWchan: number } {
    let looks = 0;
    for (const t of this.tasks.values()) looks += t.looks.length;
    return { syscall: this.syscallFileReads, address: this.addressReads, stat: this.statFileReads, looks, zeroWchan: this.zeroWchans };
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
    const lastTick = this.tickTimes.length - 1;
    for (const t of this.tasks.values()) {
      if (!t.gone && lastTick >= 0) this.readCounters(t, lastTick, true);
      this.close(t);
    }
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
    const full = tick % COUNTER_EVERY === 0;
    if (full) this.listThreads();
    const alive: Task[] = [];
    for (const task of this.tasks.values()) {
      if (task.gone) continue;
      // a thread found on this tick is read whole: its name too
      if (full && !this.readCounters(task, tick, task.counters.length === 0)) continue;
      task.aliveFrom ??= tick;
      task.aliveTo = tick;
      alive.push(task);
    }
    const budget = Math.max(1, this.opts.looksPerTick ?? DEFAULT_LOOKS_PER_TICK);
    const turn = alive.length <= budget ? alive : rotatingShare(alive, this.cursor, budget);
    if (alive.length > budget) this.cursor = (this.cursor + budget) % alive.length;
    let seen = 0;
    for (const task of turn) if (this.look(task, tick)) seen++;
    if (seen > 0) this.tickTimes.push(performance.now());
  }

  private listThreads(): void {
    for (const pid of this.pids) {
      let tids: string[];
      try {
        tids = readdirSync(`/proc/${pid}/task`);
      } catch {
        continue;
      }
      for (const name of tids) if (!this.tasks.has(Number(name))) this.open(pid, Number(name));
    }
  }

  /** a thread found: its files opened (the tick that found it reads its counters) */
  private open(pid: number, tid: number): void {
    const dir = `/proc/${pid}/task/${tid}`;
    const stat = openOrUndefined(`${dir}/stat`);
    if (stat === undefined) return;
    const fds = { stat, sched: openOrUndefined(`${dir}/schedstat`), syscall: openOrUndefined(`${dir}/syscall`), wchan: openOrUndefined(`${dir}/wchan`) };
    this.tasks.set(tid, { pid, tid, fds, looks: [], lockLooks: 0, counters: [], gone: false });
  }

  private readStat(t: Task): TaskStat | undefined {
    this.statFileReads++;
    return parseTaskStat(pread(t.fds.stat) ?? '');
  }

  /** the thread's CPU counters now: schedstat, and stat too when asked or without schedstat; false when it has ended */
  private readCounters(t: Task, tick: number, withStat = false): boolean {
    const stat = withStat || t.fds.sched === undefined ? this.readStat(t) : undefined;
    const sched = t.fds.sched === undefined ? undefined : parseSchedstat(pread(t.fds.sched) ?? '');
    if (!stat && !sched) {
      this.close(t);
      return false;
    }
    const reading: Counters = { tick, ...(stat && { stat }), ...(sched && { sched }) };
    const last = t.counters[t.counters.length - 1];
    // the final reading on the tick of the last periodic one: one reading, the newer values
    if (last?.tick === tick) t.counters[t.counters.length - 1] = { ...last, ...reading };
    else t.counters.push(reading);
    return true;
  }

  /** one look at one thread; false when it could not be read */
  private look(t: Task, tick: number): boolean {
    if (t.fds.wchan === undefined) return this.lookBySyscall(t, tick);
    const text = pread(t.fds.wchan);
    if (text === undefined) {
      this.close(t);
      return false;
    }
    const wchan = parseWchan(text);
    if (wchan === '') {
      this.zeroWchans++;
      const state = this.readStat(t)?.state ?? 'R';
      if (state === 'R') t.looks.push({ tick, cls: 'running' });
      // asleep but still queued: where it last waited
      else t.looks.push({ tick, ...(state === 'D' ? { cls: 'disk' as const } : (t.lastWait ?? { cls: 'other' as const, where: 'asleep, still queued' })) });
      return true;
    }
    if (!LOCK_WCHAN.test(wchan)) {
      const state = settledByWchan(wchan) ? 'S' : (this.readStat(t)?.state ?? 'S');
      const classified = classifySample(state, undefined, wchan);
      t.looks.push({ tick, ...classified });
      if (classified.cls !== 'running') t.lastWait = classified;
      return true;
    }
    t.lastWait = { cls: 'lock' };
    if (t.lockLooks++ % ADDRESS_EVERY !== 0 || t.fds.syscall === undefined) {
      t.looks.push({ tick, cls: 'lock' });
      return true;
    }
    this.syscallFileReads++;
    this.addressReads++;
    const syscall = parseSyscall(pread(t.fds.syscall) ?? '');
    // running again by now: it was on the lock when wchan was read
    const classified = syscall === undefined || syscall === 'running' ? { cls: 'lock' as const } : classifySample('S', syscall, wchan);
    t.looks.push({ tick, ...classified, addressRead: true });
    return true;
  }

  /** a look through the syscall file, and the state where it does not tell: for a thread whose wchan cannot be read */
  private lookBySyscall(t: Task, tick: number): boolean {
    if (t.fds.syscall === undefined) {
      // neither file to read (no permission): the state alone says less, but something
      const stat = this.readStat(t);
      if (!stat) return false;
      t.looks.push({ tick, ...classifySample(stat.state, undefined, '') });
      return true;
    }
    this.syscallFileReads++;
    const text = pread(t.fds.syscall);
    if (text === undefined) {
      this.close(t);
      return false;
    }
    const syscall = parseSyscall(text);
    if (syscall === 'running' || !needsWchan('S', syscall)) {
      t.looks.push({ tick, ...classifySample(syscall === 'running' ? 'R' : 'S', syscall, ''), ...(syscall !== 'running' && { addressRead: true as const }) });
      return true;
    }
    // a syscall the tables do not name: the state says whether it waits on the disk (D)
    const state = this.readStat(t)?.state ?? 'S';
    t.looks.push({ tick, ...classifySample(state, syscall, ''), addressRead: true });
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

/** `n` of the threads, from `start` on, wrapping around */
function rotatingShare<T>(all: readonly T[], start: number, n: number): T[] {
  const from = start % all.length;
  const share = all.slice(from, from + n);
  return share.length < n ? share.concat(all.slice(0, n - share.length)) : share;
}

/** the ticks from `from` on that the thread was alive to be looked at */
function lived(t: Task, from: number): number {
  if (t.aliveFrom === undefined || t.aliveTo === undefined || t.aliveTo < from) return 0;
  return t.aliveTo - Math.max(t.aliveFrom, from) + 1;
}

/** one thread's looks from tick `from` on; its CPU counters from the reading just before (or the first in) the window to the last */
function record(t: Task, from: number): TaskRecord {
  const inWindow = t.looks.filter((l) => l.tick >= from);
  const counts = Object.fromEntries(SAMPLE_CLASSES.map((c) => [c, 0])) as Record<SampleClass, number>;
  const futex = new Map<string, number>();
  const where = new Map<string, number>();
  let dispatch = 0;
  let addressed = 0;
  for (const l of inWindow) {
    counts[l.cls]++;
    if (l.cls === 'lock' && l.addressRead) addressed++;
    if (l.dispatch) dispatch++;
    if (l.futex) futex.set(l.futex, (futex.get(l.futex) ?? 0) + 1);
    if (l.where) where.set(l.where, (where.get(l.where) ?? 0) + 1);
  }
  const first = t.counters.filter((c) => c.tick <= from).pop() ?? t.counters[0];
  const last = t.counters[t.counters.length - 1];
  const ends = (c: Counters) => ({ ...(c.stat && { stat: c.stat }), ...(c.sched && { sched: c.sched }) });
  const named = t.counters.findLast((c) => c.stat !== undefined);
  return {
    pid: t.pid, tid: t.tid, name: named?.stat?.comm ?? '', seen: inWindow.length, lived: lived(t, from), counts, addressed, dispatch, futex, where,
    ...(first && { first: ends(first) }), ...(last && last !== first && { last: ends(last) }),
  };
}
