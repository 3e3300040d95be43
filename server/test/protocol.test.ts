import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchange, IMPLS, openSocket, parseResponses, request, startTestServer, type TestServer } from './harness.js';

describe.each(IMPLS)('%s server', (impl) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ impl, args: ['-N', '4', '--timeout', '1'] });
  });
  afterAll(async () => {
    await server.stop();
  });

  describe('status codes', () => {
    it('PUT creates (201), replaces (200), GET returns the content, HEAD only its length', async () => {
      const created = await request(server.port, 'PUT', '/alpha', 'first');
      expect(created.status).toBe(201);
      expect(created.body.length).toBe(0);
      const replaced = await request(server.port, 'PUT', '/alpha', 'second!');
      expect(replaced.status).toBe(200);
      expect(replaced.body.toString()).toBe('OK\n');
      const got = await request(server.port, 'GET', '/alpha');
      expect(got.status).toBe(200);
      expect(got.headers['content-length']).toBe('7');
      expect(got.body.toString()).toBe('second!');
      const head = await exchange(server.port, 'HEAD /alpha HTTP/1.1\r\nConnection: close\r\n\r\n', 2000);
      expect(head.data.toString('latin1')).toBe('HTTP/1.1 200 OK\r\nContent-Length: 7\r\nConnection: close\r\n\r\n');
      expect(readFileSync(join(server.dir, 'alpha'), 'utf8')).toBe('second!');
    });

    it('404 for a missing file, with Content-Length 0 and no body', async () => {
      const res = await request(server.port, 'GET', '/missing');
      expect(res.status).toBe(404);
      expect(res.headers['content-length']).toBe('0');
      expect(res.body.length).toBe(0);
      expect((await request(server.port, 'HEAD', '/missing')).status).toBe(404);
    });

    it('403 for a name that is a directory, for GET, HEAD and PUT', async () => {
      mkdirSync(join(server.dir, 'adir'));
      expect((await request(server.port, 'GET', '/adir')).status).toBe(403);
      expect((await request(server.port, 'HEAD', '/adir')).status).toBe(403);
      expect((await request(server.port, 'PUT', '/adir', 'x')).status).toBe(403);
    });

    it('403 for a symlink, so nothing outside --dir is reachable through one', async () => {
      const outside = join(server.dir, '..', 'outside-secret');
      writeFileSync(outside, 'secret');
      symlinkSync(outside, join(server.dir, 'link'));
      expect((await request(server.port, 'GET', '/link')).status).toBe(403);
      expect((await request(server.port, 'PUT', '/link', 'overwrite')).status).toBe(403);
      expect(readFileSync(outside, 'utf8')).toBe('secret');
    });

    it('400 for every invalid name and leaves no file behind', async () => {
      const names = ['/a.b', '/a+b', '/a$b', '/a%20b', '/' + 'x'.repeat(28), '/..', '/../etc/passwd', '/', '//x', '/a/b', 'noslash', '/.hidden'];
      for (const name of names) {
        const res = await request(server.port, 'PUT', name, 'data');
        expect(res.status, name).toBe(400);
        expect((await request(server.port, 'GET', name)).status, name).toBe(400);
      }
      expect((await request(server.port, 'PUT', '/' + 'x'.repeat(27), 'ok')).status).toBe(201);
      expect((await request(server.port, 'PUT', '/Az09_-', 'ok')).status).toBe(201);
      expect(readdirSync(server.dir).sort()).toEqual(['Az09_-', 'adir', 'alpha', 'link', 'x'.repeat(27)].sort());
    });

    it('400 for other methods', async () => {
      for (const method of ['POST', 'DELETE', 'OPTIONS', 'get', 'PATCH']) {
        expect((await request(server.port, method, '/alpha')).status, method).toBe(400);
      }
    });
  });

  describe('framing', () => {
    it('keeps the connection alive across requests, pipelined or not', async () => {
      const payload =
        'PUT /ka HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc' +
        'GET /ka HTTP/1.1\r\n\r\n' +
        'HEAD /ka HTTP/1.1\r\n\r\n' +
        'GET /nope HTTP/1.1\r\n\r\n' +
        'GET /ka HTTP/1.1\r\nConnection: close\r\n\r\n';
      const { data, closedByServer } = await exchange(server.port, payload, 3000);
      const res = parseResponses(data, [false, false, true, false, false]);
      expect(res.map((r) => r.status)).toEqual([201, 200, 200, 404, 200]);
      expect(res[1]!.body.toString()).toBe('abc');
      expect(res[4]!.body.toString()).toBe('abc');
      expect(res[4]!.headers['connection']).toBe('close');
      expect(closedByServer).toBe(true);
    });

    // --io-delay (a modelled slow device) is the reference server's own option
    it.runIf(impl === 'reference')('pipelined heads that arrive during a slow request: reading pauses past 8 KiB and resumes after it, answers in order', async () => {
      const slow = await startTestServer({ impl, args: ['-N', '2', '--io-delay', '60'] });
      try {
        expect((await request(slow.port, 'PUT', '/pipe0', 'zero')).status).toBe(201);
        expect((await request(slow.port, 'PUT', '/pipe1', 'one')).status).toBe(201);
        const socket = await openSocket(slow.port);
        const chunks: Buffer[] = [];
        socket.on('data', (d) => chunks.push(d));
        const ended = new Promise((r) => socket.on('end', r));
        socket.write('GET /pipe0 HTTP/1.1\r\n\r\n');
        await new Promise((r) => setTimeout(r, 20));
        // six heads of ~7 KB each arrive while the first request holds its worker for 60 ms …
        const heads = Array.from({ length: 6 }, (_, i) => `GET /pipe${(i + 1) % 2} HTTP/1.1\r\nX-Pad: ${'p'.repeat(7000)}\r\n\r\n`);
        socket.write(heads.join(''));
        await new Promise((r) => setTimeout(r, 20));
        // … and one more after the server has stopped reading: it is read once the backlog drains
        socket.write('GET /pipe1 HTTP/1.1\r\nConnection: close\r\n\r\n');
        await Promise.race([ended, new Promise((r) => setTimeout(r, 5000))]);
        socket.destroy();
        const res = parseResponses(Buffer.concat(chunks));
        expect(res.map((r) => r.body.toString())).toEqual(['zero', 'one', 'zero', 'one', 'zero', 'one', 'zero', 'one']);
        expect(res.at(-1)!.headers['connection']).toBe('close');
      } finally {
        await slow.stop();
      }
    });

    it('pipelined heads of ~7 KB each, more than 8 KiB together, are all answered in order', async () => {
      expect((await request(server.port, 'PUT', '/pipe0', 'zero')).status).toBe(201);
      expect((await request(server.port, 'PUT', '/pipe1', 'one')).status).toBe(201);
      const heads = Array.from({ length: 7 }, (_, i) => `GET /pipe${i % 2} HTTP/1.1\r\nX-Pad: ${'p'.repeat(7000)}\r\n\r\n`);
      const { data, closedByServer } = await exchange(server.port, heads.join('') + 'GET /pipe1 HTTP/1.1\r\nConnection: close\r\n\r\n', 3000);
      const res = parseResponses(data);
      expect(res.map((r) => r.body.toString())).toEqual(['zero', 'one', 'zero', 'one', 'zero', 'one', 'zero', 'one']);
      expect(closedByServer).toBe(true);
    });

    it('a 3 MiB PUT body (socket reads moved to the worker whole, or copied where they hold the next request) arrives intact', async () => {
      const body = randomBytes(3 * 1024 * 1024 + 17);
      const payload = Buffer.concat([
        Buffer.from(`PUT /moved HTTP/1.1\r\nContent-Length: ${body.length}\r\n\r\n`, 'latin1'),
        body,
        Buffer.from('GET /moved HTTP/1.1\r\nConnection: close\r\n\r\n', 'latin1'),
      ]);
      const { data, closedByServer } = await exchange(server.port, payload, 5000);
      const res = parseResponses(data);
      expect(res.map((r) => r.status)).toEqual([201, 200]);
      expect(res[1]!.body.equals(body)).toBe(true);
      expect(readFileSync(join(server.dir, 'moved')).equals(body)).toBe(true);
      expect(closedByServer).toBe(true);
    });

    it('a keep-alive connection stays open after a response', async () => {
      const { data, closedByServer } = await exchange(server.port, 'GET /ka HTTP/1.1\r\n\r\n', 300);
      expect(parseResponses(data).map((r) => r.status)).toEqual([200]);
      expect(closedByServer).toBe(false);
    });

    it('a request split into single bytes is still understood', async () => {
      const socket = await openSocket(server.port);
      const chunks: Buffer[] = [];
      socket.on('data', (d) => chunks.push(d));
      const ended = new Promise((r) => socket.on('end', r));
      for (const ch of 'PUT /bytewise HTTP/1.1\r\nContent-Length: 4\r\nConnection: close\r\n\r\nwxyz') {
        socket.write(ch);
        await new Promise((r) => setImmediate(r));
      }
      await ended;
      expect(parseResponses(Buffer.concat(chunks))[0]!.status).toBe(201);
      expect(readFileSync(join(server.dir, 'bytewise'), 'utf8')).toBe('wxyz');
    });

    it.each([
      ['garbage', 'hello\r\n\r\n'],
      ['missing version', 'GET /alpha\r\n\r\n'],
      ['HTTP/1.0', 'GET /alpha HTTP/1.0\r\n\r\n'],
      ['extra spaces', 'GET  /alpha HTTP/1.1\r\n\r\n'],
      ['header without colon', 'GET /alpha HTTP/1.1\r\nBogus\r\n\r\n'],
      ['PUT without Content-Length', 'PUT /alpha HTTP/1.1\r\n\r\nabc'],
      ['negative Content-Length', 'PUT /alpha HTTP/1.1\r\nContent-Length: -1\r\n\r\n'],
      ['non-numeric Content-Length', 'PUT /alpha HTTP/1.1\r\nContent-Length: 12abc\r\n\r\n'],
      ['conflicting Content-Length', 'PUT /alpha HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab'],
      ['chunked', 'PUT /alpha HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n'],
      ['binary', Buffer.from([0, 1, 2, 255, 13, 10, 13, 10]).toString('latin1')],
    ])('400 and close for a malformed request: %s', async (_label, payload) => {
      const { data, closedByServer } = await exchange(server.port, Buffer.from(payload, 'latin1'), 2000);
      const [res] = parseResponses(data);
      expect(res!.status).toBe(400);
      expect(closedByServer).toBe(true);
      expect(readFileSync(join(server.dir, 'alpha'), 'utf8')).toBe('second!');
    });

    it('400 for a head over 8 KiB, whether or not it ends', async () => {
      const big = 'GET /alpha HTTP/1.1\r\nX-Big: ' + 'a'.repeat(9000);
      for (const payload of [big, big + '\r\n\r\n']) {
        const { data, closedByServer } = await exchange(server.port, payload, 2000);
        expect(parseResponses(data)[0]!.status).toBe(400);
        expect(closedByServer).toBe(true);
      }
      // just under the limit is fine
      const ok = 'GET /alpha HTTP/1.1\r\nX-Big: ' + 'a'.repeat(8000) + '\r\nConnection: close\r\n\r\n';
      expect(parseResponses((await exchange(server.port, ok, 2000)).data)[0]!.status).toBe(200);
    });

    it('a GET with a body has the body skipped, and the next request still works', async () => {
      const payload = 'GET /alpha HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET /alpha HTTP/1.1\r\nConnection: close\r\n\r\n';
      const res = parseResponses((await exchange(server.port, payload, 2000)).data);
      expect(res.map((r) => r.status)).toEqual([200, 200]);
    });
  });

  describe('failures leave nothing behind', () => {
    it('a client that sends half a body and disconnects leaves no file and no change to the old one', async () => {
      await request(server.port, 'PUT', '/half', 'old content');
      const socket = await openSocket(server.port);
      socket.write('PUT /half HTTP/1.1\r\nContent-Length: 1000000\r\n\r\n' + 'n'.repeat(50_000));
      await new Promise((r) => setTimeout(r, 200));
      socket.destroy();
      const socket2 = await openSocket(server.port);
      socket2.write('PUT /half-new HTTP/1.1\r\nContent-Length: 1000000\r\n\r\n' + 'n'.repeat(50_000));
      await new Promise((r) => setTimeout(r, 200));
      socket2.destroy();
      await new Promise((r) => setTimeout(r, 200));
      expect((await request(server.port, 'GET', '/half')).body.toString()).toBe('old content');
      expect((await request(server.port, 'GET', '/half-new')).status).toBe(404);
      expect(readdirSync(server.dir).filter((f) => f.startsWith('.'))).toEqual([]);
    });

    it('a client that stalls mid-body is dropped after the timeout, and its lock does not block others', async () => {
      const stalled = await openSocket(server.port);
      const closed = new Promise<number>((r) => {
        const t0 = Date.now();
        stalled.on('close', () => r(Date.now() - t0));
      });
      stalled.on('error', () => {});
      stalled.write('PUT /stall HTTP/1.1\r\nContent-Length: 100\r\n\r\nabc');
      // the same name is locked by the stalled PUT; this GET must wait, then be served
      const get = request(server.port, 'GET', '/stall');
      const waited = await closed;
      // not before the timeout; how long after it depends on the machine (the test's own timeout
      // catches a server that never drops it)
      expect(waited).toBeGreaterThanOrEqual(800);
      expect((await get).status).toBe(404);
      expect(existsSync(join(server.dir, 'stall'))).toBe(false);
    });

    it('a client that stalls mid-head is dropped after the timeout', async () => {
      const s = await openSocket(server.port);
      s.write('GET /alpha HTT');
      const closedAfter = await new Promise<number>((r) => {
        const t0 = Date.now();
        s.on('close', () => r(Date.now() - t0));
      });
      expect(closedAfter).toBeGreaterThanOrEqual(800);
    });
  });

  describe('permissions', () => {
    it('403 for a file the server cannot read (server runs as uid 1000)', async () => {
      const unprivileged = await startTestServer({ impl, uid: 1000, gid: 1000, log: false });
      try {
        chmodSync(unprivileged.dir, 0o777);
        writeFileSync(join(unprivileged.dir, 'secret'), 'top');
        chmodSync(join(unprivileged.dir, 'secret'), 0o000);
        writeFileSync(join(unprivileged.dir, 'public'), 'pub');
        chmodSync(join(unprivileged.dir, 'public'), 0o644);
        expect((await request(unprivileged.port, 'GET', '/secret')).status).toBe(403);
        expect((await request(unprivileged.port, 'GET', '/public')).body.toString()).toBe('pub');
      } finally {
        await unprivileged.stop();
      }
    });
  });
});
