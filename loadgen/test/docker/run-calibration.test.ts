// Every run stores its calibration (DESIGN §5, §7): `speedlab run` on the docker runtime measures
// each disk profile its sweep uses before the first point and writes it into run.json, and the
// report shows it. The profile has the hdd preset's limits (on a small disk), so this also checks
// that those limits agree: 1 MiB direct writes reach the bandwidth limit (the IOPS limit does not
// cut them short). The local runtime records its /dev/shm directory the same way.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISK_PRESETS, resolveDisk } from '../../src/disk/presets.js';
import type { Calibration, RunInfo } from '../../src/results/record.js';
import { LocalRuntime } from '../../src/runtime/local/runtime.js';
import { ensureTestImage, HAVE_DOCKER } from './engine.js';

const MiB = 1024 ** 2;
const hdd = DISK_PRESETS.hdd!;

describe.skipIf(!HAVE_DOCKER)('speedlab run stores its calibration (docker)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'speedlab-calibration-'));
  beforeAll(async () => {
    await ensureTestImage();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('calibrates the throttled profile once, before the sweep, and the report shows it', () => {
    const file = path.join(dir, 'calibrated.yaml');
    writeFileSync(file, [
      'name: calibrated',
      'server: { impl: reference, lock: file, logWrite: reserved, sync: fsync }',
      'sweep: { threads: [1, 2], disk: [slow] }',
      'workload: { mix: put, files: distinct, fileSize: 4KiB, connections: 2, warmup: 0s, duration: 1s, repetitions: 1 }',
      `disks: { slow: { kind: throttled, size: 128MiB, writeBps: ${hdd.writeBps}, readBps: ${hdd.readBps}, writeIops: ${hdd.writeIops}, readIops: ${hdd.readIops} } }`,
      '',
    ].join('\n'));
    const out = path.join(dir, 'out');
    const r = spawnSync(process.execPath, ['dist/loadgen/src/cli.js', 'run', file, '--runtime', 'docker', '--out', out], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr.match(/calibrated disk 'slow'/g)).toHaveLength(1);
    const info = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')) as RunInfo;
    expect(info.calibration).toHaveLength(1);
    // the environment names the engine and the disjoint cpusets the containers ran on
    expect(info.host.dockerVersion).toMatch(/^\d+\.\d+/);
    expect(info.host.serverCpuset).toMatch(/^[\d,-]+$/);
    expect(info.host.loadgenCpuset).toMatch(/^[\d,-]+$/);
    expect(info.host.serverCpuset).not.toBe(info.host.loadgenCpuset);
    const c = info.calibration[0] as Calibration;
    console.log('calibration in run.json:', JSON.stringify(c));
    expect(c.disk).toBe('slow');
    expect(c.limits).toEqual({ writeBps: hdd.writeBps, readBps: hdd.readBps, writeIops: hdd.writeIops, readIops: hdd.readIops });
    const limitMiBps = hdd.writeBps! / MiB;
    // the limit is a ceiling a busy machine cannot pass; below it, room for a machine 3x slower
    expect(c.directWriteMiBps!).toBeGreaterThan(limitMiBps / 3);
    expect(c.directWriteMiBps!).toBeLessThan(limitMiBps * 1.15);
    // buffered writes without fsync escape a cgroup v1 limit: measured, not asserted against it
    expect(c.bufferedWriteMiBps!).toBeGreaterThan(0);
    expect(c.fsyncWriteMiBps!).toBeGreaterThan(0);
    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    // the limits held: the engine warned of nothing, and no point is marked unthrottled
    expect(c.warnings).toBeUndefined();
    // and the kernel held each of them for the loop device, read from the container's cgroup files
    expect(c.heldLimits).toEqual(c.limits);
    expect(readFileSync(path.join(out, 'points.jsonl'), 'utf8')).not.toContain('unthrottled');
    // the cgroup version beside the calibration and each point's device writes
    const v = info.engine!.cgroupVersion;
    expect(v).toBe(info.host.cgroupVersion);
    expect(html).toContain(`<h3>Disk calibration (cgroup v${v})</h3>`);
    expect(html.match(new RegExp(`<td class="num">[^<]+ MB/s \\([^<]+%, cgroup v${v}\\)</td>`, 'g'))).toHaveLength(2);
    expect(html).toContain(info.host.dockerVersion);
    expect(html).toMatch(/<td>slow<\/td><td><span class="num">[\d,.]+ MiB\/s<\/span>/);
  });
});

describe('the local runtime\'s calibration', () => {
  it('measures its ram directory with the same program, and leaves nothing behind', async () => {
    const base = mkdtempSync(path.join('/dev/shm', 'speedlab-test-base-'));
    try {
      const rt = new LocalRuntime({ readyTimeoutS: 5, baseDir: base });
      const c = await rt.calibrate(resolveDisk('ram', { kind: 'ram', size: 64 * MiB }), 'localcal');
      expect(c.disk).toBe('ram');
      expect(c.limits).toBeUndefined();
      // memory is GB/s: far past any throttled profile's limit, on a busy machine too
      expect(c.bufferedWriteMiBps!).toBeGreaterThan(50);
      expect(c.fsyncWriteMiBps!).toBeGreaterThan(50);
      expect(c.readMiBps!).toBeGreaterThan(50);
      await expect(rt.calibrate(resolveDisk('sd-card'), 'localcal')).rejects.toThrow(/only the ram profile/);
      expect(spawnSync('ls', ['-A', base], { encoding: 'utf8' }).stdout.trim()).toBe('');
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
