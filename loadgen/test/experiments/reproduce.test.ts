// CI for the findings: each experiment in experiments/ runs at a reduced scale (`run --scale`,
// fewer repetitions where its margins allow, and only the thread counts its expectations name)
// and must exit 0, i.e. every one of its expectations held. The local runtime where the experiment
// allows it; the throttled disks need Docker (skipped with the reason when no engine answers,
// failed when SPEEDLAB_REQUIRE_DOCKER=1).
// Why its time (the slow tier's longest file, ~4 min): an expectation is a finding of a whole
// sweep, and each point is a fresh server and four loadgen processes; the cases below are already
// cut to the thread counts and repetitions their expectations need (see each case's note).
// Build first: npx tsc -p .
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseDocument, type Scalar, type YAMLSeq } from 'yaml';
import { readLines, ROOT, startCli, tempDir } from '../fixtures/cli.js';
import { HAVE_DOCKER, NO_ENGINE_REASON } from '../docker/engine.js';
import type { PointRecord, RunInfo } from '../../src/results/record.js';

interface Case {
  name: string;
  runtime: 'local' | 'docker';
  /** the fraction of the windows (and total: bounds) to run */
  scale: number;
  /** fewer repetitions than the file's, where single repetitions were checked to hold */
  repetitions?: number;
  /**
   * the file's thread counts that are run: 1 (every speedup's baseline) and those its expectations
   * name. A point costs a few seconds of processes whatever its window, so this is most of the saving.
   */
  threads?: number[];
  /** the run is stopped (Ctrl-C) after this long, ms */
  budgetMs: number;
}

// Each case's time is mostly per-point overhead (a fresh server, four loadgen processes, seed and
// verify), so the point count matters more than the scale. Budget: about 5 minutes in all.
const CASES: Case[] = [
  // effects of 15× and 1×: every single repetition of the full runs held; 4 threads for its own
  // expectation, and three thread counts for the lock-bound and scales findings
  { name: 'lock-strategies', runtime: 'local', scale: 0.2, repetitions: 1, threads: [1, 4, 16], budgetMs: 90_000 },
  { name: 'thread-scaling', runtime: 'local', scale: 0.2, repetitions: 1, threads: [1, 2, 8, 32], budgetMs: 60_000 },
  { name: 'large-log', runtime: 'local', scale: 0.05, budgetMs: 60_000 },
  // single repetitions missed twice in six (a speedup over one 1-thread baseline is noisy);
  // every pair of repetitions held
  { name: 'logging-cost', runtime: 'local', scale: 0.2, repetitions: 2, threads: [1, 16], budgetMs: 150_000 },
  // full windows: at ~1 PUT/s on the sd-card a shorter window may hold no response at all
  { name: 'disk-bottleneck', runtime: 'docker', scale: 1, repetitions: 1, threads: [1, 16], budgetMs: 200_000 },
];

const work = tempDir('speedlab-reproduce-');
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** the experiment file, or a copy of it that sweeps only `c.threads` (which must be among its own) */
function experimentFile(c: Case): string {
  const file = path.join(ROOT, 'experiments', `${c.name}.yaml`);
  if (!c.threads) return file;
  const doc = parseDocument(readFileSync(file, 'utf8'));
  const own = (doc.getIn(['sweep', 'threads']) as YAMLSeq<Scalar<number>>).items.map((i) => i.value);
  expect(own).toEqual(expect.arrayContaining(c.threads));
  doc.setIn(['sweep', 'threads'], doc.createNode(c.threads, { flow: true }));
  const copy = path.join(work, `${c.name}.yaml`);
  writeFileSync(copy, doc.toString());
  return copy;
}

async function runExperiment(c: Case, out: string) {
  const args = ['run', experimentFile(c), '--runtime', c.runtime, '--scale', String(c.scale), '--out', out];
  if (c.repetitions !== undefined) args.push('--repetitions', String(c.repetitions));
  const { child, done } = startCli(args);
  // over budget: stop it the way a user would (it cleans up its servers and containers)
  const timer = setTimeout(() => child.kill('SIGINT'), c.budgetMs);
  try {
    return await done;
  } finally {
    clearTimeout(timer);
  }
}

describe('the experiments reproduce their findings at reduced scale', () => {
  for (const c of CASES) {
    const skip = c.runtime === 'docker' && !HAVE_DOCKER;
    if (skip) console.warn(`skipping ${c.name} (needs the docker runtime): ${NO_ENGINE_REASON}`);
    it.skipIf(skip)(`${c.name} (${c.runtime} runtime, scale ${c.scale})`, async () => {
      const out = path.join(work, c.name);
      const started = Date.now();
      const r = await runExperiment(c, out);
      const tookS = ((Date.now() - started) / 1000).toFixed(0);
      console.log(`${c.name}: ${tookS}s, exit ${r.code}`);
      expect(r.code, `${c.name} was stopped after its budget of ${c.budgetMs / 1000}s`).not.toBe(130);
      const info = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')) as RunInfo;
      const missed = (info.expectations ?? []).filter((e) => !e.passed).map((e) => `${e.description}: ${e.detail}`);
      // on failure: which expectation missed, and the run's own words
      expect({ code: r.code, missed }, `${r.stdout}\n${r.stderr.slice(-2000)}`).toEqual({ code: 0, missed: [] });
      const expectations = (parse(readFileSync(path.join(ROOT, 'experiments', `${c.name}.yaml`), 'utf8')) as { expect: unknown[] }).expect;
      expect(info.expectations).toHaveLength(expectations.length);
      expect(info.scale ?? 1).toBe(c.scale);
      const threads = readLines(path.join(out, 'points.jsonl')).map((l) => (JSON.parse(l) as PointRecord).params.threads);
      if (c.threads) expect([...new Set(threads)]).toEqual(c.threads);
    }, c.budgetMs + 30_000);
  }
});
