// The sampler against a real C program built here: N threads contending for one pthread mutex
// (a holder keeps it most of the time, so they keep waiting, and keep running between waits),
// a thread spinning, one in epoll_wait, one sleeping in usleep.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ThreadSampler } from '../../src/threads/sampler.js';
import type { ThreadStates } from '../../src/results/record.js';

const WAITERS = 4;
// the mean waiters on the mutex, measured over 30 windows of 60 ticks: median 3.28 on an idle
// machine and 3.0 with two busy loops on its two cores, lowest 2.7
const MIN_MEAN_WAITERS = WAITERS - 1.5;
const PROGRAM = `
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static void *holder(void *a) { for (;;) { pthread_mutex_lock(&mu); usleep(20000); pthread_mutex_unlock(&mu); } return a; }
static void *waiter(void *a) { for (;;) { pthread_mutex_lock(&mu); pthread_mutex_unlock(&mu); } return a; }
static void *spin(void *a) { volatile unsigned long x = 0; for (;;) x++; return a; }
static void *poller(void *a) { int e = epoll_create1(0); struct epoll_event ev; for (;;) epoll_wait(e, &ev, 1, -1); return a; }
static void *sleeper(void *a) { for (;;) usleep(50000); return a; }
static void start(void *(*f)(void *), const char *name) { pthread_t t; pthread_create(&t, 0, f, 0); pthread_setname_np(t, name); }
int main(int argc, char **argv) {
  int n = atoi(argv[1]);
  printf("%p\\n", (void *)&mu);
  fflush(stdout);
  start(holder, "holder");
  usleep(10000);
  for (int i = 0; i < n; i++) start(waiter, "waiter");
  start(spin, "spinner");
  start(poller, "poller");
  start(sleeper, "sleeper");
  pause();
}
`;

let dir: string;
let child: ChildProcess;
let mutexAddress: string;
let states: ThreadStates;
/** the same window, sampled by a second sampler that looks at only BUDGET threads a tick, in turn */
let budgeted: ThreadStates;
let reads: ThreadSampler['reads'];
const BUDGET = 3;
const THREADS = WAITERS + 5;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'speedlab-sampler-'));
  writeFileSync(path.join(dir, 'p.c'), PROGRAM);
  execFileSync('gcc', ['-O1', '-pthread', '-o', path.join(dir, 'p'), path.join(dir, 'p.c')]);
  child = spawn(path.join(dir, 'p'), [String(WAITERS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  mutexAddress = await new Promise<string>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));
  // every thread started: the program's thread count reaches main + holder + waiters + 3
  while (Number(/^Threads:\s+(\d+)/m.exec(execFileSync('cat', [`/proc/${child.pid}/status`], { encoding: 'utf8' }))?.[1]) < WAITERS + 5) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const sampler = new ThreadSampler({ hz: 100, processes: () => [child.pid!] });
  const inTurn = new ThreadSampler({ hz: 100, processes: () => [child.pid!], looksPerTick: BUDGET });
  sampler.start();
  inTurn.start();
  // a number of samples, not a duration, decides when the window ends
  while (sampler.ticks < 60 || inTurn.ticks < 60) await new Promise((r) => setTimeout(r, 20));
  reads = sampler.reads;
  states = sampler.stop();
  budgeted = inTurn.stop();
});

afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const named = (name: string) => states.threads!.filter((t) => t.name === name);

