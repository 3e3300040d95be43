// Container counters from the cgroup files (cgroup.ts): the parsing, and on an engine
// whose cgroups this process sees, the same numbers the stats API gives.
import { describe, expect, it } from 'vitest';
import { blkioV1, cgroupCounters, ioStatV2, locateCgroup } from '../../../../src/runtime/docker/counters/cgroup.js';
import { containerCounters } from '../../../../src/runtime/docker/counters/stats.js';
import { IMAGE } from '../../../../src/runtime/docker/engine/labels.js';
import { engine, ensureTestImage, HAVE_DOCKER, memPeakKnown } from '../../../docker/engine.js';

describe('cgroup counter files', () => {
  it('reads one device\'s bytes from v1 blkio and v2 io.stat', () => {
    const v1 = '7:3 Read 4096\n7:3 Write 8192\n7:3 Sync 1\n8:0 Write 99\nTotal 12288\n';
    expect(blkioV1(v1, { major: 7, minor: 3 })).toEqual({ entries: 4, read: 4096, write: 8192 });
    expect(blkioV1('Total 0\n', { major: 7, minor: 3 }).entries).toBe(0);
    expect(ioStatV2('8:0 rbytes=1 wbytes=2\n7:3 rbytes=10 wbytes=20 rios=1 wios=2\n', { major: 7, minor: 3 })).toEqual({ read: 10, write: 20 });
    expect(ioStatV2('', { major: 7, minor: 3 })).toEqual({ read: 0, write: 0 });
  });
});

describe.skipIf(!HAVE_DOCKER)('cgroup counters of a container', () => {
  it('agree with the stats API', async () => {
    await ensureTestImage();
    const c = await engine().createContainer({
      Image: IMAGE,
      // 0.4 s of CPU, however long the busy machine takes to give it, then idle
      Cmd: ['node', '-e', 'const u = () => { const c = process.cpuUsage(); return c.user + c.system; }; while (u() < 4e5); console.log("burnt"); setInterval(() => {}, 1000)'],
      HostConfig: { NetworkMode: 'none' },
    });
    try {
      await c.start();
      // the engine runs on this host, as every Docker test assumes (they read its loop devices too):
      // its cgroup files are here for the fast counters (for a remote engine the runtime asks the stats API)
      const cg = locateCgroup(c.id);
      expect(cg, 'the engine\'s cgroup files for the container').toBeDefined();
      // until its CPU time shows the burn (the test's timeout ends it if it never does), then idle
      while (cgroupCounters(cg!, undefined)!.cpuSeconds < 0.4) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 200));
      const api = await containerCounters(c, undefined);
      const files = cgroupCounters(cg!, undefined)!;
      expect(files.cpuSeconds).toBeGreaterThanOrEqual(0.4);
      expect(Math.abs(files.cpuSeconds - api.cpuSeconds)).toBeLessThan(0.05);
      if (memPeakKnown()) {
        // the process is idle by now: its peak is the one the stats API saw (v1; v2's API has none)
        expect(files.memPeakBytes).toBeGreaterThanOrEqual(api.memPeakBytes ?? 1);
        expect(files.memPeakBytes).toBeGreaterThan(1024 ** 2);
      } else expect(files.memPeakBytes).toBeUndefined();
    } finally {
      await c.remove();
    }
  });
});
