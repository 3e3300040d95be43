import { afterEach, describe, expect, it } from 'vitest';
import { makeClient } from './http-client.js';
import { request, startTestServer, type TestServer } from './harness.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const DELAY_MS = 150;
const REQUESTS = 8;

/** Wall time of REQUESTS concurrent GETs of distinct files when each request's storage work takes DELAY_MS. */
async function concurrentGets(threads: number): Promise<number> {
  server = await startTestServer({ args: ['-N', String(threads), '--io-delay', String(DELAY_MS)], log: false });
  for (let i = 0; i < REQUESTS; i++) await request(server.port, 'PUT', `/f${i}`, `content ${i}`);
  const clients = Array.from({ length: REQUESTS }, () => makeClient(server!.port));
  const t0 = performance.now();
  const replies = await Promise.all(clients.map((c, i) => c.send('GET', `/f${i}`)));
  const elapsed = performance.now() - t0;
  clients.forEach((c) => c.close());
  expect(replies.map((r) => r.body.toString())).toEqual(Array.from({ length: REQUESTS }, (_, i) => `content ${i}`));
  await server.stop();
  server = undefined;
  return elapsed;
}

describe('-N is real', () => {
  it('-N 1 serializes slow storage work; -N 4 overlaps it four at a time', async () => {
    const serial = await concurrentGets(1);
    const four = await concurrentGets(4);
    // 8 requests x 150 ms: one worker needs >= 1200 ms; four workers need two rounds, ~300 ms
    expect(serial).toBeGreaterThanOrEqual(REQUESTS * DELAY_MS);
    expect(four).toBeGreaterThanOrEqual(2 * DELAY_MS);
    expect(four).toBeLessThan(4 * DELAY_MS);
  });
});

/** Wall time of REQUESTS concurrent GETs with 4 workers when each log entry's write takes DELAY_MS. */
async function concurrentLoggedGets(logWrite: 'locked' | 'reserved'): Promise<number> {
  server = await startTestServer({ args: ['-N', '4', '--log-mode', 'meta', '--log-write', logWrite, '--log-delay', String(DELAY_MS)] });
  for (let i = 0; i < 4; i++) await request(server.port, 'PUT', `/f${i}`, `content ${i}`);
  const clients = Array.from({ length: 4 }, () => makeClient(server!.port));
  const t0 = performance.now();
  await Promise.all(clients.map((c, i) => c.send('GET', `/f${i}`)));
  const elapsed = performance.now() - t0;
  clients.forEach((c) => c.close());
  await server.stop();
  server = undefined;
  return elapsed;
}

describe('--log-delay models a slow log device', () => {
  it('a locked append holds the log lock through the delay; reserved entries overlap it', async () => {
    const locked = await concurrentLoggedGets('locked');
    const reserved = await concurrentLoggedGets('reserved');
    // 4 entries x 150 ms: one after another >= 600 ms; in parallel one round, ~150 ms
    expect(locked).toBeGreaterThanOrEqual(4 * DELAY_MS);
    expect(reserved).toBeGreaterThanOrEqual(DELAY_MS);
    expect(reserved).toBeLessThan(3 * DELAY_MS);
  });
});
