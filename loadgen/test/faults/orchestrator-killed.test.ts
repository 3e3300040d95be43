// The orchestrator is SIGKILLed mid-sweep (no handler runs): points.jsonl stays valid JSONL,
// `--resume` finishes the run with every point exactly once, and what the killed run left (server
// processes and /dev/shm directories; containers, volumes and loop devices) is found and removed.
// Why its time (~55 s): per runtime, a sweep is killed once its second point runs, then resumed to
// its end; in Docker that point has a loop-device disk to leave behind.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PointRecord } from '../../src/results/record.js';
import { OWNER_LABEL } from '../../src/runtime/docker/engine/owner.js';
import { RUN_LABEL } from '../../src/runtime/docker/engine/labels.js';
import { pidAlive } from '../../src/util/pid.js';
import { processesWith, runCli, sleep, startCli, tempDir, uniqueSeed, waitFor, writeExperiment } from '../fixtures/cli.js';
import { docker, ensureTestImage, HAVE_DOCKER } from '../docker/engine.js';
import { count, ownerOf, pointsFile, records, resources, serverContainer, shmDirsOf } from './helpers.js';

const work = tempDir();
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** the resumed run holds every point once, and the records written before the kill unchanged */
function expectNothingLost(kept: PointRecord[], all: PointRecord[], total: number): void {
  expect(all).toHaveLength(total);
  expect(new Set(all.map((r) => r.id)).size).toBe(total);
  expect(all.slice(0, kept.length)).toEqual(kept);
  expect(all.every((r) => r.outcome === 'ok')).toBe(true);
}

describe('the orchestrator is SIGKILLed mid-sweep', () => {
  it('local: --resume finishes it; the killed run\'s server, loadgen and /dev/shm directory are removed', async () => {
    const seed = uniqueSeed();
    const file = writeExperiment(work, 'kill-local', `name: kill-local
server: { impl: reference }
sweep: { threads: [1, 2] }
workload: { mix: put, fileSize: 4KiB, connections: 2, warmup: 0s, duration: 1500ms, seed: ${seed} }
`);
    const out = path.join(work, 'kill-local-out');
    const run = startCli(['run', file, '--runtime', 'local', '--out', out]);
    const pid = run.child.pid!;
    await waitFor(() => records(out).length === 1, 30_000, 'the first point');
    await waitFor(() => processesWith(`"seed":${seed}`).length > 0, 10_000, 'the second point\'s load generator');
    await sleep(400);
    const dirs = shmDirsOf(pid);
    const serverPid = Number(readFileSync(path.join('/dev/shm', dirs[0]!, 'server.pid'), 'utf8'));
    run.child.kill('SIGKILL');
    await run.done;
    const kept = records(out);
    expect(kept).toHaveLength(1);
    expect(dirs).toHaveLength(1);
    expect(pidAlive(serverPid)).toBe(true);
    const loadgens = processesWith(`"seed":${seed}`).length;

    const resumed = await runCli(['run', file, '--runtime', 'local', '--out', out, '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expectNothingLost(kept, records(out), 2);
    expect(shmDirsOf(pid)).toEqual([]);
    await waitFor(() => !pidAlive(serverPid) && processesWith(`"seed":${seed}`).length === 0, 5000, 'the killed run\'s processes to go');
    console.log(`faults: orchestrator SIGKILLed mid-point (local); records lost 0; leftovers found and removed: ${dirs.length} data dir, 1 server, ${loadgens} load generator`);
  });

  describe.skipIf(!HAVE_DOCKER)('docker', () => {
    beforeAll(async () => {
      await ensureTestImage();
    });

    it('--resume finishes it; the killed run\'s containers, volumes and loop devices are removed', async () => {
      const file = writeExperiment(work, 'kill-docker', `name: kill-docker
server: { impl: reference, sync: fsync }
sweep: { threads: [1, 2], disk: [small] }
disks: { small: { kind: throttled, size: 16MiB, writeBps: 200MB } }
workload: { mix: put, fileSize: 4KiB, connections: 2, warmup: 0s, duration: 1500ms }
`);
      const out = path.join(work, 'kill-docker-out');
      const run = startCli(['run', file, '--runtime', 'docker', '--out', out]);
      const pid = run.child.pid!;
      const second = await serverContainer(docker(), pid, 2, 90_000);
      await sleep(700);
      run.child.kill('SIGKILL');
      await run.done;
      const kept = records(out);
      expect(kept).toHaveLength(1);
      const left = await resources(docker(), `${RUN_LABEL}=${second.runId}`, [second.runId]);
      // the second point's server and load generator, its ext4 volume and its loop device
      expect(left.containers.map((c) => c.role).sort()).toEqual(['loadgen', 'server']);
      expect(left.volumes).toHaveLength(1);
      expect(left.loops).toHaveLength(1);

      const resume = startCli(['run', file, '--runtime', 'docker', '--out', out, '--resume']);
      const resumedPid = resume.child.pid!;
      const resumed = await resume.done;
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stderr).toMatch(/removed \d+ leftovers of earlier runs/);
      expectNothingLost(kept, records(out), 2);
      expect(await resources(docker(), `${RUN_LABEL}=${second.runId}`, [second.runId])).toEqual({ containers: [], volumes: [], loops: [] });
      // and the resumed run removed its own
      const resumedRun = await resources(docker(), `${OWNER_LABEL}=${ownerOf(resumedPid)}`, []);
      expect(count(resumedRun)).toBe(0);
      const run2 = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')) as { finishedAt?: string };
      expect(run2.finishedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(existsSync(pointsFile(out))).toBe(true);
      console.log(`faults: orchestrator SIGKILLed mid-point (docker); records lost 0; leftovers found ${count(left)} (${left.containers.length} containers, ${left.volumes.length} volume, ${left.loops.length} loop device), removed ${count(left)}`);
    });
  });
});
