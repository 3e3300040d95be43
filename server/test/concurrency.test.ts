import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { makeClient } from './http-client.js';
import { startTestServer, type ServerImpl, type TestServer } from './harness.js';

const CLIENTS = 16;
const NAMES = ['hot0', 'hot1', 'hot2'];
const DURATION_MS = 2500;
/**
 * The C server answers about three times as many requests in a window; with a shorter one its log,
 * which the test parses whole, is about the size of the reference server's.
 */
const C_DURATION_MS = 1000;
/** and at least this many requests per client, however slow the machine: a window alone is no count */
const MIN_PER_CLIENT = 5;

const sha = (b: Buffer) => createHash('sha1').update(b).digest('hex');

/** A body unique to (client, seq), 512 B to 8 KiB. */
function bodyFor(client: number, seq: number): Buffer {
  const size = 512 + ((client * 7919 + seq * 104_729) % (7.5 * 1024));
  const b = Buffer.alloc(size);
  const tag = `c${client}-s${seq}|`;
  for (let i = 0; i < size; i++) b[i] = tag.charCodeAt(i % tag.length);
  return b;
}

interface LogEntry {
  method: string;
  name: string;
  content: Buffer | null;
  failed: boolean;
}

/** Parses a full-mode log strictly; throws on anything that is not a whole entry. */
function parseFullLog(text: string): LogEntry[] {
  const entries: LogEntry[] = [];
  const lines = text.split('\n');
  if (lines.pop() !== '') throw new Error('log does not end with a newline');
  for (let i = 0; i < lines.length; ) {
    const header = lines[i++]!;
    if (header.startsWith('FAIL: ')) {
      if (lines[i++] !== '========') throw new Error(`FAIL entry not terminated at line ${i}`);
      entries.push({ method: '', name: '', content: null, failed: true });
      continue;
    }
    const m = /^(GET|PUT|HEAD) \/(\S+) length (\d+)$/.exec(header);
    if (!m) throw new Error(`bad entry header at line ${i}: ${header.slice(0, 80)}`);
    const length = Number(m[3]);
    const pieces: Buffer[] = [];
    if (m[1] !== 'HEAD') {
      for (let have = 0; have < length; ) {
        const line = lines[i++] ?? '';
        const space = line.indexOf(' ');
        if (space < 8 || Number(line.slice(0, space)) !== have) throw new Error(`bad offset at line ${i}: ${line.slice(0, 40)}`);
        const hex = line.slice(space);
        if (!/^( [0-9a-f]{2}){1,20}$/.test(hex)) throw new Error(`bad hex at line ${i}`);
        const piece = Buffer.from(hex.replaceAll(' ', ''), 'hex');
        pieces.push(piece);
        have += piece.length;
      }
    }
    if (lines[i++] !== '========') throw new Error(`entry not terminated at line ${i}`);
    entries.push({ method: m[1]!, name: m[2]!, content: m[1] === 'HEAD' ? null : Buffer.concat(pieces), failed: false });
  }
  return entries;
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe.each<[string, ServerImpl, string[]]>([
  ...[
    ['file', 'reserved'],
    ['file', 'locked'],
    ['global', 'reserved'],
    ['global', 'locked'],
  ].map(([lock, logWrite]): [string, ServerImpl, string[]] => [`--lock ${lock} --log-write ${logWrite}`, 'reference', ['--lock', lock!, '--log-write', logWrite!]]),
  // the C server has no --log-write: it writes at reserved offsets under --lock file, inside the global lock under --lock global
  ...['file', 'global'].map((lock): [string, ServerImpl, string[]] => [`C server --lock ${lock}`, 'c', ['--lock', lock]]),
])('%s', (_label, impl, options) => {
  it(`${CLIENTS} clients mixing PUT and GET on ${NAMES.length} names: no torn reads, one whole log entry per request`, async () => {
    server = await startTestServer({ impl, args: ['-N', '8', ...options] });
    const everPut = new Map<string, Set<string>>(NAMES.map((n) => [n, new Set()]));
    const seed = makeClient(server.port);
    for (const name of NAMES) {
      const body = bodyFor(99, NAMES.indexOf(name));
      everPut.get(name)!.add(sha(body));
      expect((await seed.send('PUT', `/${name}`, body)).status).toBe(201);
    }
    seed.close();

    let requests = NAMES.length;
    const torn: string[] = [];
    const statuses = new Map<number, number>();
    const deadline = Date.now() + (impl === 'c' ? C_DURATION_MS : DURATION_MS);
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        const c = makeClient(server!.port);
        for (let seq = 0; Date.now() < deadline || seq < MIN_PER_CLIENT; seq++) {
          const name = NAMES[(client + seq) % NAMES.length]!;
          let status: number;
          if ((client + seq) % 2 === 0) {
            const body = bodyFor(client, seq);
            everPut.get(name)!.add(sha(body)); // before sending: a GET may see it as soon as it lands
            status = (await c.send('PUT', `/${name}`, body)).status;
          } else {
            const r = await c.send('GET', `/${name}`);
            status = r.status;
            if (!everPut.get(name)!.has(sha(r.body))) torn.push(`${name}: ${r.body.subarray(0, 24).toString()}`);
          }
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          requests++;
        }
        c.close();
      }),
    );
    expect(torn).toEqual([]);
    expect([...statuses.keys()].sort()).toEqual([200]);
    expect(requests).toBeGreaterThanOrEqual(NAMES.length + CLIENTS * MIN_PER_CLIENT);

    const entries = parseFullLog(readFileSync(server.logPath, 'latin1'));
    expect(entries.length).toBe(requests);
    expect(entries.filter((e) => e.failed)).toEqual([]);
    for (const e of entries) expect(everPut.get(e.name)!.has(sha(e.content!)), `${e.method} /${e.name}`).toBe(true);
  });
});
