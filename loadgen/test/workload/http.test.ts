// The seed and verify passes' HTTP client against a server that closes a kept-alive connection
// without a Connection: close header, as the course's reference does after an error (DESIGN §2).
import http from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LAB_DEFAULTS } from '../../src/results/client-settings.js';
import { BODY_GAP_MS, httpRequest, labClient, type LabClient } from '../../src/workload/http.js';
import type { WorkloadSpec } from '../../src/workload/job.js';

let server: Server | undefined;
let agent: http.Agent | undefined;
afterEach(async () => {
  agent?.destroy();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/**
 * Answers each connection's first request with `first`; a second request on the same connection
 * finds it closed, as if the server had closed it right after its answer and the client had not
 * seen the FIN yet. Records the request lines it saw, per connection.
 */
async function closingServer(first: string): Promise<{ port: number; seen: string[][] }> {
  const seen: string[][] = [];
  server = createServer((socket: Socket) => {
    const lines: string[] = [];
    seen.push(lines);
    let pending = '';
    socket.on('data', (d: Buffer) => {
      pending += d.toString('latin1');
      for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
        const head = pending.slice(0, end);
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (pending.length < end + 4 + length) return;
        pending = pending.slice(end + 4 + length);
        lines.push(head.split('\r\n')[0]!);
        if (lines.length === 1) socket.write(first);
        else socket.destroy();
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as { port: number }).port, seen };
}

function keptAlive(port: number): LabClient {
  agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return { agent, target: new URL(`http://127.0.0.1:${port}`), timeoutMs: 5000, bodyAfterHead: false };
}

/** records, per connection, each chunk it receives and when (ms since the first) */
async function recordingServer(): Promise<{ port: number; chunks: { at: number; text: string }[][] }> {
  const chunks: { at: number; text: string }[][] = [];
  const t0 = performance.now();
  server = createServer((socket: Socket) => {
    const mine: { at: number; text: string }[] = [];
    chunks.push(mine);
    let pending = '';
    socket.on('data', (d: Buffer) => {
      mine.push({ at: performance.now() - t0, text: d.toString('latin1') });
      pending += d.toString('latin1');
      const end = pending.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length: (\d+)/i.exec(pending.slice(0, end))?.[1] ?? 0);
      if (pending.length < end + 4 + length) return;
      pending = '';
      socket.write('HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n');
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as { port: number }).port, chunks };
}

const spec = (client: Partial<WorkloadSpec['client']>): WorkloadSpec => ({
  seed: 1, fileSize: 64, mix: 'put', ratio: { get: 0, put: 0, head: 0 }, files: { kind: 'distinct', perConnection: 1 },
  connections: 1, timeoutS: 5, client: { ...LAB_DEFAULTS, ...client },
});

describe('the client settings of the seed and verify passes', () => {
  it('body: after-head sends the head, then the body in a write of its own, BODY_GAP_MS later', async () => {
    const { port, chunks } = await recordingServer();
    const client = labClient(new URL(`http://127.0.0.1:${port}`), spec({ body: 'after-head' }), 1);
    agent = client.agent;
    expect((await httpRequest(client, 'PUT', '/a', Buffer.from('B'.repeat(64)))).status).toBe(201);
    expect(chunks).toHaveLength(1);
    const [head, body] = chunks[0]!;
    expect(head!.text).toMatch(/^PUT \/a HTTP\/1\.1\r\n[^]*\r\n\r\n$/);
    expect(body!.text).toBe('B'.repeat(64));
    expect(body!.at - head!.at).toBeGreaterThanOrEqual(BODY_GAP_MS - 5);
  });

  it('body: with-head sends head and body in one write', async () => {
    const { port, chunks } = await recordingServer();
    const client = labClient(new URL(`http://127.0.0.1:${port}`), spec({}), 1);
    agent = client.agent;
    await httpRequest(client, 'PUT', '/a', Buffer.from('B'.repeat(64)));
    expect(chunks[0]!.map((c) => c.text.endsWith('B'.repeat(64)))).toEqual([true]);
  });

  it.each([['keep-alive', 1], ['close', 3]] as const)('connection: %s: three requests on %i connection(s)', async (connection, connections) => {
    const { port, chunks } = await recordingServer();
    const client = labClient(new URL(`http://127.0.0.1:${port}`), spec({ connection }), 1);
    agent = client.agent;
    for (const p of ['/a', '/b', '/c']) await httpRequest(client, 'GET', p);
    expect(chunks).toHaveLength(connections);
    expect(chunks.map((c) => c.map((x) => x.text.split('\r\n')[0]))).toEqual(
      connection === 'close' ? [['GET /a HTTP/1.1'], ['GET /b HTTP/1.1'], ['GET /c HTTP/1.1']] : [['GET /a HTTP/1.1', 'GET /b HTTP/1.1', 'GET /c HTTP/1.1']],
    );
  });
});

describe('httpRequest', () => {
  it.each(['GET', 'PUT', 'HEAD'] as const)('%s on a kept-alive socket the server had closed is sent again on a fresh connection', async (method) => {
    const { port, seen } = await closingServer('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    const client = keptAlive(port);
    const body = method === 'PUT' ? Buffer.from('hello') : undefined;
    expect(await httpRequest(client, method, '/a', body)).toEqual({ status: 404, contentLength: 0 });
    expect(await httpRequest(client, method, '/b', body)).toEqual({ status: 404, contentLength: 0 });
    expect(seen).toEqual([[`${method} /a HTTP/1.1`, `${method} /b HTTP/1.1`], [`${method} /b HTTP/1.1`]]);
  });

  it('does not send again when the first connection fails (nothing was reused)', async () => {
    const { port, seen } = await closingServer('');
    server!.removeAllListeners('connection');
    server!.on('connection', (s: Socket) => {
      seen.push([]);
      s.destroy();
    });
    await expect(httpRequest(keptAlive(port), 'GET', '/a')).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(seen).toEqual([[]]);
  });
});
