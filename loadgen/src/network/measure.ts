// The load generator's side of the network path (split mode): round trips and throughput to the
// peer (peer.ts) on the server's machine.
import net from 'node:net';
import { z } from 'zod';
import { ECHO, SINK, STREAM } from './peer.js';

/** what `speedlab net rtt` prints (its last line), as whoever runs it reads it */
export const rttResultSchema = z.object({ samples: z.number(), minUs: z.number(), p50Us: z.number(), maxUs: z.number() });
type RttResult = z.output<typeof rttResultSchema>;

/** down: the peer sends (server to load generator); up: the load generator sends */
type Direction = 'down' | 'up';

/** what `speedlab net link` prints (its last line) */
export const linkResultSchema = z.object({
  direction: z.enum(['down', 'up']),
  bytes: z.number(),
  seconds: z.number(),
  bytesPerS: z.number(),
  streams: z.number(),
});
type LinkResult = z.output<typeof linkResultSchema>;

/** rejects with the address named when the connection cannot be made within timeoutMs */
function connect(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`cannot connect to ${host}:${port}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot connect to ${host}:${port}: ${err.message}`, { cause: err }));
    });
  });
}

/** `count` one-byte round trips on one connection, after one that is not counted */
export async function measureRtt(host: string, port: number, count: number, timeoutMs = 5000): Promise<RttResult> {
  const socket = await connect(host, port, timeoutMs);
  try {
    socket.write(Buffer.from([ECHO]));
    const samples: number[] = [];
    const once = () =>
      new Promise<number>((resolve, reject) => {
        const t0 = process.hrtime.bigint();
        socket.once('data', () => resolve(Number(process.hrtime.bigint() - t0) / 1000));
        socket.once('close', () => reject(new Error(`${host}:${port} closed the connection mid-measurement`)));
        socket.write('x');
      });
    await once();
    for (let i = 0; i < count; i++) samples.push(await once());
    samples.sort((a, b) => a - b);
    const round = (v: number) => Math.round(v * 10) / 10;
    return { samples: count, minUs: round(samples[0]!), p50Us: round(samples[Math.floor(count / 2)]!), maxUs: round(samples[count - 1]!) };
  } finally {
    socket.removeAllListeners('close');
    socket.destroy();
  }
}

const CHUNK = Buffer.alloc(256 * 1024);

/**
 * bytes per second over `streams` connections for `seconds`: down counts the peer's zeros as they
 * arrive, up counts what the socket accepted (less what it still holds when the window ends)
 */
export async function measureLink(host: string, port: number, direction: Direction, seconds: number, streams: number, timeoutMs = 5000): Promise<LinkResult> {
  const sockets = await Promise.all(Array.from({ length: streams }, () => connect(host, port, timeoutMs)));
  let bytes = 0;
  let counting = false;
  const send = (s: net.Socket) => {
    while (!s.destroyed) {
      const more = s.write(CHUNK, () => {
        if (counting) bytes += CHUNK.length;
      });
      if (!more) return;
    }
  };
  try {
    for (const s of sockets) {
      s.on('error', () => {});
      if (direction === 'down') {
        s.on('data', (chunk: Buffer) => {
          if (counting) bytes += chunk.length;
        });
        s.write(Buffer.from([STREAM]));
      } else {
        s.write(Buffer.from([SINK]));
        s.on('drain', () => send(s));
        send(s);
      }
    }
    // a short ramp before the window: TCP's congestion window opens first
    await new Promise((r) => setTimeout(r, 200));
    counting = true;
    const t0 = process.hrtime.bigint();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    counting = false;
    const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
    return { direction, bytes, seconds: Number(elapsed.toFixed(3)), bytesPerS: Math.round(bytes / elapsed), streams };
  } finally {
    for (const s of sockets) s.destroy();
  }
}
