// Interrupting a run (SIGINT, SIGKILL) and finishing it with --resume.
// Why its time (~50 s): each case is a real sweep interrupted mid-point and a second run that
// finishes it; a point is a fresh server and its seed, load and verify processes.
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PointRecord } from '../../src/results/record.js';
import { processesWith, readLines, runCli, sleep, startCli, tempDir, tinyServerCommand, uniqueSeed, waitFor, writeExperiment } from '../fixtures/cli.js';

const work = tempDir();
afterAll(() => rmSync(work, { recursive: true, force: true }));

const pointsFile = (dir: string) => path.join(dir, 'points.jsonl');
const lineCount = (dir: string) => {
  try {
    return readLines(pointsFile(dir)).length;
  } catch {
    return 0;
  }
};

// counted windows (a 500 ms one held no response once on a busy machine); a point is a fresh server
// and three loadgen processes, so a signal 300–400 ms after the first point still finds the run
// with points to go
function experiment(name: string, marker: string, seed: number): string {
  return writeExperiment(work, name, `name: ${name}
server: { command: ${tinyServerCommand(marker)} }
sweep: { threads: [1, 2] }
workload: { mix: put, fileSize: 4KiB, connections: 2, warmup: 0s, requests: 200, repetitions: 2, seed: ${seed} }
`);
}

describe('interrupt and resume', () => {
  it('Ctrl-C stops cleanly (exit 130, no orphans, no half record); --resume finishes without repeating a point', async () => {
    const marker = `m${uniqueSeed()}`;
    const seed = uniqueSeed();
    const file = experiment('intr', marker, seed);
    const out = path.join(work, 'intr-out');
    const run = startCli(['run', file, '--runtime', 'local', '--out', out]);
    await waitFor(() => lineCount(out) >= 1, 30_000, 'the first point');
    // stop it during a later point
    await sleep(400);
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('--resume');
    const before = readFileSync(pointsFile(out), 'utf8');
    expect(before.endsWith('\n')).toBe(true);
    const kept = readLines(pointsFile(out));
    expect(kept.length).toBeGreaterThanOrEqual(1);
    expect(kept.length).toBeLessThan(4);
    for (const l of kept) JSON.parse(l);
    expect(processesWith(marker)).toEqual([]);
    expect(processesWith(`"seed":${seed}`)).toEqual([]);

    const resumed = await runCli(['run', file, '--runtime', 'local', '--out', out, '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const all = readLines(pointsFile(out));
    expect(all).toHaveLength(4);
    expect(all.slice(0, kept.length)).toEqual(kept);
    const recs = all.map((l) => JSON.parse(l) as PointRecord);
    expect(new Set(recs.map((x) => x.id)).size).toBe(4);
    // repetitions interleaved: every cell once before any cell twice
    expect(recs.map((x) => x.params.repetition)).toEqual([0, 0, 1, 1]);
    // each point measured once: the resumed session printed only the missing ones
    expect(resumed.stderr.match(/^\[\d\/4\] .*: \d+ req\/s/gm)).toHaveLength(4 - kept.length);
  });

  it('a SIGKILLed orchestrator leaves valid JSONL; a partial last line is cut off on resume; leftovers are cleaned up', async () => {
    const marker = `m${uniqueSeed()}`;
    const seed = uniqueSeed();
    const file = experiment('killed', marker, seed);
    const out = path.join(work, 'killed-out');
    const run = startCli(['run', file, '--runtime', 'local', '--out', out]);
    await waitFor(() => lineCount(out) >= 1, 30_000, 'the first point');
    await sleep(300);
    run.child.kill('SIGKILL');
    await run.done;
    const text = readFileSync(pointsFile(out), 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const kept = readLines(pointsFile(out));
    for (const l of kept) JSON.parse(l);
    // what a write cut short would leave behind
    appendFileSync(pointsFile(out), kept[0]!.slice(0, 40));

    const resumed = await runCli(['run', file, '--runtime', 'local', '--out', out, '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const all = readLines(pointsFile(out));
    expect(all).toHaveLength(4);
    for (const l of all) JSON.parse(l);
    expect(all.slice(0, kept.length)).toEqual(kept);
    // the killed run's server was stopped by the next run's stale cleanup
    await waitFor(() => processesWith(marker).length === 0, 5000, 'no leftover server');
  });

  it('refuses to resume when the experiment changed, or when there is nothing to resume', async () => {
    const file = writeExperiment(work, 'changing', 'name: changing\nsweep: { threads: [1] }\nworkload: { requests: 10, warmup: 0s, connections: 1 }\n');
    const out = path.join(work, 'changing-out');
    expect((await runCli(['run', file, '--runtime', 'local', '--out', out])).code).toBe(0);
    writeFileSync(file, 'name: changing\nsweep: { threads: [1, 2] }\nworkload: { requests: 10, warmup: 0s, connections: 1 }\n');
    const r = await runCli(['run', file, '--runtime', 'local', '--out', out, '--resume']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^speedlab: --resume: the experiment changed since .* was started/);
    const none = await runCli(['run', file, '--runtime', 'local', '--out', path.join(work, 'never'), '--resume']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('has no run.json');
  });
});
