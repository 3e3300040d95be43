// The Docker engine is unreachable, or goes away mid-run: one clear line naming what to do, no
// stack trace; --runtime auto falls back to local with a note; a run whose engine went away keeps
// what it measured, records no failed point for the loss, and `--resume` finishes it. "Goes away"
// is a socket proxy to the real engine that the test kills (the shared dockerd is never stopped).
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_LABEL } from '../../src/runtime/docker/engine/labels.js';
import { runCli, sleep, startCli, tempDir, writeExperiment } from '../fixtures/cli.js';
import { docker, ensureTestImage, HAVE_DOCKER } from '../docker/engine.js';
import { count, expectNoStack, records, resources, serverContainer, startEngineProxy } from './helpers.js';

const work = tempDir();
afterAll(() => rmSync(work, { recursive: true, force: true }));

const NOWHERE = { ...process.env, DOCKER_HOST: 'unix:///nonexistent.sock' };
const tiny = () => writeExperiment(work, 'tiny', `name: tiny
server: { impl: reference }
sweep: { threads: [1] }
workload: { mix: put, fileSize: 4KiB, connections: 1, warmup: 0s, duration: 200ms }
`);

describe('the Docker engine is unreachable', () => {
  it('--runtime docker: exits 1 with one line naming what to do, no stack trace, nothing written', async () => {
    const out = path.join(work, 'unreachable-out');
    const r = await runCli(['run', tiny(), '--runtime', 'docker', '--out', out], undefined, NOWHERE);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    // which engine and why, then why it cannot be used
    expect(lines, r.stderr).toHaveLength(2);
    expect(lines[0]).toBe('engine: unix:///nonexistent.sock (DOCKER_HOST)');
    expect(lines[1]).toMatch(/^speedlab: --runtime docker: no Docker engine answers at unix:\/\/\/nonexistent\.sock \(connect ENOENT/);
    expect(lines[1]).toContain("start one with 'bash docker/engine.sh'");
    expect(lines[1]).toContain('--runtime local');
    expect(existsSync(out)).toBe(false);
  });

  it('--runtime auto: an engine named by DOCKER_HOST that does not answer stops the run, with no fall-back to local', async () => {
    const out = path.join(work, 'auto-out');
    const r = await runCli(['run', tiny(), '--out', out], undefined, NOWHERE);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).not.toContain('runtime: local');
    expect(r.stderr.trim().split('\n').pop()).toBe(
      "speedlab: the Docker engine at unix:///nonexistent.sock (DOCKER_HOST) does not answer (connect ENOENT /nonexistent.sock); start it, or choose another (unset DOCKER_HOST and DOCKER_CONTEXT, 'docker context use default', --engine), or run without Docker: --runtime local",
    );
    expectNoStack(r.stderr);
    expect(existsSync(out)).toBe(false);
  });
});

describe.skipIf(!HAVE_DOCKER)('the Docker engine goes away mid-run', () => {
  beforeAll(async () => {
    await ensureTestImage();
  });

  it('stops with one clear line and no stack trace; no point is recorded for the loss; --resume finishes the run and removes the leftovers', async () => {
    const proxy = await startEngineProxy(path.join(work, 'engine.sock'));
    try {
      const file = writeExperiment(work, 'gone', `name: gone
server: { impl: reference }
sweep: { threads: [1, 2] }
workload: { mix: put, fileSize: 4KiB, connections: 2, warmup: 0s, duration: 2s }
`);
      const out = path.join(work, 'gone-out');
      const run = startCli(['run', file, '--runtime', 'docker', '--out', out], undefined, { ...process.env, DOCKER_HOST: `unix://${proxy.socket}` });
      const first = await serverContainer(docker(), run.child.pid!, 1);
      await sleep(800);
      await proxy.kill();
      const r = await run.done;
      expect(r.code, r.stderr).toBe(1);
      expectNoStack(r.stderr);
      const last = r.stderr.trim().split('\n').at(-1)!;
      expect(last).toMatch(/^speedlab: the Docker engine went away during the run: no Docker engine answers at unix:\/\/.*engine\.sock/);
      expect(last).toContain("'bash docker/engine.sh'");
      expect(last).toContain(`then finish the run with: speedlab run ${file} --out ${out} --resume`);
      // the point cut short is not recorded as failed: --resume measures it
      expect(records(out)).toEqual([]);
      // the engine itself ran on: the point's containers are still there
      const left = await resources(docker(), `${RUN_LABEL}=${first.runId}`, [first.runId]);
      expect(left.containers.map((c) => c.role).sort()).toEqual(['loadgen', 'server']);

      const resumed = await runCli(['run', file, '--runtime', 'docker', '--out', out, '--resume']);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(records(out).map((x) => [x.params.threads, x.outcome])).toEqual([[1, 'ok'], [2, 'ok']]);
      expect(await resources(docker(), `${RUN_LABEL}=${first.runId}`, [first.runId])).toEqual({ containers: [], volumes: [], loops: [] });
      console.log(`faults: engine socket killed mid-point; records lost 0, failed points recorded for it 0; leftovers found ${count(left)}, removed ${count(left)}`);
    } finally {
      await proxy.kill();
    }
  });
});
