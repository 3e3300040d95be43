// The gallery of course-style servers in Docker: `speedlab check --image` gives the checklist it
// gives locally, and a run with auto client settings learns what each workable server needs and
// measures it, both engines. The image is FROM scratch with the static gallery binaries, built here
// with no network.
// Why its time (~100 s): check starts containers at -N 1 (nine stages) and -N 8; two sweeps of
// two points each, each with check's stages first.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_DOCKER, NO_ENGINE_REASON, docker } from '../docker/engine.js';
import { readLines, runCli, tempDir, writeExperiment } from '../fixtures/cli.js';
import { ALL_PASS, GALLERY, marks, withMark } from './checklist.js';

const TAG = 'speedlab-test-gallery:latest';
const SERVERS = ['per-connection', 'names15', 'crash-empty', 'no-sigpipe'];
const work = tempDir();

const skip = !HAVE_DOCKER;
if (skip) console.warn(`skipping the gallery in Docker: ${NO_ENGINE_REASON}`);

beforeAll(() => {
  if (skip) return;
  execFileSync('make', ['-s', '-C', GALLERY], { stdio: ['ignore', 'ignore', 'inherit'] });
  const ctx = path.join(work, 'image');
  mkdirSync(ctx);
  for (const s of SERVERS) copyFileSync(path.join(GALLERY, 'bin', s), path.join(ctx, s));
  writeFileSync(path.join(ctx, 'Dockerfile'), `FROM scratch\n${SERVERS.map((s) => `COPY ${s} /${s}\n`).join('')}ENV PATH=/\nUSER 1000:1000\n`);
  execFileSync('docker', ['build', '--network', 'none', '-q', '-t', TAG, ctx], { stdio: ['ignore', 'ignore', 'inherit'] });
}, 120_000);

afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  if (!skip) await docker().getImage(TAG).remove({ force: true }).catch(() => {});
});

const checkImage = (server: string) => runCli(['check', '--runtime', 'docker', '--image', TAG, '--threads', '1', '--', server, '{port}', '-N', '{threads}', '-l', '{log}']);

describe('the gallery in Docker', () => {
  it.skipIf(skip)('check --image: thread per connection, the same checklist, hint and settings as locally', async () => {
    const r = await runCli(['check', '--runtime', 'docker', '--image', TAG, '--threads', '1,8', '--', 'per-connection', '{port}', '-N', '{threads}', '-l', '{log}']);
    expect(marks(r.stdout)).toEqual(['with -N 1:', ...withMark('two connections at once', '✗'), 'with -N 8:', ALL_PASS[0]]);
    expect(r.stdout).toContain(`speedlab check: ${TAG}: per-connection {port} -N {threads} -l {log} (docker runtime)`);
    expect(r.stdout).toContain('      hint:     your server gives each connection a thread until the client closes it: with -N 1, connection 2 waits.');
    expect(r.stdout).toContain('client settings that suit it: connection: close, names: 27 × alnum-dash-underscore, body: with-head');
    expect(r.code).toBe(0);
  }, 180_000);

  // the same words as locally: a signal by name, though the server's container ends with 128 + n
  it.skipIf(skip)('check --image: a crash on an empty connection is SIGSEGV by name, measurable', async () => {
    const r = await checkImage('crash-empty');
    expect(r.stdout).toContain('  ✗ a connection closed without a request\n');
    expect(r.stdout).toContain('      server:   the server was killed by SIGSEGV\n');
    expect(r.stdout).toContain('hint:     your server crashed or stopped on a connection that sent nothing: recv() returned 0');
    expect(r.stdout).toContain('verdict: the lab can measure this server\n');
    expect(r.code).toBe(0);
  }, 180_000);

  it.skipIf(skip)('check --image: no SIGPIPE handling is killed by SIGPIPE, as on the student\'s machine, not measurable', async () => {
    const r = await checkImage('no-sigpipe');
    expect(r.stdout).toContain('  ✗ a client that closes mid-response\n');
    expect(r.stdout).toContain('      server:   the server was killed by SIGPIPE\n');
    expect(r.stdout).toContain('verdict: the lab cannot measure this server as it is:\n  - with -N 1: a client that closes mid-response: the server was killed by SIGPIPE\n');
    expect(r.code).toBe(1);
  }, 180_000);

  it.skipIf(skip).each([
    ['per-connection', 'autocannon', 'connection: close, names: 27 × alnum-dash-underscore, body: with-head (check set connection;'],
    ['names15', 'wrk', 'connection: keep-alive, names: 15 × alnum, body: with-head (check set names;'],
  ] as const)('run with auto client settings: %s with %s, every point measured and verified', async (server, engine, line) => {
    const dir = tempDir();
    const file = writeExperiment(dir, server, [
      `name: gallery-docker-${server}`,
      `server: { image: "${TAG}", command: [${server}, "{port}", -N, "{threads}", -l, "{log}"] }`,
      'sweep: { threads: [1, 2] }',
      `workload: { mix: mixed, ratio: { get: 8, put: 1 }, fileSize: 4KiB, connections: 4, warmup: 0.5s, duration: 1s, engine: ${engine} }`,
    ].join('\n'));
    const out = path.join(dir, 'out');
    const r = await runCli(['run', file, '--runtime', 'docker', '--out', out]);
    try {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`client: ${line} check took `);
      const records = readLines(path.join(out, 'points.jsonl')).map((l) => JSON.parse(l) as { outcome: string; errors: number; verification: { mismatches: number } });
      expect(records.map((p) => [p.outcome, p.errors, p.verification.mismatches])).toEqual([['ok', 0, 0], ['ok', 0, 0]]);
      const info = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')) as { client: { learned: string[] } };
      expect(info.client.learned).toEqual([line.match(/check set (\w+)/)![1]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