describe('the thread-state sampler on a real C program', () => {
  it('sees every thread of the process, named, the main thread as main', () => {
    expect(states.unavailable).toBeUndefined();
    expect(states.threads!.map((t) => t.name).sort()).toEqual(['holder', 'p', 'poller', 'sleeper', 'spinner', ...Array(WAITERS).fill('waiter')].sort());
    expect(states.threads!.find((t) => t.role === 'main')!.tid).toBe(child.pid);
  });

  it('calls the thread that waits in epoll the dispatcher, and the others workers', () => {
    const roles = Object.fromEntries(states.threads!.filter((t) => t.role !== 'main').map((t) => [t.name, t.role]));
    expect(roles).toEqual({ poller: 'dispatcher', holder: 'worker', sleeper: 'worker', spinner: 'worker', waiter: 'worker' });
  });

  it(`finds at least ${MIN_MEAN_WAITERS} threads, on average, waiting on the one mutex's futex address`, () => {
    expect(states.hottestFutex).toMatchObject({ pid: child.pid, address: mutexAddress });
    // the waiters, and the holder when it comes back for the lock while a waiter has it
    expect(states.hottestFutex!.threads).toBeGreaterThanOrEqual(WAITERS);
    expect(states.hottestFutex!.meanWaiters).toBeGreaterThanOrEqual(MIN_MEAN_WAITERS);
    for (const w of named('waiter')) expect(w.futex).toBe(mutexAddress);
  });

  it('puts the spinning thread on a CPU (or waiting for one) in every sample, and the epoll thread on the network in every sample', () => {
    const spinner = named('spinner')[0]!;
    expect(spinner.shares.onCpu + spinner.shares.cpuWait).toBeCloseTo(1, 2);
    expect(spinner.cpuS).toBeGreaterThan(0);
    expect(named('poller')[0]!.shares.network).toBe(1);
    expect(named('sleeper')[0]!.where).toBe('hrtimer_nanosleep');
  });

  it('with a budget of looks per tick, looks at the threads in turn, each for its share of the ticks', () => {
    const seen = budgeted.threads!.map((t) => t.samples);
    expect(budgeted.threads).toHaveLength(THREADS);
    // a rotating share: every thread looked at as often as any other, give or take one look
    expect(Math.max(...seen) - Math.min(...seen)).toBeLessThanOrEqual(1);
    expect(seen.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(budgeted.ticks * BUDGET);
    expect(Math.max(...seen)).toBeLessThan(budgeted.ticks);
  });

  it('with or without a budget, a thread alive the whole window counts as one thread: the classes add up to the thread count', () => {
    for (const s of [states, budgeted]) {
      const sum = Object.values(s.classes!).reduce((a, b) => a + b, 0);
      expect(Math.abs(sum - THREADS)).toBeLessThan(0.05);
    }
  });

  it('with a budget, still finds the waiters on the mutex and the epoll thread on the network', () => {
    expect(budgeted.hottestFutex).toMatchObject({ pid: child.pid, address: mutexAddress });
    expect(budgeted.hottestFutex!.meanWaiters).toBeGreaterThanOrEqual(MIN_MEAN_WAITERS);
    expect(budgeted.threads!.find((t) => t.name === 'poller')!.shares.network).toBe(1);
  });

  it('reads a futex wait\'s address (the syscall file, which takes the runqueue lock) for one lock look in four', () => {
    const lockLooks = states.threads!.map((t) => Math.round(t.shares.lock * t.samples));
    // the first lock look of each thread, then every fourth
    const expected = lockLooks.reduce((n, k) => n + Math.ceil(k / 4), 0);
    expect(reads.address).toBeGreaterThan(0);
    expect(Math.abs(reads.address - expected)).toBeLessThanOrEqual(states.threads!.length);
    expect(reads.address).toBeLessThan(reads.looks / 4);
  });

  it('reads no syscall file but for a futex\'s address: not for a wchan of 0 (stat tells running from asleep-but-queued)', () => {
    const runningLooks = states.threads!.reduce((n, t) => n + Math.round((t.shares.onCpu + t.shares.cpuWait) * t.samples), 0);
    expect(reads.syscall).toBe(reads.address);
    expect(reads.zeroWchan).toBeGreaterThanOrEqual(runningLooks - states.threads!.length);
  });

  it('reads a thread\'s stat once when it finds it, and then only for a wchan of 0 or a wait its wchan does not settle (usleep, pause), not for epoll or a lock', () => {
    const otherLooks = states.threads!.reduce((n, t) => n + Math.round(t.shares.other * t.samples), 0);
    expect(otherLooks).toBeGreaterThan(0);
    // give or take one a thread: a look that read stat can find it running again, and a sleeper
    // still queued (a wchan of 0) counts where it last waited, perhaps 'other'
    expect(Math.abs(reads.stat - (THREADS + otherLooks + reads.zeroWchan))).toBeLessThanOrEqual(THREADS);
  });

  it('says why when the server has no process to read', () => {
    const none = new ThreadSampler({ hz: 100, processes: () => 'the container runs on another machine' });
    none.start();
    expect(none.stop()).toMatchObject({ hz: 100, ticks: 0, unavailable: 'the container runs on another machine' });
  });
});
