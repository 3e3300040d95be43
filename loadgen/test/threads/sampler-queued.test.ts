// A wchan of 0 is not proof that a thread runs: since Linux 6.12 (EEVDF's delayed dequeue) a thread
// that went to sleep can stay on its CPU's queue for a while, and wchan reads 0 for it. Threads that
// work 200 µs and sleep 500 µs, many of them on one CPU, are often in that state. Counting those
// looks as running put 1.15 threads on one CPU (2026-12-07, this kernel); the sampler reads the
// state (R or not), and the threads it sees on the CPU agree with their schedstat CPU time.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ThreadSampler } from '../../src/threads/sampler.js';
import type { ThreadStates } from '../../src/results/record.js';

const THREADS = 16;
const PROGRAM = `
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
static void work_us(long us) {
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  do clock_gettime(CLOCK_MONOTONIC, &b); while ((b.tv_sec - a.tv_sec) * 1000000L + (b.tv_nsec - a.tv_nsec) / 1000 < us);
}
static void *churn(void *a) { for (;;) { work_us(200); usleep(500); } return a; }
int main(int argc, char **argv) {
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(atoi(argv[2]), &one);
  sched_setaffinity(0, sizeof one, &one);
  for (int i = 0; i < atoi(argv[1]); i++) { pthread_t t; pthread_create(&t, 0, churn, 0); }
  printf("started\\n");
  fflush(stdout);
  pause();
}
`;

let dir: string;
let child: ChildProcess;
let states: ThreadStates;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'speedlab-queued-'));
  writeFileSync(path.join(dir, 'churn.c'), PROGRAM);
  execFileSync('gcc', ['-O1', '-pthread', '-o', path.join(dir, 'churn'), path.join(dir, 'churn.c')]);
  // the last CPU: the threads share one, whatever else the machine runs
  child = spawn(path.join(dir, 'churn'), [String(THREADS), String(os.cpus().length - 1)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => child.stdout!.once('data', resolve));
  const sampler = new ThreadSampler({ hz: 100, looksPerTick: THREADS + 1, processes: () => [child.pid!] });
  sampler.start();
  while (sampler.ticks < 150) await new Promise((r) => setTimeout(r, 20));
  states = sampler.stop();
});

afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('the sampler with many threads on one CPU', () => {
  it('sees on the CPU, on average, the threads that schedstat says were on it: never more than one CPU holds', () => {
    const cores = states.threads!.reduce((n, t) => n + t.cpuS, 0) / states.windowS;
    expect(cores).toBeGreaterThan(0.2);
    expect(Math.abs(states.classes!.onCpu - cores)).toBeLessThanOrEqual(0.05);
    expect(states.classes!.onCpu).toBeLessThanOrEqual(1.05);
  });
});
