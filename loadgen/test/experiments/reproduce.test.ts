// The findings on the local runtime (`npm run test:findings`, on a quiet machine; not in `npm test`):
// lock-strategies, thread-scaling, large-log and logging-cost at reduced scale must exit 0, i.e.
// every one of their expectations held (reproduce.ts; the throttled disks' experiment is
// reproduce-docker.test.ts).
// Why its time (~3 min): an expectation is a finding of a whole sweep, and each point is a fresh
// server and four loadgen processes; the cases are already cut to the thread counts and repetitions
// their expectations need (see each case's note).
// Build first: npx tsc -p .
import { reproduceSuite } from './reproduce.js';

reproduceSuite('the experiments reproduce their findings at reduced scale (local runtime)', [
  // effects of 15× and 1×: every single repetition of the full runs held; 4 threads for its own
  // expectation, and three thread counts for the lock-bound and scales findings
  { name: 'lock-strategies', runtime: 'local', scale: 0.2, repetitions: 1, threads: [1, 4, 16], budgetMs: 90_000 },
  { name: 'thread-scaling', runtime: 'local', scale: 0.2, repetitions: 1, threads: [1, 2, 8, 32], budgetMs: 60_000 },
  { name: 'large-log', runtime: 'local', scale: 0.05, budgetMs: 60_000 },
  // single repetitions missed twice in six (a speedup over one 1-thread baseline is noisy);
  // every pair of repetitions held
  { name: 'logging-cost', runtime: 'local', scale: 0.2, repetitions: 2, threads: [1, 16], budgetMs: 150_000 },
]);
