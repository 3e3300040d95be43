// The reproduce tests' shared part (reproduce.test.ts: the local runtime; reproduce-docker.test.ts:
// the throttled disks): each experiment in experiments/ runs at a reduced scale (`run --scale`,
// fewer repetitions where its margins allow, and only the thread counts its expectations name)
// and must exit 0, i.e. every one of its expectations held. Their expectations are speedups and
// device rates: a busy machine does not reproduce them (under scripts/busy-test.sh the sd-card was
// not disk-bound, the CPU being the limit, and logging-cost overran its budget), so they are the
// `findings` project, `npm run test:findings`, not part of `npm test`.
// Each case's time is mostly per-point overhead (a fresh server, four loadgen processes, seed and
// verify), so the point count matters more than the scale; each case says why it needs what it runs.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseDocument, type Scalar, type YAMLSeq } from 'yaml';
import { readLines, ROOT, startCli, tempDir } from '../fixtures/cli.js';
import { HAVE_DOCKER, NO_ENGINE_REASON } from '../docker/engine.js';
import type { PointRecord, RunInfo } from '../../src/results/record.js';

export interface Case {
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

/** one test per case: the run exits 0 with every expectation held, at the scale and thread counts asked for */
export function reproduceSuite(title: string, cases: readonly Case[]): void {
  describe(title, () => {
    for (const c of cases) {
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
}
