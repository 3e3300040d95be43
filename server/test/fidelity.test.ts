// The course's reference server, byte for byte (DESIGN §2): the healthcheck, the empty answers of
// 201 and the errors, whole request lines in FAIL entries, and one FAIL entry for a PUT whose
// client left mid-body. Every row runs against both servers.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectedFailEntry, expectedFullEntry, IMPLS, openSocket, request, startTestServer, type TestServer } from './harness.js';

/** a server of its own, for the tests that need a fresh log */
let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const empty = (status: string) => `HTTP/1.1 ${status}\r\nContent-Length: 0\r\n\r\n`;

/**
 * Sends `payload` on a fresh connection and collects what comes back: once `expected` bytes have
 * come, for a further 300 ms (extra bytes or a close would show); the server's first answer may be
 * slow on a loaded machine, so it has 5 s to start. `closedByServer`: the server closed meanwhile.
 */
function converse(port: number, payload: string, expected: string): Promise<{ data: string; closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    let settle: NodeJS.Timeout | null = null;
    const done = (closedByServer: boolean) => {
      clearTimeout(deadline);
      if (settle) clearTimeout(settle);
      socket.destroy();
      resolve({ data, closedByServer });
    };
    const deadline = setTimeout(() => done(false), 5000);
    socket.on('data', (d: Buffer) => {
      data += d.toString('latin1');
      if (data.length >= expected.length && !settle) settle = setTimeout(() => done(false), 300);
    });
    socket.on('end', () => done(true));
    socket.on('error', reject);
    socket.on('connect', () => socket.write(payload, 'latin1'));
  });
}

