// The autocannon engine under a server's client settings, against a raw server that records
// what arrives: connection: close sends each request on a fresh connection; an answer announcing
// Connection: close is followed by a fresh connection with no error counted; body: after-head
// sends a PUT's head and body in separate writes.
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LAB_DEFAULTS, type ClientSettings } from '../../src/results/client-settings.js';
import type { WorkloadSpec } from '../../src/workload/job.js';
import { runLoad } from '../../src/workload/load.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

interface Seen { connections: number; requestsPerConnection: number[]; headsWithBody: number; headsAlone: number }

/** answers every request 201 (PUT) or 404 (else); `close`: announces Connection: close and closes after each answer */
async function recordingServer(close: boolean): Promise<{ port: number; seen: Seen }> {
  const seen: Seen = { connections: 0, requestsPerConnection: [], headsWithBody: 0, headsAlone: 0 };
  server = createServer((socket: Socket) => {
    const mine = seen.connections++;
    seen.requestsPerConnection[mine] = 0;
    let pending = Buffer.alloc(0);
    let wantBody = -1;
    socket.on('data', (d: Buffer) => {
      const fresh = pending.length === 0 && wantBody < 0;
      pending = Buffer.concat([pending, d]);
      for (;;) {
        if (wantBody < 0) {
          const end = pending.indexOf('\r\n\r\n');
          if (end < 0) return;
          const head = pending.subarray(0, end).toString('latin1');
          const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
          if (fresh && length > 0) {
            if (pending.length > end + 4) seen.headsWithBody++;
            else seen.headsAlone++;
          }
          pending = pending.subarray(end + 4);
          wantBody = length;
        }
        if (pending.length < wantBody) return;
        pending = pending.subarray(wantBody);
        wantBody = -1;
        seen.requestsPerConnection[mine]!++;
        socket.write(`HTTP/1.1 201 Created\r\nContent-Length: 0\r\n${close ? 'Connection: close\r\n' : ''}\r\n`);
        if (close) return void socket.end();
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as { port: number }).port, seen };
}

const REQUESTS = 24;

function workload(client: Partial<ClientSettings>): WorkloadSpec {
  return {
    seed: 3, fileSize: 4096, mix: 'put', ratio: { get: 0, put: 0, head: 0 }, files: { kind: 'distinct', perConnection: 2 },
    connections: 2, timeoutS: 5, client: { ...LAB_DEFAULTS, ...client },
  };
}

describe('autocannon under the client settings', () => {
  it('connection: close: one request per connection, every one counted, no error', async () => {
    const { port, seen } = await recordingServer(false);
    const r = await runLoad(new URL(`http://127.0.0.1:${port}`), workload({ connection: 'close' }), 30, 0x30000000, REQUESTS);
    expect({ requests: r.requests, errors: r.errors, timeouts: r.timeouts, status: r.statusCounts }).toEqual({ requests: REQUESTS, errors: 0, timeouts: 0, status: { 201: REQUESTS } });
    expect(Math.max(...seen.requestsPerConnection)).toBe(1);
    expect(seen.requestsPerConnection.filter((n) => n === 1)).toHaveLength(REQUESTS);
  });

  it('connection: keep-alive, a server that announces Connection: close: a fresh connection each time, no error', async () => {
    const { port, seen } = await recordingServer(true);
    const r = await runLoad(new URL(`http://127.0.0.1:${port}`), workload({}), 30, 0x30000000, REQUESTS);
    expect({ requests: r.requests, errors: r.errors, timeouts: r.timeouts }).toEqual({ requests: REQUESTS, errors: 0, timeouts: 0 });
    expect(Math.max(...seen.requestsPerConnection)).toBe(1);
  });

  it('connection: keep-alive, a server that keeps it: requests share the two connections', async () => {
    const { port, seen } = await recordingServer(false);
    const r = await runLoad(new URL(`http://127.0.0.1:${port}`), workload({}), 30, 0x30000000, REQUESTS);
    expect({ requests: r.requests, errors: r.errors }).toEqual({ requests: REQUESTS, errors: 0 });
    expect(seen.connections).toBe(2);
  });

  it.each([['after-head', 0], ['with-head', REQUESTS]] as const)('body: %s: %i of the PUTs arrive with their body in the head\'s segment', async (body, withBody) => {
    const { port, seen } = await recordingServer(false);
    const r = await runLoad(new URL(`http://127.0.0.1:${port}`), workload({ body }), 30, 0x30000000, REQUESTS);
    expect({ requests: r.requests, errors: r.errors }).toEqual({ requests: REQUESTS, errors: 0 });
    expect(seen.headsWithBody).toBe(withBody);
    expect(seen.headsAlone + seen.headsWithBody).toBeGreaterThanOrEqual(REQUESTS);
  });

  it('a timed window: the load ran at least the window (its tail is in loadS, over which the server\'s CPU is counted)', async () => {
    const { port } = await recordingServer(false);
    const r = await runLoad(new URL(`http://127.0.0.1:${port}`), workload({}), 0.5, 0x30000000);
    expect(r.durationS).toBe(0.5);
    expect(r.loadS).toBeGreaterThanOrEqual(0.5);
  });
});
