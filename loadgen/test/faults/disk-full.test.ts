// The disk profile fills up: the 500s are counted in the point records (status counts and the
// verification notes), the sweep finishes every point, the report renders, and the run exits 1
// (a failed point) instead of crashing. Docker only: the local runtime's ram profile is /dev/shm,
// which has no per-profile size cap to fill.
// Why its time (~50 s): two sweeps that write until the disk is full (8 MiB of hex log, 1 MiB PUTs
// on a loop device), every point verified after.
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, writeExperiment } from '../fixtures/cli.js';
import { ensureTestImage, HAVE_DOCKER } from '../docker/engine.js';
import { expectNoStack, records } from './helpers.js';

const work = tempDir();
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function runFull(name: string, yaml: string) {
  const file = writeExperiment(work, name, `name: ${name}\n${yaml}`);
  const out = path.join(work, `${name}-out`);
  const r = await runCli(['run', file, '--runtime', 'docker', '--out', out]);
  expect(r.code, r.stderr + r.stdout).toBe(1);
  expectNoStack(r.stderr);
  const html = readFileSync(path.join(out, 'report.html'), 'utf8');
  expect(r.stdout).toContain(`report: ${path.join(out, 'report.html')}`);
  return { r, recs: records(out), html };
}

describe.skipIf(!HAVE_DOCKER)('the disk profile fills up', () => {
  beforeAll(async () => {
    await ensureTestImage();
  });

  it('a full log on an 8 MiB ram profile: 500s counted, every point recorded, the report renders', async () => {
    // 64 KiB PUTs logged in full (~226 KiB an entry): the 8 MiB log volume is full after ~36
    const { r, recs, html } = await runFull('log-full', `server: { impl: reference }
sweep: { threads: [1, 2], log: [full], disk: [tiny] }
disks: { tiny: { kind: ram, size: 8MiB } }
workload: { mix: put, files: distinct, filesPerConnection: 2, fileSize: 64KiB, connections: 2, warmup: 0s, duration: 1s }
`);
    expect(recs).toHaveLength(2);
    for (const rec of recs) {
      expect(rec.statusCounts['500'], JSON.stringify(rec.statusCounts)).toBeGreaterThan(0);
      expect(rec.requests).toBe(Object.values(rec.statusCounts).reduce((a, b) => a + b, 0));
      expect(rec.verification.mismatches).toBeGreaterThan(0);
      expect(rec.verification.detail).toMatch(/answered 500/);
      expect(rec.outcome).toBe('failed');
      expect(rec.failure).toMatch(/^verification: \d+ of \d+ files wrong/);
      // the log grew up to its cap and no further
      expect(rec.logBytes).toBeLessThanOrEqual(8 * 1024 ** 2);
    }
    expect(r.stdout).toContain('2 of 2 points FAILED');
    expect(html).toContain('answered 500');
    console.log(`faults: log volume full; 500s per point ${recs.map((x) => `${x.statusCounts['500']} of ${x.requests}`).join(', ')}`);
  });

  it('full data on an 8 MiB throttled (loop device) profile: 500s counted, the report renders', async () => {
    // 6 × 1 MiB seeded on an 8 MiB ext4: a replacing PUT's temporary file no longer fits
    const { recs, html } = await runFull('data-full', `server: { impl: reference }
sweep: { threads: [2], disk: [tiny] }
disks: { tiny: { kind: throttled, size: 8MiB, writeBps: 500MB } }
workload: { mix: put, files: distinct, filesPerConnection: 3, fileSize: 1MiB, connections: 2, warmup: 0s, duration: 1s }
`);
    expect(recs).toHaveLength(1);
    const [rec] = recs;
    expect(rec!.statusCounts['500'], JSON.stringify(rec!.statusCounts)).toBeGreaterThan(0);
    expect(rec!.outcome).toBe('failed');
    expect(rec!.verification.detail).toMatch(/answered 500/);
    expect(html).toContain('answered 500');
    console.log(`faults: data volume full; 500s ${rec!.statusCounts['500']} of ${rec!.requests}`);
  });
});
