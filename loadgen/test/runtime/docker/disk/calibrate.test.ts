// speedlab calibrate measures a profile as the server would get it: on a 10 MB/s profile direct
// and fsync writes land at the limit, buffered writes escape it (cgroup v1), and nothing is left.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCalibration } from '../../../../src/commands/calibrate.js';
import { resolveDisk } from '../../../../src/disk/presets.js';
import { removeRun } from '../../../../src/runtime/docker/cleanup.js';
import { calibrateDisk } from '../../../../src/runtime/docker/disk/calibrate.js';
import { engine, ensureTestImage, HAVE_DOCKER, labLoopDevices, leftovers, uniqueRunId } from '../../../docker/engine.js';

const MiB = 1024 ** 2;

describe.skipIf(!HAVE_DOCKER)('calibration', () => {
  const runId = uniqueRunId('calibrate');
  beforeAll(async () => {
    await ensureTestImage();
  });
  afterAll(async () => {
    await removeRun(engine(), runId);
  });

  it('measures a throttled profile beside its limits', async () => {
    const p = resolveDisk('ten', { kind: 'throttled', size: 64 * MiB, writeBps: 10 * MiB, readBps: 40 * MiB });
    const c = await calibrateDisk(engine(), p, { runId, mib: 20 });
    console.log(formatCalibration([c]));
    expect(c.limits).toEqual({ writeBps: 10 * MiB, readBps: 40 * MiB });
    // a limit is a ceiling a busy machine cannot pass: tight above; below, room for a machine 3x
    // slower than needed to reach it (a units mistake still lands outside)
    expect(c.directWriteMiBps!).toBeGreaterThan(10 / 3);
    expect(c.directWriteMiBps!).toBeLessThan(11.5);
    expect(c.fsyncWriteMiBps!).toBeGreaterThan(10 / 3);
    expect(c.fsyncWriteMiBps!).toBeLessThan(11.5);
    // buffered writes land in the page cache (GB/s): past twice the limit, they escaped it
    expect(c.bufferedWriteMiBps!).toBeGreaterThan(20);
    expect(c.readMiBps!).toBeLessThan(40 * 1.3);
    // 1 MiB direct reads meet the bandwidth limit (no IOPS limit on this profile)
    expect(c.directReadMiBps!).toBeGreaterThan(40 / 3);
    expect(c.directReadMiBps!).toBeLessThan(40 * 1.15);
    expect(await leftovers(runId)).toEqual({ containers: [], volumes: [] });
    expect(labLoopDevices(execFileSync('losetup', ['-l'], { encoding: 'utf8' })).filter((l) => l.includes(runId))).toEqual([]);
  });

  it("measures a high limit on a small disk as the limit, not as the throttle's first burst", async () => {
    // 9 MiB once at 200 MB/s passes within the kernel's first 100 ms slice (measured 495 MB/s)
    const p = resolveDisk('fast', { kind: 'throttled', size: 16 * MiB, writeBps: 200e6 });
    const c = await calibrateDisk(engine(), p, { runId });
    expect(c.heldLimits).toEqual({ writeBps: 200e6 });
    expect(c.directWriteMiBps! * MiB).toBeLessThan(200e6 * 1.15);
    expect(c.directWriteMiBps! * MiB).toBeGreaterThan(200e6 / 3);
  });

  it('measures the ram profile (no limits)', async () => {
    const c = await calibrateDisk(engine(), resolveDisk('ram', { kind: 'ram', size: 64 * MiB }), { runId, mib: 16 });
    expect(c.limits).toBeUndefined();
    // memory is GB/s: far past any throttled profile's limit, on a busy machine too
    expect(c.bufferedWriteMiBps!).toBeGreaterThan(50);
  });
});
