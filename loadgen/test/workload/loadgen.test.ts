// The loadgen command on its own, against the tiny server: every mix, including HEAD (which
// autocannon alone would stall on), and its error messages.
import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startTinyServer } from '../fixtures/cli.js';

let port = 0;
let stop: () => void = () => {};
const dir = mkdtempSync('/dev/shm/speedlab-lgtest-');

beforeAll(async () => {
  ({ port, stop } = await startTinyServer(dir));
});
afterAll(() => {
  stop();
  rmSync(dir, { recursive: true, force: true });
});

const workload = (over: object) => ({
  seed: 99, fileSize: 5000, mix: 'mixed', ratio: { get: 1, put: 1, head: 1 }, files: { kind: 'shared', count: 2 }, connections: 2, timeoutS: 5, ...over,
});
const REQUESTS = 30;
const loadgen = async (job: object) => {
  const r = await runCli(['loadgen', '--target', `http://127.0.0.1:${port}`, '--job', JSON.stringify(job)]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim()) as Record<string, unknown>;
};

describe('speedlab loadgen', () => {
  it('seeds, loads each mix and verifies, one JSON line each', async () => {
    expect(await loadgen({ phase: 'seed', workload: workload({}) })).toMatchObject({ phase: 'seed', files: 2, failures: [] });
    for (const mix of ['put', 'get', 'head', 'mixed']) {
      // a window of a request count, not of time: however busy the machine, every request is in it
      const r = await loadgen({ phase: 'load', workload: workload({ mix }), durationS: 1, requests: REQUESTS, seqBase: 0x30000000 });
      expect(r).toMatchObject({ phase: 'load', requests: REQUESTS, errors: 0, timeouts: 0 });
      expect(Object.keys(r.statusCounts as object).every((c) => c === '200' || c === '201')).toBe(true);
      expect((r.latencyUs as { p99: number }).p99).toBeGreaterThan(0);
      // PUT and GET bodies are content; HEAD answers carry none
      const requests = r.requests as number;
      const contentBytes = r.contentBytes as number;
      if (mix === 'mixed') {
        // a third of each connection's cycle is HEAD: within one request of a third per connection
        expect(contentBytes % 5000).toBe(0);
        expect(Math.abs((requests - contentBytes / 5000) - requests / 3)).toBeLessThan(2);
      } else expect(contentBytes).toBe(mix === 'head' ? 0 : requests * 5000);
    }
    expect(await loadgen({ phase: 'verify', workload: workload({}) })).toEqual({ phase: 'verify', checked: 2, mismatches: 0, details: [] });
  });

  it('reports a name that was never written as a mismatch', async () => {
    const r = await loadgen({ phase: 'verify', workload: workload({ seed: 12345, files: { kind: 'distinct', perConnection: 1 } }) });
    expect(r).toMatchObject({ checked: 2, mismatches: 2 });
    expect((r.details as string[])[0]).toContain('GET answered 404');
  });

  it('rejects a bad job with one clear line', async () => {
    const r = await runCli(['loadgen', '--target', `http://127.0.0.1:${port}`, '--job', JSON.stringify({ phase: 'load', workload: workload({}), seqBase: 0 })]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("speedlab: loadgen: --job: field 'durationS': Invalid input: expected number, received undefined");
    const notJson = await runCli(['loadgen', '--target', 'http://127.0.0.1:1', '--job', '{']);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/^speedlab: loadgen: --job: not JSON/);
  });
});
