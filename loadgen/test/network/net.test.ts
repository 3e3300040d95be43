// The network path's measurements (two engines) against a real peer on a loopback port, the
// `speedlab net` command line, and the network-bound verdict at its threshold.
import type { Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureLink, measureRtt } from '../../src/network/measure.js';
import { startPeer } from '../../src/network/peer.js';
import { freePort } from '../../src/runtime/local/ports.js';
import { NETWORK_BOUND_SHARE, networkVerdict } from '../../src/analysis/network.js';
import { runCli, startCli } from '../fixtures/cli.js';

let peer: Server;
let port: number;

beforeAll(async () => {
  port = await freePort();
  peer = await startPeer('127.0.0.1', port);
});
afterAll(() => new Promise<void>((r) => peer.close(() => r())));

describe('the path measurements against a peer', () => {
  // what loopback's round trip and bandwidth are is a measurement (bench/loopback-path.ts), not a test
  it('round trips: the count asked for, ordered min ≤ p50 ≤ max', async () => {
    const r = await measureRtt('127.0.0.1', port, 25);
    expect(r.samples).toBe(25);
    expect(r.minUs).toBeGreaterThan(0);
    expect(r.minUs).toBeLessThanOrEqual(r.p50Us);
    expect(r.p50Us).toBeLessThanOrEqual(r.maxUs);
  });

  it('the link both ways: bytes counted over the window, the rate is bytes over seconds', async () => {
    for (const direction of ['down', 'up'] as const) {
      // the streams flow before the window opens: only a process stalled for the whole second
      // would count nothing in it
      const r = await measureLink('127.0.0.1', port, direction, 1, 2);
      expect(r).toMatchObject({ direction, streams: 2 });
      expect(r.seconds).toBeGreaterThanOrEqual(0.99);
      expect(r.bytes).toBeGreaterThan(0);
      // seconds is rounded to the millisecond in the result, the rate is not
      expect(Math.abs(r.bytesPerS * r.seconds - r.bytes)).toBeLessThanOrEqual(r.bytesPerS * 0.0005 + 1);
    }
  });

  it('a port where nothing listens: the address and the reason', async () => {
    const closed = await freePort();
    await expect(measureRtt('127.0.0.1', closed, 3)).rejects.toThrow(`cannot connect to 127.0.0.1:${closed}: connect ECONNREFUSED 127.0.0.1:${closed}`);
  });

  it('a peer port already in use: the listen error names it', async () => {
    await expect(startPeer('127.0.0.1', port)).rejects.toThrow(`cannot listen on 127.0.0.1:${port}: listen EADDRINUSE`);
  });
});

describe('speedlab net', () => {
  it('rtt prints one JSON line; link too', async () => {
    const rtt = await runCli(['net', 'rtt', '--target', `127.0.0.1:${port}`, '--count', '5']);
    expect(rtt.code, rtt.stderr).toBe(0);
    expect(JSON.parse(rtt.stdout)).toMatchObject({ samples: 5 });
    const link = await runCli(['net', 'link', '--target', `127.0.0.1:${port}`, '--direction', 'up', '--seconds', '0.2', '--streams', '1']);
    expect(link.code, link.stderr).toBe(0);
    expect(JSON.parse(link.stdout)).toMatchObject({ direction: 'up', streams: 1 });
  });

  it('peer listens and says so, until it is stopped', async () => {
    const p = await freePort();
    const child = startCli(['net', 'peer', '--host', '127.0.0.1', '--port', String(p)]);
    await new Promise<void>((resolve) => child.child.stderr!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve()));
    const rtt = await runCli(['net', 'rtt', '--target', `127.0.0.1:${p}`, '--count', '2']);
    expect(rtt.code, rtt.stderr).toBe(0);
    child.child.kill('SIGTERM');
    expect((await child.done).stderr).toContain(`net peer: listening on 127.0.0.1:${p}`);
  });

  it('bad input: exit 2 and what was expected; an unreachable target: exit 1 and why', async () => {
    const bad = await runCli(['net', 'rtt', '--target', 'nowhere']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("speedlab: net: --target: got 'nowhere'; expected HOST:PORT\n");
    const dir = await runCli(['net', 'link', '--target', `127.0.0.1:${port}`, '--direction', 'sideways']);
    expect(dir.code).toBe(2);
    expect(dir.stderr.trim()).toBe("speedlab: net: --direction: got 'sideways'; expected down (the peer sends) or up");
    const closed = await freePort();
    const gone = await runCli(['net', 'rtt', '--target', `127.0.0.1:${closed}`]);
    expect(gone.code).toBe(1);
    expect(gone.stderr.trim()).toBe(`speedlab: net rtt: cannot connect to 127.0.0.1:${closed}: connect ECONNREFUSED 127.0.0.1:${closed}`);
  });
});

describe('the network-bound verdict', () => {
  const link = { down: { bytesPerS: 1000, seconds: 2, streams: 4 }, up: { bytesPerS: 500, seconds: 2, streams: 4 } };
  it(`bound above ${NETWORK_BOUND_SHARE * 100}% of the link in the busier direction, not at it`, () => {
    expect(networkVerdict(0, 800, link)).toEqual({ share: 0.8, bound: false });
    expect(networkVerdict(0, 801, link)).toEqual({ share: 0.801, bound: true });
    // sent bytes count against the link's up direction
    expect(networkVerdict(401, 100, link)).toEqual({ share: 0.802, bound: true });
    expect(networkVerdict(100, 100, link)).toEqual({ share: 0.2, bound: false });
  });
});
