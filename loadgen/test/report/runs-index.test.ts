// speedlab report --index DIR: the compiled CLI over real run directories, compared with this checkout by real git.
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeReport } from '../../src/report/index.js';
import type { CodeVersion, PointRecord, RunInfo } from '../../src/results/record.js';
import { ROOT, runCli } from '../fixtures/cli.js';
import { knownRun, point, removeTempDirs, runInfo, series, tempDir, writeRun } from './fixtures.js';

afterAll(removeTempDirs);

const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();

/** the checkout's HEAD, as `speedlab run` records it */
function headCode(): Required<Pick<CodeVersion, 'commit' | 'dirty' | 'paths'>> {
  return { commit: git('rev-parse', 'HEAD'), dirty: false, paths: { server: git('rev-parse', 'HEAD:server'), load: git('rev-parse', 'HEAD:loadgen/src/workload') } };
}

const small = (params: Partial<PointRecord['params']>) => series({ params, threads: [1, 2, 4], repetitions: 2, sigma: 0.05, kappa: 0.001, lambda: 2000 });
const experiment = (name: string, description: string) => ({ name, description });
const passed = (n: number) => Array.from({ length: n }, (_, i) => ({ description: `check ${i}`, passed: true, detail: 'ok' }));

async function run(root: string, dir: string, points: readonly PointRecord[], info: RunInfo, withReport = true): Promise<void> {
  await writeRun(join(root, dir), points, info);
  if (withReport) await writeReport(join(root, dir));
}

/** the table row of each run, by the run's directory */
function rows(html: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const row of html.match(/<tr class="[^"]*">[\s\S]*?<\/tr>/g) ?? []) {
    const dir = /href="([^"/]+)\/report\.html"/.exec(row)?.[1] ?? /<strong>([^<]+)<\/strong>/.exec(row)?.[1];
    if (dir) out.set(dir, row);
  }
  return out;
}

