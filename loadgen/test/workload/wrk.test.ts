// The wrk engine against a real server: request files, a load window through real wrk (then the
// verify pass accepts what it wrote), the capacity check, and its failures.
import { LAB_DEFAULTS } from '../../src/results/client-settings.js';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyBody } from '../../src/workload/body.js';
import type { WorkloadSpec } from '../../src/workload/job.js';
import { writeRequestFiles, wrkBodyBytes, wrkThreads } from '../../src/workload/wrk/request-files.js';
import { readLines, runCli, startTinyServer, tempDir, writeExperiment } from '../fixtures/cli.js';

let port = 0;
let stop: () => void = () => {};
const dir = mkdtempSync('/dev/shm/speedlab-wrktest-');

beforeAll(async () => {
  ({ port, stop } = await startTinyServer(dir));
});
afterAll(() => {
  stop();
  rmSync(dir, { recursive: true, force: true });
});

const workload = (over: Partial<WorkloadSpec>): WorkloadSpec => ({
  seed: 7, fileSize: 5000, mix: 'put', ratio: { get: 0, put: 0, head: 0 }, files: { kind: 'distinct', perConnection: 1 }, connections: 4, timeoutS: 5, client: LAB_DEFAULTS, ...over,
});

function readRequests(d: string, t: number): Buffer[] {
  const lengths = readFileSync(path.join(d, `t${t}.idx`), 'utf8').trim().split('\n').map(Number);
  const bin = readFileSync(path.join(d, `t${t}.bin`));
  const out: Buffer[] = [];
  let pos = 0;
  for (const n of lengths) out.push(bin.subarray(pos, (pos += n)));
  expect(pos).toBe(bin.length);
  return out;
}

