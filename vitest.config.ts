import { defineConfig } from 'vitest/config';

// Tests drive the compiled server and CLI in dist/ (worker threads need real .js files),
// so `npm test` builds first (see the "pretest" script).
//
// Two projects: `quick` (the everyday loop, under a minute: no Docker, no long runs) and `slow`
// (the Docker engine, chromium, end-to-end sweeps, fuzzing, timeouts and gigabytes). `npm test`
// and CI run both; `npm run test:quick` runs the first.

const ALL = ['server/test/**/*.test.ts', 'loadgen/test/**/*.test.ts'];

/** every file that uses the Docker engine, a browser, or runs for more than a few seconds */
const SLOW = [
  // the Docker engine
  'loadgen/test/docker/*.test.ts',
  'loadgen/test/runtime/docker/**/*.test.ts',
  'loadgen/test/experiments/*.test.ts',
  'loadgen/test/faults/*.test.ts',
  'loadgen/test/security/hardening.test.ts',
  // `speedlab check` against a gallery of C servers (seconds per server)
  'loadgen/test/check/gallery.test.ts',
  // chromium
  'loadgen/test/report/browser.test.ts',
  // whole `speedlab run` sweeps, with their per-point processes
  'loadgen/test/sweep/sweep.test.ts',
  'loadgen/test/sweep/resume.test.ts',
  'loadgen/test/report/code-version.test.ts',
  'loadgen/test/security/report-escaping.test.ts',
  'loadgen/test/workload/wrk.test.ts',
  'loadgen/test/threads/evidence.test.ts',
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
      { extends: true, test: { name: 'quick', include: ALL, exclude: SLOW, maxWorkers: 2, isolate: false } },
      // one file at a time: they measure throughput and timeouts on a shared machine. A test's
      // timeout only catches a hang: three times the idle length of a whole sweep, so that a busy
      // machine (scripts/busy-test.sh) slows these tests without failing them
      { extends: true, test: { name: 'slow', include: SLOW, fileParallelism: false, testTimeout: 180_000 } },
    ],
  },
});
