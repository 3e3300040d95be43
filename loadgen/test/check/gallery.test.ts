// `speedlab check` against the gallery of course-style servers (fixtures/servers/gallery.c, one
// binary per flaw, built here) and the lab's own two servers: the exact checklist, hint, verdict,
// settings and exit code of each.
// Why its time (~70 s): `check` runs each server twice (-N 1 and -N 8) through nine stages, one
// waits out a 2 s answer timeout by design, one moves an 8 MiB file; then four short sweeps.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, readLines, runCli, tempDir, writeExperiment, type CliResult } from '../fixtures/cli.js';
import { ALL_PASS, GALLERY, marks, withMark } from './checklist.js';

const C_SERVER = path.join(ROOT, 'examples/c-server');
const REFERENCE = path.join(ROOT, 'dist/server/src/cli.js');

beforeAll(() => {
  execFileSync('make', ['-s', '-C', GALLERY], { stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('make', ['-s', '-C', C_SERVER], { stdio: ['ignore', 'ignore', 'inherit'] });
}, 120_000);

function check(server: string[], threads = '1,8'): Promise<CliResult> {
  return runCli(['check', '--runtime', 'local', '--threads', threads, '--', ...server, '{port}', '-N', '{threads}', '-l', '{log}']);
}

const gallery = (name: string) => [path.join(GALLERY, 'bin', name)];

const DEFAULT_SETTINGS = 'client settings that suit it: connection: keep-alive, names: 27 × alnum-dash-underscore, body: with-head';

describe('speedlab check: the gallery', () => {
  it('the sound one passes every stage', async () => {
    const r = await check(gallery('sound'));
    expect(marks(r.stdout)).toEqual(['with -N 1:', ...ALL_PASS, 'with -N 8:', ALL_PASS[0]]);
    expect(r.stdout).toContain('verdict: the lab can measure this server\n');
    expect(r.stdout).toContain(DEFAULT_SETTINGS);
    expect(r.code).toBe(0);
  });

  it('thread per connection: the second connection waits, one request per connection suits it', async () => {
    const r = await check(gallery('per-connection'));
    expect(marks(r.stdout)).toEqual(['with -N 1:', ...withMark('two connections at once', '✗'), 'with -N 8:', ALL_PASS[0]]);
    expect(r.stdout).toContain('      received: (nothing)\n      what:     no answer within 2000 ms; it came once the first connection closed\n');
    expect(r.stdout).toContain('      hint:     your server gives each connection a thread until the client closes it: with -N 1, connection 2 waits.');
    expect(r.stdout).toContain('client settings that suit it: connection: close, names: 27 × alnum-dash-underscore, body: with-head');
    expect(r.code).toBe(0);
  });

  it('closes after every response: a note, and connection: close', async () => {
    const r = await check(gallery('close-each'));
    expect(marks(r.stdout)).toEqual(['with -N 1:', ...withMark('a second request on a kept-alive connection', '!'), 'with -N 8:', ALL_PASS[0]]);
    expect(r.stdout).toMatch(/received: HTTP\/1\.1 200 OK\\r\\nContent-Length: 1060\\r\\nConnection: close\\r\\n\\r\\nspeedlab check/);
    expect(r.stdout).toContain('what:     the server answers with "Connection: close" and closes the connection after every response');
    expect(r.stdout).toContain('client settings that suit it: connection: close,');
    expect(r.code).toBe(0);
  });

  it('crashes on an empty connection: SIGSEGV named, the hint, and measurable (the lab never opens one)', async () => {
    const r = await check(gallery('crash-empty'));
    expect(marks(r.stdout)).toEqual(['with -N 1:', ...withMark('a connection closed without a request', '✗'), 'with -N 8:', ALL_PASS[0]]);
    expect(r.stdout).toContain('      what:     after it, the next request: could not connect (ECONNREFUSED)\n      server:   the server was killed by SIGSEGV\n');
    expect(r.stdout).toContain('hint:     your server crashed or stopped on a connection that sent nothing: recv() returned 0');
    expect(r.stdout).toContain(DEFAULT_SETTINGS);
    expect(r.code).toBe(0);
  });

  it('drops the body bytes that came with the head: the hint, and body: after-head', async () => {
    const r = await check(gallery('drop-body'));
    // its flaw also decides the big PUT of the mid-response stage when, on a busy machine, the
    // server reads the head only after the body's first bytes (50 ms later) have arrived with it
    const seen = marks(r.stdout);
    const midResponse = ['✓ a client that closes mid-response', '✗ a client that closes mid-response'];
    expect(midResponse).toContain(seen[ALL_PASS.length]);
    seen[ALL_PASS.length] = ALL_PASS.at(-1)!;
    expect(seen).toEqual(['with -N 1:', ...withMark('PUT, head and body in one write', '✗'), 'with -N 8:', ALL_PASS[0]]);
    expect(r.stdout).toContain('sent:     PUT /check_b-0000000000000000000 HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Length: 1060\\r\\n\\r\\n + 1060 body bytes (in one write)\n      received: (nothing)\n      what:     no answer within 2000 ms\n');
    expect(r.stdout).toContain('hint:     your server read the head with one recv() and dropped the body bytes that came with it');
    expect(r.stdout).toContain('client settings that suit it: connection: keep-alive, names: 27 × alnum-dash-underscore, body: after-head');
    expect(r.code).toBe(0);
  });

  it('no SIGPIPE handling: killed by SIGPIPE when a client closes mid-response, not measurable', async () => {
    const r = await check(gallery('no-sigpipe'));
    expect(marks(r.stdout)).toEqual(['with -N 1:', ...withMark('a client that closes mid-response', '✗'), 'with -N 8:', ALL_PASS[0]]);
    expect(r.stdout).toContain('      server:   the server was killed by SIGPIPE\n');
    expect(r.stdout).toContain('hint:     your server died writing to a connection the client had closed: without a SIGPIPE handler');
    expect(r.stdout).toContain('verdict: the lab cannot measure this server as it is:\n  - with -N 1: a client that closes mid-response: the server was killed by SIGPIPE\n');
    expect(r.code).toBe(1);
  });

  it('names of exactly 15 alphanumerics: a note, and names: 15 × alnum', async () => {
    const r = await check(gallery('names15'));
    const first = '! GET of a missing file on a fresh connection';
    expect(marks(r.stdout)).toEqual(['with -N 1:', first, ...ALL_PASS.slice(1), 'with -N 8:', first]);
    expect(r.stdout).toContain('sent:     GET /checkmissing000 HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n\n      received: HTTP/1.1 404 Not Found\\r\\nContent-Length: 10\\r\\n\\r\\nNot Found\\n\n');
    expect(r.stdout).toContain('what:     answered 400 to /check_missing-0000000000000 (27 × alnum-dash-underscore) and /checkmissing000000000000000 (27 × alnum); the course allows 1–27 characters of [A-Za-z0-9_-]');
    expect(r.stdout).toContain('client settings that suit it: connection: keep-alive, names: 15 × alnum, body: with-head');
    expect(r.code).toBe(0);
  });

  it('a fixed array of 6 threads: fine at -N 1, dies at -N 8', async () => {
    const r = await check(gallery('fixed-array'));
    // it dies at once: before or just after its socket listens, so the first stage may see it go
    const atEight = marks(r.stdout).slice(ALL_PASS.length + 2);
    expect(marks(r.stdout).slice(0, ALL_PASS.length + 2)).toEqual(['with -N 1:', ...ALL_PASS, 'with -N 8:']);
    expect([['✗ the server starts'], ['✗ GET of a missing file on a fresh connection']]).toContainEqual(atEight);
    expect(r.stdout).toMatch(/\n {2}- with -N 8(?: the server did not start|: GET of a missing file on a fresh connection): the server exited with status 1: .*fixed-array: accept: Bad file descriptor/);
    expect(r.code).toBe(1);
  });
});

describe('speedlab check: the lab\'s own servers pass with no finding', () => {
  it('the reference server', async () => {
    const r = await check([process.execPath, REFERENCE], '1,4');
    expect(marks(r.stdout)).toEqual(['with -N 1:', ...ALL_PASS, 'with -N 4:', ALL_PASS[0]]);
    expect(r.stdout).toContain(DEFAULT_SETTINGS);
    expect(r.code).toBe(0);
  });

  it('examples/c-server', async () => {
    const r = await check([path.join(C_SERVER, 'httpserver')]);
    expect(marks(r.stdout)).toEqual(['with -N 1:', ...ALL_PASS, 'with -N 8:', ALL_PASS[0]]);
    expect(r.stdout).toContain(DEFAULT_SETTINGS);
    expect(r.code).toBe(0);
  });
});

describe('a sweep of the gallery servers that need no client setting', () => {
  // crash-empty used to die at the readiness probe's empty connection; the lab now waits for the listening socket
  it.each(['sound', 'crash-empty'])('%s: every point measured and verified', async (server) => {
    const dir = tempDir();
    const file = writeExperiment(dir, server, [
      `name: gallery-${server}`,
      `server: { command: [${JSON.stringify(gallery(server)[0])}, "{port}", -N, "{threads}", -l, "{log}"] }`,
      'sweep: { threads: [1, 2] }',
      'workload: { mix: mixed, ratio: { get: 8, put: 1, head: 1 }, fileSize: 4KiB, connections: 4, warmup: 0.5s, duration: 1s }',
    ].join('\n'));
    const r = await runCli(['run', file, '--runtime', 'local', '--out', path.join(dir, 'out')]);
    expect(r.code, r.stderr).toBe(0);
    const records = readLines(path.join(dir, 'out', 'points.jsonl')).map((l) => JSON.parse(l) as { outcome: string; verification: { mismatches: number } });
    expect(records.map((p) => [p.outcome, p.verification.mismatches])).toEqual([['ok', 0], ['ok', 0]]);
  }, 120_000);
});

describe('a sweep with auto client settings: check learns what each server needs before the first point', () => {
  const CASES = [
    ['per-connection', 'autocannon', 'connection: close, names: 27 × alnum-dash-underscore, body: with-head (check set connection;'],
    ['close-each', 'autocannon', 'connection: close, names: 27 × alnum-dash-underscore, body: with-head (check set connection;'],
    ['drop-body', 'autocannon', 'connection: keep-alive, names: 27 × alnum-dash-underscore, body: after-head (check set body;'],
    ['names15', 'autocannon', 'connection: keep-alive, names: 15 × alnum, body: with-head (check set names;'],
    ['names15', 'wrk', 'connection: keep-alive, names: 15 × alnum, body: with-head (check set names;'],
  ] as const;
  it.each(CASES)('%s with %s: the settings in one line and in run.json, every point measured and verified', async (server, engine, line) => {
    const dir = tempDir();
    const mix = engine === 'wrk' ? 'mixed, ratio: { get: 8, put: 1 }' : 'mixed, ratio: { get: 8, put: 1, head: 1 }';
    const file = writeExperiment(dir, server, [
      `name: gallery-${server}-auto`,
      `server: { command: [${JSON.stringify(gallery(server)[0])}, "{port}", -N, "{threads}", -l, "{log}"] }`,
      'sweep: { threads: [1, 2] }',
      // drop-body: the body's own write helps only while the server reads a head within BODY_GAP_MS of its arrival, so
      // one client (more connections than threads queue a PUT until its body has come too)
      `workload: { mix: ${mix}, fileSize: 4KiB, connections: ${server === 'drop-body' ? 1 : 4}, warmup: 0.5s, duration: 1s, engine: ${engine} }`,
    ].join('\n'));
    const r = await runCli(['run', file, '--runtime', 'local', '--out', path.join(dir, 'out')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`client: connection, names, body are auto: checking what your server needs (speedlab check's stages)…\nclient: ${line} check took `);
    const records = readLines(path.join(dir, 'out', 'points.jsonl')).map((l) => JSON.parse(l) as { outcome: string; errors: number; verification: { mismatches: number } });
    expect(records.map((p) => [p.outcome, p.errors, p.verification.mismatches])).toEqual([['ok', 0, 0], ['ok', 0, 0]]);
    const info = JSON.parse(readFileSync(path.join(dir, 'out', 'run.json'), 'utf8')) as { client: { settings: object; learned: string[]; checkS: number; blocking: string[] } };
    expect(info.client.learned).toEqual([line.match(/check set (\w+)/)![1]]);
    expect(info.client.blocking).toEqual([]);
    expect(info.client.checkS).toBeGreaterThan(0);
    console.log(`check before the first point (${server}, ${engine}): ${info.client.checkS} s`);
  }, 120_000);

  it('wrk cannot send one request per connection: the run stops before the first point and says why', async () => {
    const dir = tempDir();
    const file = writeExperiment(dir, 'per-connection-wrk', [
      'name: gallery-per-connection-wrk',
      `server: { command: [${JSON.stringify(gallery('per-connection')[0])}, "{port}", -N, "{threads}", -l, "{log}"] }`,
      'sweep: { threads: [1, 2] }',
      'workload: { mix: get, fileSize: 4KiB, connections: 4, warmup: 0.5s, duration: 1s, engine: wrk }',
    ].join('\n'));
    const r = await runCli(['run', file, '--runtime', 'local', '--out', path.join(dir, 'out')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("speedlab: wrk cannot send as this server needs: client connection: close (wrk keeps a connection open until the server's answer says Connection: close; it cannot close after each answer itself); use engine: autocannon, or set client: in the experiment to what wrk can send (check's findings: connection: close, names: 27 × alnum-dash-underscore, body: with-head)");
    expect(existsSync(path.join(dir, 'out', 'points.jsonl')) ? readLines(path.join(dir, 'out', 'points.jsonl')) : []).toEqual([]);
  }, 120_000);
});

describe('a sweep of the gallery servers that fail: the failure names the phase, the request, what happened and the likely cause', () => {
  // one file on one connection, a fixed seed: the one PUT of seeding is /sl0000002a_d_00000000000000
  const sweepOf = async (server: string) => {
    const dir = tempDir();
    const file = writeExperiment(dir, server, [
      `name: gallery-${server}`,
      `server: { command: [${JSON.stringify(gallery(server)[0])}, "{port}", -N, "{threads}", -l, "{log}"] }`,
      'sweep: { threads: [1] }',
      'workload: { mix: put, files: distinct, filesPerConnection: 1, fileSize: 4KiB, connections: 1, warmup: 0s, requests: 20, seed: 42, timeout: 2s }',
      // explicit settings win over auto: the lab's defaults, which these servers cannot take
      'client: { connection: keep-alive, names: { length: 27, alphabet: alnum-dash-underscore }, body: with-head }',
    ].join('\n'));
    const r = await runCli(['run', file, '--runtime', 'local', '--out', path.join(dir, 'out')]);
    expect(r.code, r.stderr).toBe(1);
    const [record] = readLines(path.join(dir, 'out', 'points.jsonl')).map((l) => JSON.parse(l) as { outcome: string; failure: string });
    expect(record!.outcome).toBe('failed');
    expect(r.stderr).toContain(`threads=1: FAILED: ${record!.failure}`);
    return record!.failure;
  };

  it('names of exactly 15 alphanumerics: the 400 to a seeding PUT, and the course\'s name rule', async () => {
    expect(await sweepOf('names15')).toBe('seeding failed: PUT /sl0000002a_d_00000000000000 answered 400. The course allows names of 1–27 characters of [A-Za-z0-9_-]: check how your server validates the name (speedlab check finds the names it accepts)');
  }, 120_000);

  it('drops the body bytes that came with the head: the unanswered seeding PUT, and its two likely causes', async () => {
    expect(await sweepOf('drop-body')).toBe('seeding failed: PUT /sl0000002a_d_00000000000000: no answer within 2000 ms. Your server did not answer a PUT: either it drops the body bytes that come with the head (read the head with one recv() and kept only the head), or each connection holds a thread until the client closes it, and the lab keeps more connections open than -N; `speedlab check` tells which');
  }, 120_000);
});