describe('wrk request files', () => {
  it('give each thread its connections interleaved, PUT bodies that verify as their names', () => {
    const d = mkdtempSync('/dev/shm/speedlab-wrkfiles-');
    try {
      const w = workload({ mix: 'mixed', ratio: { get: 1, put: 1, head: 0 }, files: { kind: 'distinct', perConnection: 2 } });
      writeRequestFiles(d, w, 0x30000000, 2, '127.0.0.1:8080');
      // thread 0 serves connections 0 and 2, thread 1 connections 1 and 3; each cycle is 2 names x (get, put)
      const t0 = readRequests(d, 0).map((r) => r.toString('latin1').split('\r\n')[0]);
      expect(t0).toEqual([
        'GET /sl00000007_d_00000000000000 HTTP/1.1', 'GET /sl00000007_d_00000000000004 HTTP/1.1',
        'PUT /sl00000007_d_00000000000001 HTTP/1.1', 'PUT /sl00000007_d_00000000000005 HTTP/1.1',
        'GET /sl00000007_d_00000000000001 HTTP/1.1', 'GET /sl00000007_d_00000000000005 HTTP/1.1',
        'PUT /sl00000007_d_00000000000000 HTTP/1.1', 'PUT /sl00000007_d_00000000000004 HTTP/1.1',
      ]);
      const put = readRequests(d, 1).find((r) => r.toString('latin1').startsWith('PUT'))!;
      const text = put.toString('latin1');
      const head = text.slice(0, text.indexOf('\r\n\r\n') + 4);
      expect(head).toBe('PUT /sl00000007_d_00000000000003 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nConnection: keep-alive\r\nContent-Length: 5000\r\n\r\n');
      expect(verifyBody('sl00000007_d_00000000000003', 7, 5000, put.subarray(head.length))).toEqual({ ok: true, seq: 0x30000003 });
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('threads divide the connections; bodies are one per name', () => {
    expect([wrkThreads(32, 1), wrkThreads(32, 2), wrkThreads(30, 4), wrkThreads(7, 4), wrkThreads(2, 8)]).toEqual([1, 2, 3, 1, 2]);
    expect(wrkBodyBytes(workload({ connections: 32, fileSize: 1024 }), true)).toBe(32 * 1024);
    expect(wrkBodyBytes(workload({ files: { kind: 'shared', count: 3 } }), true)).toBe(15000);
    expect(wrkBodyBytes(workload({}), false)).toBe(0);
  });
});

const WRK_MISSING_LINE = 'speedlab: engine: wrk needs the wrk program (not on PATH): install it (Debian/Ubuntu: apt-get install wrk; macOS: brew install wrk) or set SPEEDLAB_WRK=/path/to/wrk';

const loadgen = (job: object, env: NodeJS.ProcessEnv = process.env) =>
  runCli(['loadgen', '--target', `http://127.0.0.1:${port}`, '--job', JSON.stringify(job)], undefined, env);

describe('the wrk engine', () => {
  it('measures a window with real wrk: counts, bytes and µs latencies; verify accepts the files it wrote', async () => {
    const w = workload({ connections: 4 });
    expect((await loadgen({ phase: 'seed', workload: w })).code).toBe(0);
    const r = await loadgen({ phase: 'load', engine: 'wrk', workload: w, durationS: 1, seqBase: 0x30000000 });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim()) as {
      requests: number; contentBytes: number; errors: number; timeouts: number; durationS: number; loadS: number; wireBytesSent: number;
      statusCounts: Record<string, number>; latencyUs: { p50: number; p99: number; max: number };
    };
    // how many is the machine's speed (wrk has no request-count mode); that it counted them is the test
    expect(out.requests).toBeGreaterThan(0);
    expect(out.statusCounts).toEqual({ '2xx': out.requests });
    expect(out.contentBytes).toBe(out.requests * 5000);
    expect(out.errors + out.timeouts).toBe(0);
    // wrk's own run time: the 1 s window (plus its 100 ms stop tick, and whatever a busy machine adds)
    expect(out.durationS).toBeGreaterThanOrEqual(0.9);
    // load was applied until wrk stopped: the window and its tail (the server's CPU is counted over it)
    expect(out.loadS).toBeGreaterThanOrEqual(out.durationS);
    expect(out.latencyUs.p50).toBeGreaterThan(0);
    expect(out.latencyUs.p99).toBeGreaterThanOrEqual(out.latencyUs.p50);
    expect(out.latencyUs.max).toBeGreaterThanOrEqual(out.latencyUs.p99);
    expect(out.wireBytesSent).toBeGreaterThanOrEqual(out.requests * 5000);
    // the files hold the window's bodies ("SLB1 <seed> <seq> ...", seq 0x30000000 + name index), not the seed pass's
    for (let i = 0; i < 4; i++) {
      expect(readFileSync(path.join(dir, `sl00000007_d_0000000000000${i}`), 'latin1').slice(0, 22)).toBe(`SLB1 00000007 3000000${i}`);
    }
    const verified = await loadgen({ phase: 'verify', workload: w });
    expect(JSON.parse(verified.stdout.trim())).toEqual({ phase: 'verify', checked: 4, mismatches: 0, details: [] });
  });

  it('counts 4xx/5xx answers in their class', async () => {
    // GETs of names never written: the tiny server answers 404
    const r = await loadgen({ phase: 'load', engine: 'wrk', workload: workload({ mix: 'get', seed: 4242 }), durationS: 1, seqBase: 0x30000000 });
    const out = JSON.parse(r.stdout.trim()) as { requests: number; statusCounts: Record<string, number>; contentBytes: number };
    expect(out.statusCounts).toEqual({ '4xx/5xx': out.requests });
    expect(out.contentBytes).toBe(0);
  });

  it('measures its ceiling against a trivial responder: at least the rate it reached there', async () => {
    for (const engine of ['wrk', 'autocannon']) {
      const r = await runCli(['loadgen', '--job', JSON.stringify({ phase: 'capacity', engine, connections: 8, durationS: 1 })]);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout.trim()) as { engine: string; connections: number; requestsPerS: number; ceilingPerS: number; cpuCores: number };
      expect(out).toMatchObject({ phase: 'capacity', engine, connections: 8 });
      expect(out.requestsPerS, engine).toBeGreaterThan(0);
      expect(out.cpuCores).toBeGreaterThan(0);
      // per CPU-second of the engine, times its cores: equal to the rate reached when the engine
      // had all its cores (here, with a core each), above it when it shared them with the responder
      expect(out.ceilingPerS, engine).toBeGreaterThan(out.requestsPerS * 0.9);
    }
  });

  it('names what to install when wrk is missing, and passes on what wrk said when it fails', async () => {
    const job = { phase: 'load', engine: 'wrk', workload: workload({}), durationS: 1, seqBase: 0x30000000 };
    const missing = await loadgen(job, { ...process.env, PATH: '/nonexistent' });
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n').pop()).toBe(WRK_MISSING_LINE);
    const bogus = path.join(dir, 'wrk-bogus-option');
    writeFileSync(bogus, '#!/bin/sh\nexec wrk --no-such-option "$@"\n');
    chmodSync(bogus, 0o755);
    const failed = await loadgen(job, { ...process.env, SPEEDLAB_WRK: bogus });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^speedlab: wrk exited with code 1: .*unrecognized option '--no-such-option'/m);
  });
});