describe('speedlab report --index', () => {
  let root: string;
  let html: string;
  let stdout: string;
  let head: ReturnType<typeof headCode>;

  beforeAll(async () => {
    root = await tempDir('speedlab-index-');
    head = headCode();
    await run(root, 'current', [...small({ lock: 'file' }), ...small({ lock: 'file', engine: 'wrk' })], runInfo({
      name: 'current', startedAt: '2025-03-03T10:00:00.000Z', runtime: 'local',
      experiment: experiment('current', 'per-file locks, <b>both</b> engines'), expectations: passed(2), code: head,
    }));
    await run(root, 'server-changed', knownRun(), runInfo({
      name: 'server-changed', startedAt: '2025-02-02T10:00:00.000Z',
      code: { ...head, paths: { server: '0'.repeat(40), load: head.paths.load } },
    }));
    // noisy (±10% between its 2 repetitions), and scales: its headline is the verdict, the noise a caveat beside it
    await run(root, 'load-changed', series({ params: {}, threads: [1, 2, 4], repetitions: 2, sigma: 0.05, kappa: 0.001, lambda: 2000, jitter: 0.1 }), runInfo({
      name: 'load-changed', startedAt: '2025-01-15T10:00:00.000Z', expectations: [],
      code: { ...head, paths: { server: head.paths.server, load: '1'.repeat(40) } },
    }));
    // as SPEEDLAB_CODE_COMMIT records it: no tree hashes, so the index resolves them from the commit
    await run(root, 'env-commit', small({}), runInfo({
      name: 'env-commit', startedAt: '2025-04-04T10:00:00.000Z', expectations: [],
      code: { commit: head.commit, dirty: true, resumedWith: [{ commit: 'abcdef1234567', dirty: false }] },
    }));
    await run(root, 'foreign-commit', small({}), runInfo({
      name: 'foreign-commit', startedAt: '2025-01-10T10:00:00.000Z', expectations: [], code: { commit: 'f'.repeat(40), dirty: false },
    }));
    // a record written before engines existed, and no report.html yet
    const { engine: _engine, ...oldParams } = point({ threads: 1 }).params;
    await run(root, 'no-code', [{ ...point({ threads: 1 }), params: oldParams as PointRecord['params'] }], runInfo({
      name: 'no-code', startedAt: '2025-01-01T10:00:00.000Z', expectations: undefined,
    }), false);
    await mkdir(join(root, 'not-a-run'));
    await writeFile(join(root, 'not-a-run', 'points.jsonl'), '');
    await writeFile(join(root, 'notes.txt'), 'not a run');

    const r = await runCli(['report', '--index', root]);
    expect(r.code, r.stderr).toBe(0);
    stdout = r.stdout;
    html = await readFile(join(root, 'index.html'), 'utf8');
  });

  test('prints where it wrote the page, and lists every run directory newest first', () => {
    expect(stdout).toBe(`wrote ${join(root, 'index.html')}\n`);
    expect([...rows(html).keys()]).toEqual(['env-commit', 'current', 'server-changed', 'load-changed', 'foreign-commit', 'no-code']);
    expect(html).toContain('<h1>speedlab runs — ');
    expect(html).toContain('6 runs, newest first: 2 current, 2 with code changed since, 2 unknown');
    expect(html).toContain(`commit <code>${head.commit.slice(0, 7)}</code>`);
  });

  test('links each run to its report, with its date, runtime, engines and description', () => {
    const current = rows(html).get('current')!;
    expect(current).toContain('<a href="current/report.html"><strong>current</strong></a>');
    expect(current).toContain('<div class="description">per-file locks, &lt;b&gt;both&lt;/b&gt; engines</div>');
    expect(current).toContain('<time datetime="2025-03-03T10:00:00.000Z">2025-03-03 10:00 UTC</time>');
    expect(current).toContain('<td>local</td><td>autocannon, wrk</td>');
    const old = rows(html).get('no-code')!;
    expect(old).toContain('<td>docker</td><td>autocannon</td>');
    expect(old).not.toContain('href=');
    expect(old).toContain('(no report.html: run <code>speedlab report</code> on it)');
  });

  test('expectations passed, and the headline finding of the report\'s own analysis', () => {
    const r = rows(html);
    expect(r.get('current')).toContain('<span class="ok">2 of 2 passed</span>');
    expect(r.get('server-changed')).toContain('<span class="bad">1 of 2 passed</span>');
    // the run's main result, its caveats beside it
    expect(r.get('server-changed')).toContain('<td><span class="bad">Expectation NOT met: disk: ram, log: off — speedup at 8 threads at least 2 — measured 1.6×</span> '
      + '<span class="warn">Caveats: 1 series is not trusted: the load generator may have set its throughput; 1 series is noisy (requests/s vary by more than 5% across repetitions).</span></td>');
    expect(r.get('current')).toContain('<td><span class="ok">Expectation met: check 0 — ok</span></td>');
    expect(r.get('load-changed')).toContain('<span class="numbers">none</span>');
    // the noise is listed first in its findings, the verdict after it: the verdict is the headline
    expect(r.get('load-changed')).toContain('<td>no log, per-file locks, 4 KiB, ram: scales to 3.56× at 4 threads; the USL fit (R² 0.995) approaches 57,842 requests/s without a peak '
      + '(inferred from the throughput curve and CPU totals: no thread samples — the run was made without the thread-state sampler). '
      + '<span class="warn">Caveat: 1 series is noisy (requests/s vary by more than 5% across repetitions).</span></td>');
  });

  test('the code version: current, or stale at a glance, or unknown', () => {
    const r = rows(html);
    const short = head.commit.slice(0, 7);
    expect(r.get('current')).toMatch(new RegExp(`^<tr class="code-current">.*<code title="commit ${short}">${short}</code> <span class="badge current">current</span></td></tr>$`, 's'));
    expect(r.get('server-changed')).toMatch(/^<tr class="code-stale">.*<span class="badge stale">server changed since<\/span><\/td><\/tr>$/s);
    expect(r.get('server-changed')).not.toContain('load path changed since');
    expect(r.get('load-changed')).toMatch(/^<tr class="code-stale">.*<span class="badge stale">load path changed since<\/span><\/td><\/tr>$/s);
    expect(r.get('load-changed')).not.toContain('server changed since');
    expect(r.get('env-commit')).toMatch(/^<tr class="code-current">.*<span class="badge current">current<\/span>/s);
    expect(r.get('env-commit')).toContain('<div class="warn numbers">uncommitted changes under server/ or loadgen/src/ at run time</div>');
    expect(r.get('env-commit')).toContain('<div class="warn numbers">resumed with abcdef1</div>');
    expect(r.get('foreign-commit')).toMatch(/^<tr class="code-unknown">.*<span class="badge unknown">unknown \(commit fffffff is not in this checkout\)<\/span>/s);
    expect(r.get('no-code')).toMatch(/^<tr class="code-unknown">.*<span class="badge unknown">unknown \(no commit recorded\)<\/span><\/td><\/tr>$/s);
  });

  test('one self-contained page: no script, no external URL', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/https?:\/\//);
    for (const [, href] of html.matchAll(/\bhref="([^"]*)"/g)) expect(href).toMatch(/^[a-z-]+\/report\.html$/);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
  });

  test('exit 2 with a clear message when DIR does not exist or holds no run', async () => {
    const missing = await runCli(['report', '--index', join(root, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`speedlab: ${join(root, 'nope')} does not exist or is not a directory\n`);
    const empty = await runCli(['report', '--index', join(root, 'not-a-run')]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toBe(`speedlab: ${join(root, 'not-a-run')} holds no run: no directory directly under it has a run.json\n`);
    const usage = await runCli(['report', '--index', root, 'extra']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('speedlab report --index DIR');
  });
});
