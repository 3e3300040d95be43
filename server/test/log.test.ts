import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exchange, expectedFailEntry, expectedFullEntry, IMPLS, request, startTestServer, type StartOptions, type TestServer } from './harness.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

// the largest crosses every chunk size of both servers' body and log paths (1 MiB the largest)
const SIZES = [0, 1, 19, 20, 21, 111, 2000, 1_100_000];

/**
 * The reference server's two ways of writing the log, and the C server's two lock modes (under
 * --lock file it writes entries at reserved offsets, under --lock global inside the global lock).
 */
const FULL_LOG_SERVERS: Array<[string, StartOptions]> = [
  ...['locked', 'reserved'].map((logWrite): [string, StartOptions] => [`--log-write ${logWrite}`, { args: ['-N', '4', '--log-write', logWrite] }]),
  ...['file', 'global'].map((lock): [string, StartOptions] => [`C server --lock ${lock}`, { impl: 'c', args: ['-N', '4', '--lock', lock] }]),
];

describe.each(FULL_LOG_SERVERS)('full log, %s', (_label, options) => {
  it('is byte-exact for PUT, GET, HEAD and FAIL entries of known sizes', async () => {
    server = await startTestServer(options);
    let expected = '';
    for (const size of SIZES) {
      const content = randomBytes(size);
      const name = `f${size}`;
      expect((await request(server.port, 'PUT', `/${name}`, content)).status).toBe(201);
      expected += expectedFullEntry('PUT', name, content);
      const got = await request(server.port, 'GET', `/${name}`);
      expect(got.body.equals(content)).toBe(true);
      expected += expectedFullEntry('GET', name, content);
      expect((await request(server.port, 'HEAD', `/${name}`)).status).toBe(200);
      expected += expectedFullEntry('HEAD', name, null, size);
    }
    expect((await request(server.port, 'GET', '/absent')).status).toBe(404);
    expected += expectedFailEntry('GET /absent HTTP/1.1', 404);
    expect((await request(server.port, 'PUT', '/bad.name', 'x')).status).toBe(400);
    expected += expectedFailEntry('PUT /bad.name HTTP/1.1', 400);
    expect((await request(server.port, 'DELETE', '/f1')).status).toBe(400);
    expected += expectedFailEntry('DELETE /f1 HTTP/1.1', 400);
    expect((await request(server.port, 'PUT', '/healthcheck', 'x')).status).toBe(403);
    expected += expectedFailEntry('PUT /healthcheck HTTP/1.1', 403);

    const log = readFileSync(server.logPath, 'latin1');
    expect(log.length).toBe(expected.length);
    expect(log).toBe(expected);

    const health = await request(server.port, 'GET', '/healthcheck');
    expect(health.status).toBe(200);
    const counts = Buffer.from(`4\n${SIZES.length * 3 + 4}`);
    expect(health.body.equals(counts)).toBe(true);
    // the healthcheck itself is logged like a GET, its body hex-dumped
    expect(readFileSync(server.logPath, 'latin1')).toBe(expected + expectedFullEntry('GET', 'healthcheck', counts));
  });
});

describe.each(IMPLS)('healthcheck, %s server', (impl) => {
  it('agrees with the log as it grows (each healthcheck counted after its body is built), and other methods on it get 403', async () => {
    server = await startTestServer({ impl });
    const body = async () => (await request(server!.port, 'GET', '/healthcheck')).body.toString();
    expect(await body()).toBe('0\n0');
    await request(server.port, 'PUT', '/a', 'x');
    await request(server.port, 'GET', '/nope');
    expect(await body()).toBe('1\n3');
    expect((await request(server.port, 'HEAD', '/healthcheck')).status).toBe(403);
    expect(await body()).toBe('2\n5');
    const entries = readFileSync(server.logPath, 'latin1').split('========\n').filter(Boolean);
    expect(entries.length).toBe(6);
    expect(entries.filter((e) => e.startsWith('FAIL: ')).length).toBe(2);
  });

  it('answers 404 without a log, even when a file of that name exists', async () => {
    server = await startTestServer({ impl, log: false });
    writeFileSync(join(server.dir, 'healthcheck'), 'a file');
    expect((await request(server.port, 'GET', '/healthcheck')).status).toBe(404);
  });
});

// --log-mode meta is the reference server's own option; the C server writes the course's full log only
describe('meta log', () => {
  it('writes one short line per request', async () => {
    server = await startTestServer({ args: ['--log-mode', 'meta'] });
    await request(server.port, 'PUT', '/m1', 'hello');
    await request(server.port, 'PUT', '/m1', 'hello!');
    await request(server.port, 'GET', '/m1');
    await request(server.port, 'HEAD', '/m1');
    await request(server.port, 'GET', '/none');
    await exchange(server.port, 'garbage\r\n\r\n', 1000);
    expect(readFileSync(server.logPath, 'latin1')).toBe(
      ['PUT /m1 201 5', 'PUT /m1 200 6', 'GET /m1 200 6', 'HEAD /m1 200 6', 'GET /none 404 0', '- - 400 0', ''].join('\n'),
    );
    expect((await request(server.port, 'GET', '/healthcheck')).body.toString()).toBe('2\n6');
    expect(readFileSync(server.logPath, 'latin1').endsWith('- - 400 0\nGET /healthcheck 200 3\n')).toBe(true);
  });
});