describe('speedlab run with engine: wrk', () => {
  it('stops before the first point with the one line when wrk is missing', async () => {
    const d = tempDir();
    try {
      const file = writeExperiment(d, 'wrk-missing', 'name: wrk-missing\nsweep: { threads: [1, 2] }\nworkload: { engine: wrk, mix: get, duration: 1s, warmup: 0s }\n');
      const r = await runCli(['run', file, '--runtime', 'local', '--out', path.join(d, 'out')], undefined, { ...process.env, PATH: "/nonexistent" });
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n').pop()).toBe(WRK_MISSING_LINE);
      expect(existsSync(path.join(d, 'out', 'points.jsonl'))).toBe(false);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('records a point whose wrk fails as failed with what wrk said, and goes on', async () => {
    const d = tempDir();
    try {
      const bogus = path.join(d, 'wrk-bogus-option');
      writeFileSync(bogus, '#!/bin/sh\nexec wrk --no-such-option "$@"\n');
      chmodSync(bogus, 0o755);
      const file = writeExperiment(d, 'wrk-fails', 'name: wrk-fails\nsweep: { threads: [1, 2] }\nworkload: { engine: wrk, mix: get, duration: 1s, warmup: 0s }\n');
      const r = await runCli(['run', file, '--runtime', 'local', '--out', path.join(d, 'out')], undefined, { ...process.env, SPEEDLAB_WRK: bogus });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('load generator ceiling of wrk with 32 connections not measured: ');
      const points = readLines(path.join(d, 'out', 'points.jsonl')).map((l) => JSON.parse(l) as { outcome: string; failure: string });
      expect(points.map((p) => p.outcome)).toEqual(['failed', 'failed']);
      for (const p of points) expect(p.failure).toMatch(/^window: the load generator exited with status 1: .*wrk exited with code 1: .*unrecognized option '--no-such-option'/);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});

describe('what engine: wrk cannot do is refused at plan time', () => {
  const cases: [string, string, string][] = [
    ['workload: { engine: wrk, mix: head }', 'workload.engine', 'wrk cannot run HEAD requests'],
    ['sweep: { engine: [autocannon, wrk] }\nworkload: { mix: mixed, ratio: { get: 8, head: 1 } }', 'sweep.engine', 'wrk cannot run HEAD requests'],
    ['workload: { engine: wrk, requests: 500 }', 'workload.requests', 'a counted window (requests:) needs engine: autocannon'],
    ['workload: { engine: wrk, mix: put, fileSize: 8MiB, connections: 32 }', 'workload.engine', 'wrk prebuilds one PUT body per file name: 8MiB x 32 names = 256MiB, over its 128MiB budget'],
  ];
  it.each(cases)('%s', async (body, field, text) => {
    const d = tempDir();
    try {
      const r = await runCli(['plan', writeExperiment(d, 'bad', `name: bad\n${body}\n`)]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(field);
      expect(r.stderr).toContain(text);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
