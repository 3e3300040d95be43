// Memory stays bounded under 100 concurrent 32 MiB PUTs (3.2 GB through the server, 20 times the
// allowance below): bodies stream through fixed windows, so the server's peak RSS must not grow
// with the data, only with the buffers the design allows. Data lives in /dev/shm (RAM) and is deleted after each case.
// Reference server only: the bounds are the Node process's windows and garbage-collector slack (the
// C server's streaming is checked by the 1 GiB PUT and GET in resources.test.ts).
import { closeSync, openSync, readdirSync, readSync, statSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.js';
import { currentRssBytes, peakRssBytes, ResponseReader, sleep, timedRequest } from './hostile.js';

const MiB = 1024 * 1024;
const PUTS = 100;
const SIZE = 32 * MiB;
const BLOCK = MiB;

/**
 * What the server may hold beyond its idle footprint, from server/src/connection.ts and worker.ts:
 * per running PUT a 2 MiB window of body bytes handed to its worker (BODY_WINDOW) plus one 64 KiB
 * socket read; per queued PUT its 64 KiB prebuffer (its socket is paused). For 100 PUTs and N ≤ 16
 * that is under 40 MiB. Written body buffers go back to the main thread to be freed there; the rest
 * of the allowance is garbage-collector slack for them (left in the workers, -N 16 grew by 1 GiB).
 * 3.2 GB of traffic must fit in it.
 */
const GROWTH_BOUND = 160 * MiB;
/** the absolute bound for the whole process */
const ABSOLUTE_BOUND = 400 * 1000 * 1000;

let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** The byte at `offset` of PUT number `i`: distinct per PUT and alternating per MiB, so a mixed-up or reordered file shows. */
function patternByte(i: number, offset: number): number {
  return (i * 31 + (offset % BLOCK) * 7 + (Math.floor(offset / BLOCK) % 2) * 101) & 0xff;
}

function block(i: number, parity: number): Buffer {
  const b = Buffer.allocUnsafe(BLOCK);
  for (let j = 0; j < BLOCK; j++) b[j] = patternByte(i, parity * BLOCK + j);
  return b;
}

/** Streams one PUT with backpressure; resolves with the response status (or an error text). */
function streamPut(port: number, i: number): Promise<number | string> {
  return new Promise((resolve) => {
    // two alternating blocks per PUT keep the client at 200 MiB for 100 PUTs, with offsets still checkable
    const blocks = [block(i, 0), block(i, 1)];
    const s = connect(port, '127.0.0.1');
    const reader = new ResponseReader();
    let sent = 0;
    let settled = false;
    const done = (r: number | string) => {
      if (settled) return;
      settled = true;
      s.destroy();
      resolve(r);
    };
    s.on('data', (d: Buffer) => {
      reader.push(d);
      try {
        const res = reader.next(false);
        if (res) done(res.status);
      } catch (err) {
        done((err as Error).message);
      }
    });
    const t0 = performance.now();
    const when = () => `after ${sent / MiB} MiB of the body, ${((performance.now() - t0) / 1000).toFixed(1)} s`;
    s.on('error', (err) => done(`${err.message} ${when()}`));
    s.on('close', () => done(`closed without a response ${when()}`));
    const pump = () => {
      while (sent < SIZE) {
        const b = blocks[(sent / BLOCK) % 2]!;
        sent += BLOCK;
        if (!s.write(b)) return void s.once('drain', pump);
      }
    };
    s.on('connect', () => {
      s.write(`PUT /big${i} HTTP/1.1\r\nContent-Length: ${SIZE}\r\nConnection: close\r\n\r\n`);
      pump();
    });
  });
}

/** Reads a few bytes at spread offsets and compares them with the pattern. */
function checkContent(path: string, i: number): string | null {
  const fd = openSync(path, 'r');
  try {
    const probe = Buffer.alloc(64);
    for (const offset of [0, BLOCK - 32, BLOCK, 17 * BLOCK + 12_345, SIZE / 2 - 7, SIZE - 64]) {
      readSync(fd, probe, 0, probe.length, offset);
      for (let k = 0; k < probe.length; k++) {
        if (probe[k] !== patternByte(i, offset + k)) return `byte ${offset + k} of big${i} is ${probe[k]}, expected ${patternByte(i, offset + k)}`;
      }
    }
    return null;
  } finally {
    closeSync(fd);
  }
}

describe('memory under 100 concurrent 32 MiB PUTs', () => {
  it.each([4, 16])('-N %i: every PUT is stored whole and the peak RSS stays bounded', async (threads) => {
    // a long --timeout: queued PUTs otherwise risk the reset race of slow-clients.test.ts (server bug)
    server = await startTestServer({ args: ['-N', String(threads), '--timeout', '600'], log: false });
    const pid = server.proc.pid!;
    // idle footprint: every worker started and has served a small PUT
    const warm = await Promise.all(Array.from({ length: 2 * threads }, (_, i) => timedRequest(server!.port, `PUT /warm${i} HTTP/1.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok`, 10_000)));
    expect(warm.map((r) => r.response?.status)).toEqual(warm.map(() => 201));
    for (let i = 0; i < 2 * threads; i++) unlinkSync(join(server.dir, `warm${i}`));
    await sleep(500);
    const idle = currentRssBytes(pid);
    let sampledMax = idle;
    const sampler = setInterval(() => {
      try {
        sampledMax = Math.max(sampledMax, currentRssBytes(pid));
      } catch {
        // the process is gone; the checks below report it
      }
    }, 100);
    const t0 = performance.now();
    let statuses: (number | string)[];
    try {
      statuses = await Promise.all(Array.from({ length: PUTS }, (_, i) => streamPut(server!.port, i)));
    } finally {
      clearInterval(sampler);
    }
    const seconds = (performance.now() - t0) / 1000;
    expect(server.proc.exitCode, server.stderr()).toBeNull();
    const peak = peakRssBytes(pid);
    console.log(
      `-N ${threads}: ${PUTS} × ${SIZE / MiB} MiB PUTs in ${seconds.toFixed(1)} s (${((PUTS * SIZE) / MiB / seconds).toFixed(0)} MiB/s); ` +
        `RSS idle ${(idle / MiB).toFixed(1)} MiB, peak (VmHWM) ${(peak / MiB).toFixed(1)} MiB, sampled max ${(sampledMax / MiB).toFixed(1)} MiB, ` +
        `growth ${((peak - idle) / MiB).toFixed(1)} MiB`,
    );

    expect(statuses.filter((s) => s !== 201), `PUTs not answered 201; server stderr: ${server.stderr()}`).toEqual([]);
    const names = readdirSync(server.dir).sort();
    expect(names).toEqual(Array.from({ length: PUTS }, (_, i) => `big${i}`).sort());
    for (let i = 0; i < PUTS; i++) {
      const path = join(server.dir, `big${i}`);
      expect(statSync(path).size, `size of big${i}`).toBe(SIZE);
      expect(checkContent(path, i)).toBeNull();
    }
    expect(peak - idle).toBeLessThan(GROWTH_BOUND);
    expect(peak).toBeLessThan(ABSOLUTE_BOUND);
  }, 300_000);
});
