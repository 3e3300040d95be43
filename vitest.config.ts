import { defineConfig } from 'vitest/config';

// Tests drive the compiled server and CLI in dist/ (worker threads need real .js files),
// so `npm test` builds first (see the "pretest" script).
//
// Three projects: `quick` (the everyday loop, under a minute: no Docker, no long runs), `slow`
// (chromium, local end-to-end sweeps, fuzzing, timeouts and gigabytes) and `docker` (the Docker
// engine). `npm test` (scripts/test.sh) runs `docker` in its own vitest process beside one that
// runs `quick` then `slow`: one vitest process runs every one-file-at-a-time project in a single
// queue, one file after another. `npm run test:quick` runs the first; `npm run test:findings` the
// fourth, `findings`, which `npm test` leaves out.

const ALL = ['server/test/**/*.test.ts', 'loadgen/test/**/*.test.ts'];

/** every file that uses the Docker engine (one engine, its images, loop devices and leftovers' clean-up: one file at a time) */
const DOCKER = [
  'loadgen/test/docker/*.test.ts',
  'loadgen/test/runtime/docker/**/*.test.ts',
  'loadgen/test/**/*-docker.test.ts',
  'loadgen/test/faults/orchestrator-killed.test.ts',
  'loadgen/test/faults/disk-full.test.ts',
  'loadgen/test/faults/engine.test.ts',
  'loadgen/test/security/hardening.test.ts',
];

/**
 * the experiments' findings at reduced scale: their expectations are speedups and device rates,
 * which only a quiet machine reproduces (issue 19: no ratio of timings in `npm test`), so they run
 * on their own: `npm run test:findings`
 */
const FINDINGS = ['loadgen/test/experiments/reproduce*.test.ts'];

/** every other file that uses a browser, or runs for more than a few seconds */
const SLOW = [
  // `speedlab check` against a gallery of C servers (seconds per server)
  'loadgen/test/check/gallery.test.ts',
  // chromium
  'loadgen/test/report/browser.test.ts',
  // whole local `speedlab run` sweeps, with their per-point processes
  'loadgen/test/experiments/c-server.test.ts',
  'loadgen/test/threads/evidence.test.ts',
  'loadgen/test/faults/server-dies.test.ts',
  'loadgen/test/faults/stop.test.ts',
  'loadgen/test/sweep/sweep.test.ts',
  'loadgen/test/sweep/resume.test.ts',
  'loadgen/test/api/api.test.ts',
  'loadgen/test/report/code-version.test.ts',
  'loadgen/test/security/report-escaping.test.ts',
  'loadgen/test/workload/wrk.test.ts',
  // builds a commit of the repository in a worktree, renders a run with both builds
  'loadgen/test/scripts/same-outputs.test.ts',
  // the servers under load, for seconds at a time or gigabytes
  'server/test/concurrency.test.ts',
  'server/test/fuzz.test.ts',
  'server/test/memory.test.ts',
  'server/test/resources.test.ts',
  'server/test/slow-clients.test.ts',
  'server/test/threads.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // a test that asserts nothing fails
    expect: { requireAssertions: true },
    projects: [
      // the quick files measure no time against a bound (a rate or a duration is printed, never
      // asserted; a load window is a request count): two at a time
      { extends: true, test: { name: 'quick', include: ALL, exclude: [...SLOW, ...DOCKER, ...FINDINGS], maxWorkers: 2, isolate: false } },
      // one file at a time in each, the two side by side (scripts/test.sh): no test asserts a rate
      // (issue 19), so a file shares the machine with its neighbour as with scripts/busy-test.sh's burners.
      // A test's timeout only catches a hang: three times the idle length of a whole sweep, so that
      // a busy machine slows these tests without failing them
      { extends: true, test: { name: 'slow', include: SLOW, exclude: DOCKER, fileParallelism: false, testTimeout: 180_000 } },
      { extends: true, test: { name: 'docker', include: DOCKER, exclude: FINDINGS, fileParallelism: false, testTimeout: 180_000 } },
      { extends: true, test: { name: 'findings', include: FINDINGS, fileParallelism: false, testTimeout: 180_000 } },
    ],
  },
});
