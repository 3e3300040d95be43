// The seed and verify passes' HTTP client against a server that closes a kept-alive connection
// without a Connection: close header, as the course's reference does after an error (DESIGN §2).
import http from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { httpRequest } from '../../src/workload/http.js';

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

describe('httpRequest', () => {
  it.each(['GET', 'PUT', 'HEAD'] as const)('%s on a kept-alive socket the server had closed is sent again on a fresh connection', async (method) => {
    const { port, seen } = await closingServer('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const target = new URL(`http://127.0.0.1:${port}`);
    const body = method === 'PUT' ? Buffer.from('hello') : undefined;
    expect(await httpRequest(agent, target, method, '/a', 5000, body)).toEqual({ status: 404, contentLength: 0 });
    expect(await httpRequest(agent, target, method, '/b', 5000, body)).toEqual({ status: 404, contentLength: 0 });
    expect(seen).toEqual([[`${method} /a HTTP/1.1`, `${method} /b HTTP/1.1`], [`${method} /b HTTP/1.1`]]);
  });

  it('does not send again when the first connection fails (nothing was reused)', async () => {
    const { port, seen } = await closingServer('');
    server!.removeAllListeners('connection');
    server!.on('connection', (s: Socket) => {
      seen.push([]);
      s.destroy();
    });
    agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    await expect(httpRequest(agent, new URL(`http://127.0.0.1:${port}`), 'GET', '/a', 5000)).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(seen).toEqual([[]]);
  });
});