/** Reads the log until `done` holds (the server writes some entries after the client left), or fails saying what it saw. */
async function logWhen(path: string, what: string, done: (log: string) => boolean): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const log = readFileSync(path, 'latin1');
    if (done(log)) return log;
    if (Date.now() > deadline) throw new Error(`the log never showed ${what}; it ends with ${JSON.stringify(log.slice(-300))}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The counts a healthcheck must answer for this log: failed entries and all entries. */
function countsOf(log: string): string {
  const entries = log.split('========\n').slice(0, -1);
  return `${entries.filter((e) => e.startsWith('FAIL: ')).length}\n${entries.length}`;
}

describe.each(IMPLS)('%s server: as the course reference answers and logs', (impl) => {
  // one server with a log and one without serve the tests that read only what they add to the log
  let logged: TestServer;
  let unlogged: TestServer;
  let seen = 0;
  beforeAll(async () => {
    [logged, unlogged] = await Promise.all([startTestServer({ impl, args: ['-N', '4'] }), startTestServer({ impl, log: false })]);
  });
  afterAll(async () => {
    await Promise.all([logged.stop(), unlogged.stop()]);
  });
  /** what the logged server's log gained since the last call */
  const newEntries = () => {
    const log = readFileSync(logged.logPath, 'latin1');
    const fresh = log.slice(seen);
    seen = log.length;
    return fresh;
  };

  describe('GET /healthcheck with a log', () => {
    it('answers <failed>\\n<total> with no final newline, counted before its own entry, which is logged like a GET', async () => {
      server = await startTestServer({ impl });
      const firstAnswer = 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n0\n0';
      expect(await converse(server.port, 'GET /healthcheck HTTP/1.1\r\n\r\n', firstAnswer)).toEqual({ data: firstAnswer, closedByServer: false });
      const secondAnswer = 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n0\n1';
      expect(await converse(server.port, 'GET /healthcheck HTTP/1.1\r\n\r\n', secondAnswer)).toEqual({ data: secondAnswer, closedByServer: false });
      expect(readFileSync(server.logPath, 'latin1')).toBe(
        'GET /healthcheck length 3\n00000000 30 0a 30\n========\n' + 'GET /healthcheck length 3\n00000000 30 0a 31\n========\n',
      );
    });

    it('counts failures and its own earlier entries; keep-alive and Connection: close work as for any GET', async () => {
      server = await startTestServer({ impl });
      await request(server.port, 'GET', '/absent');
      await request(server.port, 'PUT', '/x', 'hello');
      const answers = 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n1\n2' + 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\n1\n3';
      const payload = 'GET /healthcheck HTTP/1.1\r\n\r\nGET /healthcheck HTTP/1.1\r\nConnection: close\r\n\r\n';
      expect(await converse(server.port, payload, answers)).toEqual({ data: answers, closedByServer: true });
      expect(readFileSync(server.logPath, 'latin1')).toBe(
        expectedFailEntry('GET /absent HTTP/1.1', 404) +
          expectedFullEntry('PUT', 'x', Buffer.from('hello')) +
          expectedFullEntry('GET', 'healthcheck', Buffer.from('1\n2')) +
          expectedFullEntry('GET', 'healthcheck', Buffer.from('1\n3')),
      );
    });
  });

  describe.each([true, false])('HEAD and PUT /healthcheck (log %s)', (log) => {
    it('answer 403 with no body, and no file named healthcheck is created', async () => {
      const s = log ? logged : unlogged;
      if (log) newEntries();
      const forbidden = empty('403 Forbidden');
      expect(await converse(s.port, 'HEAD /healthcheck HTTP/1.1\r\n\r\n', forbidden)).toEqual({ data: forbidden, closedByServer: false });
      // a PUT's body is not read: the stream cannot be framed after it, so the server closes
      const put = 'PUT /healthcheck HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello';
      expect(await converse(s.port, put, forbidden)).toEqual({ data: forbidden, closedByServer: true });
      expect(existsSync(join(s.dir, 'healthcheck'))).toBe(false);
      if (log) expect(newEntries()).toBe(expectedFailEntry('HEAD /healthcheck HTTP/1.1', 403) + expectedFailEntry('PUT /healthcheck HTTP/1.1', 403));
    });
  });

  it('GET /healthcheck without a log answers 404 with no body, even when a file of that name exists', async () => {
    writeFileSync(join(unlogged.dir, 'healthcheck'), 'a file');
    const notFound = empty('404 Not Found');
    expect(await converse(unlogged.port, 'GET /healthcheck HTTP/1.1\r\n\r\n', notFound)).toEqual({ data: notFound, closedByServer: false });
  });

  describe('answers without content', () => {
    it('201 is the status line and Content-Length: 0, nothing else, also when the connection closes after it', async () => {
      const created = empty('201 Created');
      expect(await converse(logged.port, 'PUT /new HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc', created)).toEqual({ data: created, closedByServer: false });
      const closing = 'PUT /new2 HTTP/1.1\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc';
      expect(await converse(logged.port, closing, created)).toEqual({ data: created, closedByServer: true });
    });

    it.each(['GET', 'HEAD'])('%s of a missing file: 404, no body, the connection stays open for the next request', async (method) => {
      writeFileSync(join(logged.dir, 'there'), 'yes');
      const answers = empty('404 Not Found') + 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nyes';
      const payload = `${method} /missing HTTP/1.1\r\n\r\nGET /there HTTP/1.1\r\n\r\n`;
      expect(await converse(logged.port, payload, answers)).toEqual({ data: answers, closedByServer: false });
    });

    it('403 for a directory, no body, the connection stays open', async () => {
      mkdirSync(join(logged.dir, 'adir'));
      const answers = empty('403 Forbidden') + empty('403 Forbidden');
      expect(await converse(logged.port, 'GET /adir HTTP/1.1\r\n\r\nHEAD /adir HTTP/1.1\r\n\r\n', answers)).toEqual({ data: answers, closedByServer: false });
    });

    it.each([
      ['an invalid name', 'GET /a.b HTTP/1.1\r\n\r\n'],
      ['an unknown method', 'DELETE /a HTTP/1.1\r\n\r\n'],
      ['a malformed request line', 'hello\r\n\r\n'],
      ['a PUT without Content-Length', 'PUT /a HTTP/1.1\r\n\r\n'],
    ])('400 for %s: no body and no Connection header, then the server closes unasked', async (_label, payload) => {
      const badRequest = empty('400 Bad Request');
      expect(await converse(logged.port, payload + 'GET /healthcheck HTTP/1.1\r\n\r\n', badRequest)).toEqual({ data: badRequest, closedByServer: true });
    });
  });

  describe('FAIL entries', () => {
    it('carry the whole request target, however long (here 1,615 characters)', async () => {
      newEntries();
      const target = '/' + 'n'.repeat(1614);
      for (const method of ['GET', 'PUT', 'HEAD']) {
        const length = method === 'PUT' ? 'Content-Length: 0\r\n' : '';
        expect((await converse(logged.port, `${method} ${target} HTTP/1.1\r\n${length}\r\n`, empty('400 Bad Request'))).data).toBe(empty('400 Bad Request'));
      }
      expect(newEntries()).toBe(['GET', 'PUT', 'HEAD'].map((m) => expectedFailEntry(`${m} ${target} HTTP/1.1`, 400)).join(''));
    });

    it('carry the version as received', async () => {
      newEntries();
      expect((await converse(logged.port, 'GET /alpha HTTP/1.0\r\n\r\n', empty('400 Bad Request'))).data).toBe(empty('400 Bad Request'));
      expect(newEntries()).toBe(expectedFailEntry('GET /alpha HTTP/1.0', 400));
    });

    it('show a request line longer than the 8 KiB head limit as far as it fits the limit', async () => {
      newEntries();
      const line = `GET /${'z'.repeat(9000)} HTTP/1.1`;
      const badRequest = empty('400 Bad Request');
      expect(await converse(logged.port, `${line}\r\n\r\n`, badRequest)).toEqual({ data: badRequest, closedByServer: true });
      expect(newEntries()).toBe(expectedFailEntry(line.slice(0, 8192), 400));
    });
  });

  describe.each([0, 500, 70_000, 1_000_000])('a PUT whose client leaves after %i body bytes', (sent) => {
    it('keeps the old content and writes exactly one FAIL entry, which the healthcheck counts', async () => {
      const name = `keep${sent}`;
      expect((await request(logged.port, 'PUT', `/${name}`, 'old content')).status).toBe(201);
      newEntries();

      const socket = await openSocket(logged.port);
      socket.on('error', () => {});
      const closed = new Promise((r) => socket.on('close', r));
      socket.write(`PUT /${name} HTTP/1.1\r\nContent-Length: ${sent + 100_000}\r\n\r\n`);
      if (sent > 0) socket.write(Buffer.alloc(sent, 0x6e));
      // all the bytes, then the client's FIN: the server sees a body that can never be completed
      socket.end();
      await closed;

      const failEntry = expectedFailEntry(`PUT /${name} HTTP/1.1`, 400);
      const log = await logWhen(logged.logPath, `the aborted PUT's entry ${JSON.stringify(failEntry)}`, (l) => l.length >= seen + failEntry.length);
      expect(newEntries()).toBe(failEntry);
      const counts = countsOf(log);
      expect((await request(logged.port, 'GET', '/healthcheck')).body.toString()).toBe(counts);
      const later = countsOf(readFileSync(logged.logPath, 'latin1'));
      expect((await request(logged.port, 'GET', '/healthcheck')).body.toString()).toBe(later);
      // nothing else came: only the two healthchecks' own entries
      expect(newEntries()).toBe(expectedFullEntry('GET', 'healthcheck', Buffer.from(counts)) + expectedFullEntry('GET', 'healthcheck', Buffer.from(later)));
      expect(readFileSync(join(logged.dir, name), 'latin1')).toBe('old content');
      expect(readdirSync(logged.dir).filter((f) => f.startsWith('.'))).toEqual([]);
    });
  });
});
