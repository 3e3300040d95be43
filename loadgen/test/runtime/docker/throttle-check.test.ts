// Throttles verified before the first point, on a real engine that drops disk limits: a second
// daemon started without the cgroup v1 blkio hierarchy (docker/second-engine.sh with
// SPEEDLAB_ENGINE_B_NO_BLKIO=1), which discards a container's blkio limits with a warning, as
// rootless Docker on cgroup v1 does. `run` stops with exit 2 naming the profile, the limit, the
// measured rate and the reason; --allow-unthrottled runs and marks every point. On the shared
// engine, whose limits hold, run-calibration.test.ts passes the same check.
// Why its time (~60 s): the second daemon starts, and each case calibrates a loop-device disk
// (a second at the limit, issue 22) before it refuses or runs.
import { execFileSync, execSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExperiment } from '../../../src/experiment/load.js';
import type { PointRecord, RunInfo } from '../../../src/results/record.js';
import { IMAGE } from '../../../src/runtime/docker/engine/labels.js';
import { checkThrottles, unthrottledLine } from '../../../src/sweep/throttle-check.js';
import { ensureTestImage, HAVE_DOCKER } from '../../docker/engine.js';
import { ROOT, runCli, tempDir, writeExperiment } from '../../fixtures/cli.js';

const NAME = 'speedlab-engine-noblkio';
const SOCKET = `unix:///run/${NAME}.sock`;
const DISCARDED = (what: 'read' | 'write') => `Your kernel does not support BPS Block I/O ${what} limit or the cgroup is not mounted. Block I/O BPS ${what} limit discarded.`;
const work = tempDir('speedlab-throttle-check-');
const scriptEnv = { ...process.env, SPEEDLAB_ENGINE_B_NAME: NAME, SPEEDLAB_ENGINE_B_NO_BLKIO: '1' };

describe.skipIf(!HAVE_DOCKER || !existsSync('/sys/fs/cgroup/blkio'))('throttles verified before the first point (an engine without blkio)', () => {
  const script = path.join(ROOT, 'docker/second-engine.sh');
  const file = writeExperiment(work, 'unthrottled', `name: unthrottled
server: { impl: reference, sync: fsync }
sweep: { threads: [1, 2], disk: [slow] }
workload: { mix: put, files: distinct, fileSize: 4KiB, connections: 2, warmup: 0s, duration: 1s }
disks: { slow: { kind: throttled, size: 128MiB, writeBps: 10MB, readBps: 20MB } }
`);

  beforeAll(async () => {
    await ensureTestImage();
    expect(execFileSync('bash', [script, 'start'], { env: scriptEnv, encoding: 'utf8' }).trim()).toBe(SOCKET);
    // the shared engine's image, as is: the run finds it current and builds nothing
    execSync(`docker save ${IMAGE} | docker -H ${SOCKET} load`, { stdio: 'ignore' });
  }, 300_000);

  afterAll(() => {
    execFileSync('bash', [script, 'stop'], { env: scriptEnv, stdio: 'ignore' });
    rmSync(work, { recursive: true, force: true });
  });

  it('stops with exit 2 before the first point, naming the profile, the limits, the rates and the reason', async () => {
    const out = path.join(work, 'refused');
    const r = await runCli(['run', file, '--engine', SOCKET, '--out', out]);
    expect(r.code, r.stderr).toBe(2);
    const last = r.stderr.trim().split('\n').pop()!;
    expect(last).toMatch(new RegExp(
      `^speedlab: disk 'slow' is not throttled: write limit 10\\.0 MB/s, measured (\\d+\\.\\d) MB/s direct; read limit 20\\.0 MB/s, measured (\\d+\\.\\d) MB/s direct; ` +
      `likely: the Docker engine discarded the limit \\("${DISCARDED('read').replace(/[.()]/g, '\\$&')}" and 1 more\\): its points would describe a disk that was never throttled; ` +
      `run where the engine applies disk limits \\(Linux, rootful Docker with the blkio or io controller: README "Your machine"\\), use a ram profile, or pass --allow-unthrottled to run anyway with those points marked$`,
    ));
    console.log(`measured on the engine without blkio: ${last}`);
    expect(existsSync(path.join(out, 'points.jsonl')) && readFileSync(path.join(out, 'points.jsonl'), 'utf8').trim()).toBeFalsy();
    expect(r.stderr).not.toContain('[1/2]');
    const info = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')) as RunInfo;
    expect(info.calibration[0]?.warnings).toEqual([DISCARDED('read'), DISCARDED('write')]);
    // the engine's containers have no blkio cgroup at all: nothing to read, so nothing claimed held
    expect(info.calibration[0]?.heldLimits).toBeUndefined();
    expect(info.engine).toMatchObject({ url: SOCKET, why: '--engine', rootless: false });

    // without the engine's warning, the measured rates alone condemn the profile (the reason then is a guess)
    const calibration = info.calibration.map(({ warnings: _, ...c }) => c);
    const [alone] = checkThrottles(loadExperiment(file), calibration, info.engine);
    expect(unthrottledLine(alone!)).toMatch(/^disk 'slow' is not throttled: write limit 10\.0 MB\/s, measured \d+\.\d MB\/s direct; read limit 20\.0 MB\/s, measured \d+\.\d MB\/s direct; likely: the limit is on a device the writes do not reach/);
  }, 300_000);

  it('--allow-unthrottled runs anyway, and every point and the report say so', async () => {
    const out = path.join(work, 'allowed');
    const r = await runCli(['run', file, '--engine', SOCKET, '--out', out, '--allow-unthrottled']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/--allow-unthrottled: disk 'slow' is not throttled: write limit 10\.0 MB\/s, measured \d+\.\d MB\/s direct; .*; its points are marked/);
    const points = readFileSync(path.join(out, 'points.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as PointRecord);
    expect(points).toHaveLength(2);
    for (const p of points) expect(p.unthrottled).toMatch(/^disk 'slow' is not throttled: write limit 10\.0 MB\/s, measured .*; likely: the Docker engine discarded the limit/);
    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html.match(/<tr class="unthrottled">/g)).toHaveLength(2);
    expect(html).toContain("(run with --allow-unthrottled): its disk numbers are not the profile&#39;s");
  }, 300_000);
});
