// End to end: the compiled CLI, real server processes on loopback, real files in /dev/shm.
// Why its time: each point of a run is a fresh server and its seed, load and verify processes
// (seconds of process start-up on a busy machine, whatever the counted windows' length).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PointRecord, RunInfo } from '../../src/results/record.js';
import { processesWith, readLines, runCli, tempDir, tinyServerCommand, uniqueSeed, writeExperiment } from '../fixtures/cli.js';

const work = tempDir();
afterAll(() => rmSync(work, { recursive: true, force: true }));

const records = (dir: string) => readLines(path.join(dir, 'points.jsonl')).map((l) => JSON.parse(l) as PointRecord);
const runInfo = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8')) as RunInfo;

describe('speedlab run, local runtime', () => {
  it('runs a short sweep of the reference server end to end', async () => {
    const seed = uniqueSeed();
    const file = writeExperiment(work, 'ref', `name: ref
server: { impl: reference }
sweep: { threads: [1, 2], log: [off, full] }
workload: { mix: mixed, ratio: { get: 2, put: 1, head: 1 }, files: "shared:3", fileSize: 6000, connections: 4, warmup: 200ms, requests: 60, seed: ${seed} }
expect:
  - faster: { where: { log: off }, than: { log: full }, by: 0.001 }
`);
    const out = path.join(work, 'ref-out');
    const r = await runCli(['run', file, '--runtime', 'local', '--out', out]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const recs = records(out);
    expect(recs).toHaveLength(4);
    expect(new Set(recs.map((x) => x.id)).size).toBe(4);
    for (const rec of recs) {
      expect(rec.outcome, rec.failure).toBe('ok');
      expect(rec.verification).toEqual({ checked: 3, mismatches: 0 });
      // a counted window: every point gets its requests however busy the machine
      expect(rec.requests).toBe(60);
      expect(rec.durationS).toBeGreaterThan(0);
      expect(Object.keys(rec.statusCounts).every((c) => c === '200' || c === '201')).toBe(true);
      expect(rec.latencyUs.p50).toBeGreaterThan(0);
      expect(rec.latencyUs.p50).toBeLessThanOrEqual(rec.latencyUs.p99);
      expect(rec.logBytes > 0).toBe(rec.params.log === 'full');
      expect(rec.serverCpuCores).toBeGreaterThan(0);
      expect(typeof rec.loadgenBound).toBe('boolean');
    }
    const info = runInfo(out);
    expect(info).toMatchObject({ name: 'ref', runtime: 'local', expectations: [{ passed: true }] });
    expect(info.finishedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(r.stdout).toContain('speedup');
    expect(r.stdout).toContain(`results: ${out}`);
    expect(r.stdout).toContain('PASS');
    expect(processesWith(`"seed":${seed}`)).toEqual([]);
  });

  it('runs a user\'s own server command through the same sweep, and fails the run on a missed expectation', async () => {
    const marker = `m${uniqueSeed()}`;
    const file = writeExperiment(work, 'own', `name: own
server: { command: ${tinyServerCommand(marker)} }
sweep: { log: [off, full], threads: [1, 2] }
workload: { mix: put, files: distinct, fileSize: 4KiB, connections: 3, warmup: 0s, requests: 30 }
expect:
  - faster: { where: { log: off }, than: { log: full }, by: 1000 }
`);
    const out = path.join(work, 'own-out');
    const r = await runCli(['run', file, '--out', out]);
    expect(r.code, r.stderr + r.stdout).toBe(1);
    expect(r.stderr).toContain('runtime: local');
    const recs = records(out);
    expect(recs.map((x) => [x.params.log, x.params.threads])).toEqual([['off', 1], ['off', 2], ['full', 1], ['full', 2]]);
    expect(recs.every((x) => x.outcome === 'ok' && x.verification.checked === 3 && x.verification.mismatches === 0)).toBe(true);
    expect(recs.map((x) => x.logBytes > 0)).toEqual([false, false, true, true]);
    expect(runInfo(out).expectations).toEqual([expect.objectContaining({ passed: false, description: 'log=off is at least 1000× as fast as log=full' })]);
    expect(r.stdout).toMatch(/FAIL {2}log=off is at least 1000× as fast as log=full/);
    expect(processesWith(marker)).toEqual([]);
  });

  it('verification catches a server that returns stale bytes', async () => {
    const marker = `m${uniqueSeed()}`;
    const file = writeExperiment(work, 'stale', `name: stale
server: { command: ${tinyServerCommand(marker, ['--stale'])} }
sweep: { threads: [1] }
workload: { mix: get, files: "shared:2", fileSize: 5000, connections: 2, warmup: 0s, requests: 20 }
`);
    const out = path.join(work, 'stale-out');
    const r = await runCli(['run', file, '--out', out]);
    expect(r.code).toBe(1);
    const [rec] = records(out);
    expect(rec).toMatchObject({ outcome: 'failed', verification: { checked: 2, mismatches: 2 } });
    expect(rec!.failure).toContain('stale body');
    expect(r.stdout).toContain('FAILED');
    expect(processesWith(marker)).toEqual([]);
  });

  it('verification waits out a PUT of the load phase that lands just after its fresh PUT', async () => {
    const marker = `m${uniqueSeed()}`;
    const file = writeExperiment(work, 'stale-once', `name: stale-once
server: { command: ${tinyServerCommand(marker, ['--stale-once'])} }
sweep: { threads: [1] }
workload: { mix: get, files: "shared:2", fileSize: 5000, connections: 2, warmup: 0s, requests: 20 }
`);
    const out = path.join(work, 'stale-once-out');
    const r = await runCli(['run', file, '--out', out]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const [rec] = records(out);
    expect(rec).toMatchObject({ outcome: 'ok', verification: { checked: 2, mismatches: 0 } });
    expect(processesWith(marker)).toEqual([]);
  });

  it('records a server that does not start as a failed point and goes on', async () => {
    const file = writeExperiment(work, 'nostart', `name: nostart
server: { command: [node, -e, "process.exit(3)", "{port}"], readyTimeout: 5s }
sweep: { threads: [1, 2] }
workload: { duration: 200ms, warmup: 0s, connections: 1 }
`);
    const out = path.join(work, 'nostart-out');
    const r = await runCli(['run', file, '--out', out]);
    expect(r.code).toBe(1);
    const recs = records(out);
    expect(recs).toHaveLength(2);
    expect(recs.map((x) => [x.outcome, x.failure])).toEqual([1, 2].map(() => ['failed', 'the server exited with status 3 before it accepted connections']));
  });

  it('refuses to overwrite a results directory, and gives clear errors for bad options', async () => {
    const file = writeExperiment(work, 'tiny', 'name: tiny\nsweep: { threads: [1] }\nworkload: { duration: 100ms, warmup: 0s, connections: 1 }\n');
    const out = path.join(work, 'ref-out');
    expect(existsSync(out)).toBe(true);
    const again = await runCli(['run', file, '--out', out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^speedlab: .*already holds results; add --resume/);
    const bad = await runCli(['run', file, '--runtime', 'vm']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--runtime: got 'vm'; expected one of auto, local, docker");
    const missing = await runCli(['plan', path.join(work, 'nope.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toMatch(/^speedlab: .*nope\.yaml: cannot read the experiment file \(ENOENT\)$/);
    const invalid = await runCli(['run', writeExperiment(work, 'invalid', 'name: invalid\nsweep: { threads: [0] }\n')]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('sweep.threads');
  });
});
