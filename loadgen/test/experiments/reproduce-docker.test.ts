// The findings that need throttled disks, on the docker runtime (`npm run test:findings`, on a
// quiet machine; not in `npm test`): disk-bottleneck must exit 0,
// i.e. every one of its expectations held (reproduce.ts). Skipped with the reason when no engine
// answers, failed when SPEEDLAB_REQUIRE_DOCKER=1.
// Why its time (~2.5 min): six points at full windows on loop devices throttled to 75 and 10 MB/s,
// each seeded and verified through the throttle.
// Build first: npx tsc -p .
import { reproduceSuite } from './reproduce.js';

reproduceSuite('the experiments reproduce their findings at reduced scale (docker runtime)', [
  // full windows: at ~1 PUT/s on the sd-card a shorter window may hold no response at all
  { name: 'disk-bottleneck', runtime: 'docker', scale: 1, repetitions: 1, threads: [1, 16], budgetMs: 200_000 },
]);
