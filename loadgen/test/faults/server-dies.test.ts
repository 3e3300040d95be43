// The server dies mid-point (its process or its container is killed): that point is recorded as
// failed with the reason, the sweep goes on to the next point, the report renders, exit 1.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_LABEL } from '../../src/runtime/docker/engine/labels.js';
import { processesWith, sleep, startCli, tempDir, tinyServerCommand, uniqueSeed, waitFor, writeExperiment } from '../fixtures/cli.js';
import { docker, ensureTestImage, HAVE_DOCKER } from '../docker/engine.js';
import { records, resources, serverContainer } from './helpers.js';

const work = tempDir();
afterAll(() => rmSync(work, { recursive: true, force: true }));

function expectReport(dir: string, failure: string): void {
  const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
  expect(html).toContain(failure.slice(0, 30));
  expect(existsSync(path.join(dir, 'summary.csv'))).toBe(true);
}

describe('the server dies mid-point', () => {
  it('local: its process is SIGKILLed; the point fails with the reason and the sweep goes on', async () => {
    const marker = `m${uniqueSeed()}`;
    const file = writeExperiment(work, 'dies-local', `name: dies-local
server: { command: ${tinyServerCommand(marker)} }
sweep: { threads: [1, 2] }
workload: { mix: put, fileSize: 4KiB, connections: 2, warmup: 0s, duration: 1500ms }
`);
    const out = path.join(work, 'dies-local-out');
    const run = startCli(['run', file, '--runtime', 'local', '--out', out]);
    await waitFor(() => processesWith(marker).length > 0, 30_000, 'the first server');
    // into the measured window (seeding 2 files takes a few ms)
    await sleep(500);
    const [victim] = processesWith(marker);
    process.kill(victim!, 'SIGKILL');
    const r = await run.done;
    expect(r.code, r.stderr).toBe(1);
    const recs = records(out);
    expect(recs.map((x) => [x.params.threads, x.outcome])).toEqual([[1, 'failed'], [2, 'ok']]);
    expect(recs[0]!.failure).toMatch(/^the server was killed by SIGKILL/);
    expect(recs[1]!.requests).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/\[1\/2\] threads=1: FAILED: the server was killed by SIGKILL/);
    expect(r.stdout).toContain('1 of 2 points FAILED');
    expectReport(out, recs[0]!.failure!);
    expect(processesWith(marker)).toEqual([]);
    console.log(`faults: 1 server process SIGKILLed mid-point; recorded: ${recs[0]!.failure}`);
  });

  describe.skipIf(!HAVE_DOCKER)('docker', () => {
    beforeAll(async () => {
      await ensureTestImage();
    });

    it('its container is killed; the point fails with the reason, the sweep goes on, nothing is left', async () => {
      const file = writeExperiment(work, 'dies-docker', `name: dies-docker
server: { impl: reference }
sweep: { threads: [1, 2] }
workload: { mix: put, fileSize: 4KiB, connections: 2, warmup: 0s, duration: 2s }
`);
      const out = path.join(work, 'dies-docker-out');
      const run = startCli(['run', file, '--runtime', 'docker', '--out', out]);
      const first = await serverContainer(docker(), run.child.pid!, 1);
      await sleep(1000);
      await docker().getContainer(first.id).kill();
      const r = await run.done;
      expect(r.code, r.stderr).toBe(1);
      const recs = records(out);
      expect(recs.map((x) => [x.params.threads, x.outcome])).toEqual([[1, 'failed'], [2, 'ok']]);
      expect(recs[0]!.failure).toMatch(/^the server was killed/);
      expect(recs[1]!.requests).toBeGreaterThan(0);
      expect(r.stdout).toContain('1 of 2 points FAILED');
      expectReport(out, recs[0]!.failure!);
      const left = await resources(docker(), `${RUN_LABEL}=${first.runId}`, [first.runId]);
      expect(left).toEqual({ containers: [], volumes: [], loops: [] });
      console.log(`faults: 1 server container killed mid-point; recorded: ${recs[0]!.failure}`);
    });
  });
});
