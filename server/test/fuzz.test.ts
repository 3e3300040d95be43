// The server under hostile input: at least 100,000 generated and mutated requests over many
// pipelined keep-alive connections, written at random byte boundaries. The server must answer each
// request it can frame with a valid response (or close the connection after a 400/403), never die,
// and never touch anything outside its data directory.
// Why its time: the volume is the claim (at least 100,000 requests: a count, so a busy machine
// makes it longer, never weaker).
//
// Each fast-check run is a batch of concurrent connections. A connection sends a strict prefix of
// well-framed requests whose answers are predicted one by one, then optionally a hostile tail
// (binary garbage, token soup, malformed requests, byte-level mutations of valid requests) whose
// answers are only checked for validity, since nothing can say how the server should frame it.
//
// Replay: SPEEDLAB_FUZZ_SEED=<seed> (and SPEEDLAB_FUZZ_PATH=<path> to jump to a counterexample).
import fc from 'fast-check';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMPLS, startTestServer, type TestServer } from './harness.js';
import { ProtocolViolation, ResponseReader, snapshotTree, timedRequest, VALID_TARGET, type ParsedResponse } from './hostile.js';

const TARGET_REQUESTS = 100_000;
const C_TARGET_REQUESTS = 30_000;
/**
 * A batch sends about 340 requests on average, so these runs can send some 135,000: once
 * TARGET_REQUESTS are sent, the remaining runs are skipped (not when replaying a path).
 */
const NUM_RUNS = 400;
const SERVER_TIMEOUT_S = 1;
/** a connection the server neither answers nor closes for this long is hung */
const CONNECTION_DEADLINE_MS = 20_000;
/** how long a batch waits for a connection with a hostile tail to close before leaving it to settle in the background */
const LINGER_MS = 300;
const MAX_LINGERING = 24;
/** bounds the whole property, shrinking included; the request count check catches a cut-short run */
const TIME_LIMIT_MS = 240_000;

const VALID_METHODS = new Set(['GET', 'PUT', 'HEAD']);
const SHARED = Array.from({ length: 12 }, (_, i) => `s${i}`);
const SEEDED = ['seed0', 'seed1', 'seed2', 'seed3'];
const FILE_LINK = 'lnk';
const DIR_LINK = 'dlnk';

// ---------------------------------------------------------------------------------------------
// Generated values. Everything random comes from fast-check; bodies and write splits are expanded
// from generated seeds with a small PRNG so that large byte arrays shrink and print compactly.

type Target = { t: 'shared'; i: number } | { t: 'private'; i: number } | { t: 'literal'; s: string };

/** A well-framed request: its head always parses, its body length always matches. */
interface Item {
  method: string;
  target: Target;
  headers: string[];
  /** Content-Length spelling and optional whitespace around the value */
  clName: string;
  clPad: string;
  clAt: number;
  bodyLen: number;
  bodySeed: number;
}

type Piece =
  | { t: 'bytes'; b: Uint8Array }
  | { t: 'soup'; parts: string[] }
  | {
      t: 'req';
      method: string;
      target: string;
      version: string;
      headers: string[];
      cl: { mode: 'exact' | 'none' | 'raw'; raw: string };
      bodyLen: number;
      /** body bytes sent minus bodyLen: a short body stalls the request until the server's timeout */
      bodyDelta: number;
      bodySeed: number;
    }
  | { t: 'items'; items: Item[] };

interface Mutation {
  op: 'flip' | 'insert' | 'delete' | 'dup' | 'truncate' | 'crlf' | 'digit';
  at: number;
  len: number;
  bytes: Uint8Array;
}

interface Tail {
  pieces: Piece[];
  mutations: Mutation[];
  /**
   * End with PAD bytes of CRLFs, which complete most bodies a mutation left short (then read as an
   * empty request line: 400). Without it such a request holds a worker until the server's timeout,
   * and a batch with many of them holds every worker: that path is covered, but rarely.
   */
  pad: boolean;
}

type Finish = 'halfclose' | 'keep' | 'close-header' | 'abort';

interface Conn {
  /** requests with a valid method and name */
  prefix: Item[];
  /** a last well-framed request to be refused with 400 */
  refused: Item | null;
  tail: Tail | null;
  finish: Finish;
  split: { mode: 'whole' | 'random' | 'tiny'; seed: number };
  /** for 'abort': the percentage of the write chunks sent before the client vanishes */
  abortAt: number;
}

function xorshift(seed: number): () => number {
  let x = seed | 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

function bodyBytes(len: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(len);
  const next = xorshift(seed);
  let i = 0;
  for (; i + 4 <= len; i += 4) b.writeUInt32LE(next(), i);
  for (; i < len; i++) b[i] = next() & 0xff;
  return b;
}

function latin1(chars: string): fc.Arbitrary<string> {
  return fc.constantFrom(...chars.split(''));
}

function buildArbitraries(outside: { abs: string[] }) {
  const anyMethodToken = fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,12}$/);
  // never space, CR or LF, so the request line still splits into three parts and the head parses
  const invalidMethod = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('POST', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE', 'CONNECT', 'get', 'put', 'Head', 'GETT', 'PU', 'HEADER') },
    { weight: 1, arbitrary: anyMethodToken },
    { weight: 1, arbitrary: fc.string({ unit: latin1('\0\x01\x7f\xff\t"(),/:;<=>?@[\\]{}GETPU'), minLength: 1, maxLength: 8 }) },
  ).filter((m) => !VALID_METHODS.has(m));
  const validMethod = fc.constantFrom('GET', 'PUT', 'HEAD');

  const traversal = [
    '/..', '/../', '/.', '/./', '/../canary', '/../../canary', '/../../../canary', '/./canary', '/.../canary',
    '/%2e%2e/canary', '/%2E%2E%2Fcanary', '/..%2fcanary', '/%2e%2e%2f%2e%2e%2fcanary', '/..%00/canary', '/%00',
    '/..\\canary', '/..;/canary', '/..//canary', '//../canary', '/../data-evil/x', '/../data-evil/planted',
    '/../sibling/secret', '/../sibling/planted', `/${DIR_LINK}/secret`, `/${DIR_LINK}/planted`, `/${DIR_LINK}/../canary`,
    `/${FILE_LINK}/`, `/${FILE_LINK}/..`, '/seed0/', '/seed0/..', '/seed0/../../canary', '/~', '/~root',
    '/etc/passwd', '/proc/self/environ', '/dev/null', '/dev/zero', '/data', '/.speedlab-tmp-1-1', '/.hidden',
    '/healthcheck/..', '/canary\0', '/a\0/../canary', '/\0', '/seed0\0', '/seed0\0.txt', '/s0\0../../canary',
    '*', 'seed0', 'canary', '../canary', 'http://127.0.0.1/seed0', 'http://127.0.0.1/../canary', '/seed0?x=1',
    '/seed0#f', '/seed0;x', '/s\xe9ed0', '/\xc3\xa9', '/\xff\xfe', '/CON', '/nul', '/seed0\t', '/%73eed0', '/seed0%2f',
    ...outside.abs,
  ];
  const randomTarget = fc.string({ unit: latin1('aZ09_-./%\\\0~?#:;@!$&\'()*+,=\xe9\xff\x7f\x01\t'), maxLength: 40 }).map((s) => '/' + s);
  const longTarget = fc.constantFrom(27, 28, 29, 64, 255, 256, 1024, 4000).map((n) => '/' + 'a'.repeat(n));
  const literalTarget = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...traversal) },
    { weight: 3, arbitrary: fc.stringMatching(/^\/[A-Za-z0-9_-]{1,27}$/) },
    { weight: 3, arbitrary: randomTarget },
    { weight: 1, arbitrary: longTarget },
    { weight: 1, arbitrary: fc.constantFrom('/healthcheck', `/${FILE_LINK}`, `/${DIR_LINK}`, '/seed0', '/seed3') },
  );
  // the symlinks and the healthcheck are rare: a PUT or body-carrying HEAD there may close the connection
  const validTarget: fc.Arbitrary<Target> = fc.oneof(
    { weight: 40, arbitrary: fc.nat(SHARED.length + SEEDED.length - 1).map((i) => ({ t: 'shared' as const, i })) },
    { weight: 30, arbitrary: fc.nat(3).map((i) => ({ t: 'private' as const, i })) },
    { weight: 10, arbitrary: fc.oneof(fc.stringMatching(/^\/[A-Za-z0-9_-]{1,27}$/), fc.constant('/' + 'z'.repeat(27))).map((s) => ({ t: 'literal' as const, s })) },
    { weight: 1, arbitrary: fc.constantFrom('/healthcheck', `/${FILE_LINK}`, `/${DIR_LINK}`).map((s) => ({ t: 'literal' as const, s })) },
  );
  const invalidTarget: fc.Arbitrary<Target> = fc
    .oneof({ weight: 6, arbitrary: fc.constantFrom(...traversal) }, { weight: 3, arbitrary: randomTarget }, { weight: 1, arbitrary: longTarget })
    .filter((s) => !VALID_TARGET.test(s))
    .map((s) => ({ t: 'literal' as const, s }));

  const benignHeaders = fc.subarray([
    'Host: 127.0.0.1',
    'User-Agent: speedlab-fuzz/1',
    'Accept: */*',
    'Accept-Encoding: gzip, deflate',
    'X-Request-Id: 7f3a-11',
    'Connection: keep-alive',
    'X-Empty:',
    'X-Padded:    spaced out   ',
    'Cache-Control: no-cache',
    'x-lower: case',
    'X-Obs-Text: \xe9t\xe9 \xff',
  ]);
  const bodyLen = fc.oneof(
    { weight: 10, arbitrary: fc.constant(0) },
    { weight: 50, arbitrary: fc.integer({ min: 1, max: 64 }) },
    { weight: 20, arbitrary: fc.integer({ min: 65, max: 4096 }) },
    // across the main thread's 64 KiB body chunks and the worker's 256 KiB read chunks
    { weight: 1, arbitrary: fc.integer({ min: 60_000, max: 300_000 }) },
  );
  const makeItem = (method: fc.Arbitrary<string>, target: fc.Arbitrary<Target>): fc.Arbitrary<Item> =>
    fc
      .record({
        method,
        target,
        headers: benignHeaders,
        clName: fc.constantFrom('Content-Length', 'content-length', 'CONTENT-LENGTH', 'Content-length'),
        clPad: fc.constantFrom(' ', '', '   ', '\t'),
        clAt: fc.nat(12),
        bodyLen,
        bodySeed: fc.integer(),
        // GET/HEAD carry a body (framed by Content-Length, skipped by the server) only sometimes
        getBody: fc.boolean(),
      })
      .map(({ getBody, ...it }) => (it.method === 'PUT' ? it : { ...it, bodyLen: getBody ? Math.min(it.bodyLen, 100) : -1 }));
  const item = makeItem(validMethod, validTarget);
  /** a well-framed request that must be answered 400: a bad method, a bad name, or both */
  const invalidItem = fc.oneof(
    makeItem(invalidMethod, fc.oneof(validTarget, invalidTarget)),
    makeItem(validMethod, invalidTarget),
  );

  const hostileTarget = fc.oneof(
    literalTarget,
    fc.constantFrom('', ' ', '/a b', '/seed0 HTTP/1.1', '/seed0\r\n', '/seed0\r\n\r\n', '/\n', '/seed0\rX', '/' + 'b'.repeat(9000)),
    fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('latin1')),
  );
  const hostileHeader = fc.oneof(
    fc.constantFrom(
      'Transfer-Encoding: chunked', 'Transfer-Encoding: identity', 'Bogus', ': no-name', 'Space Name: x', 'Name : x',
      ' folded: continuation', '\tfolded', 'Connection: close', 'Connection: keep-alive, close', 'Connection: Upgrade',
      'Upgrade: h2c', 'Expect: 100-continue', 'Host:', 'Host: a\0b', 'X-Nul: \0', 'Content-Length: 0', 'X-' + 'h'.repeat(9000),
    ),
    fc.constantFrom(10, 100, 400).map((n) => Array.from({ length: n }, (_, i) => `X-Many-${i}: v`).join('\r\n')),
    fc.uint8Array({ maxLength: 30 }).map((b) => Buffer.from(b).toString('latin1')),
    fc.tuple(anyMethodToken, fc.string({ unit: latin1('ab09 \t\0\x7f\xff:;,"'), maxLength: 20 })).map(([k, v]) => `${k}: ${v}`),
  );
  const rawContentLength = fc.constantFrom(
    '-1', '+5', ' 12 ', '0x10', '1e2', '5.0', '5,5', '', 'abc', '\x005', '00000000000000000007', '999999999999999',
    '9999999999999999', '18446744073709551617', '1 2', '٣',
  );
  const piece: fc.Arbitrary<Piece> = fc.oneof(
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 256 }).map((b) => ({ t: 'bytes' as const, b })) },
    {
      weight: 2,
      arbitrary: fc
        .array(
          fc.constantFrom(
            'GET', 'PUT', 'HEAD', 'POST', ' ', '  ', '/', '/s0', '/../', '/seed0', '\r\n', '\r\n\r\n', '\n', '\r', '\n\n',
            'HTTP/1.1', 'HTTP/1.0', 'HTTP/2', 'Content-Length:', 'Content-Length: 3', 'Connection: close', ':', '0', '7', '12',
            '\0', '\xff', '%2e', '\t', 'abc',
          ),
          { maxLength: 40 },
        )
        .map((parts) => ({ t: 'soup' as const, parts })),
    },
    {
      weight: 4,
      arbitrary: fc.record({
        t: fc.constant('req' as const),
        method: fc.oneof(validMethod, invalidMethod, fc.constantFrom('', ' GET', 'GET ', 'G ET', 'GET\r\n')),
        target: hostileTarget,
        version: fc.constantFrom('HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2', 'HTTP/1.1 ', 'http/1.1', 'HTTP/1.10', 'HTTP/01.1', '', 'HTTP/1.1\0'),
        headers: fc.array(fc.oneof(hostileHeader, benignHeaders.map((h) => h[0] ?? 'Accept: */*')), { maxLength: 5 }),
        cl: fc.record({ mode: fc.constantFrom('exact', 'exact', 'none', 'raw'), raw: rawContentLength }),
        bodyLen: fc.integer({ min: 0, max: 200 }),
        bodyDelta: fc.oneof({ weight: 12, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -3, max: 3 }) }),
        bodySeed: fc.integer(),
      }),
    },
    { weight: 3, arbitrary: fc.array(fc.oneof(item, invalidItem), { minLength: 1, maxLength: 4 }).map((items) => ({ t: 'items' as const, items })) },
  );
  const mutation: fc.Arbitrary<Mutation> = fc.record({
    op: fc.constantFrom('flip', 'flip', 'insert', 'delete', 'dup', 'crlf', 'digit', 'truncate'),
    at: fc.nat(),
    len: fc.integer({ min: 1, max: 64 }),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  });
  const tail: fc.Arbitrary<Tail> = fc.record({
    pieces: fc.array(piece, { minLength: 1, maxLength: 4 }),
    mutations: fc.array(mutation, { maxLength: 6 }),
    pad: fc.oneof({ weight: 6, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  });
  const conn: fc.Arbitrary<Conn> = fc.record({
    prefix: fc.array(item, { maxLength: 64, size: 'max' }),
    // the server may close after a 400, so a request it must refuse only ends a prefix
    refused: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: invalidItem }),
    tail: fc.option(tail, { freq: 2 }),
    finish: fc.constantFrom<Finish>('halfclose', 'halfclose', 'keep', 'keep', 'close-header', 'abort'),
    split: fc.record({ mode: fc.constantFrom('whole' as const, 'random' as const, 'random' as const, 'tiny' as const), seed: fc.integer() }),
    abortAt: fc.integer({ min: 1, max: 99 }),
  });
  return { run: fc.array(conn, { minLength: 1, maxLength: 24, size: 'max' }) };
}

// ---------------------------------------------------------------------------------------------
// Turning generated values into bytes.

interface Resolved {
  item: Item;
  target: string;
  /** a private name tracked exactly by this connection, else null */
  privateName: string | null;
  closeRequested: boolean;
  body: Buffer | null;
}

/**
 * `isolated`: requests in a hostile tail or on a connection that will vanish mid-stream use names of
 * their own, so that one whose body never comes (holding its file's lock until the server's
 * timeout) does not hold up the connections whose answers are predicted.
 */
function resolveTarget(t: Target, privatePrefix: string, isolated: boolean): { target: string; privateName: string | null } {
  if (t.t === 'literal') return { target: t.s, privateName: null };
  if (t.t === 'private') return { target: `/${privatePrefix}${isolated ? 't' : ''}${t.i}`, privateName: `${privatePrefix}${t.i}` };
  if (isolated) return { target: `/t${t.i}`, privateName: null };
  const name = t.i < SHARED.length ? SHARED[t.i]! : SEEDED[t.i - SHARED.length]!;
  return { target: `/${name}`, privateName: null };
}

function serializeItem(item: Item, privatePrefix: string, closeRequested: boolean, isolated: boolean): { bytes: Buffer; resolved: Resolved } {
  const { target, privateName } = resolveTarget(item.target, privatePrefix, isolated);
  const headers = [...item.headers];
  const body = item.bodyLen >= 0 ? bodyBytes(item.bodyLen, item.bodySeed) : null;
  if (body) headers.splice(item.clAt % (headers.length + 1), 0, `${item.clName}:${item.clPad}${body.length}${item.clPad}`);
  if (closeRequested) headers.push('Connection: close');
  const head = `${item.method} ${target} HTTP/1.1\r\n${headers.map((h) => h + '\r\n').join('')}\r\n`;
  const bytes = body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : Buffer.from(head, 'latin1');
  return { bytes, resolved: { item, target, privateName, closeRequested, body } };
}

function serializePiece(p: Piece, privatePrefix: string): Buffer {
  switch (p.t) {
    case 'bytes':
      return Buffer.from(p.b);
    case 'soup':
      return Buffer.from(p.parts.join(''), 'latin1');
    case 'items':
      return Buffer.concat(p.items.map((it) => serializeItem(it, privatePrefix, false, true).bytes));
    case 'req': {
      const headers = [...p.headers];
      if (p.cl.mode === 'exact') headers.push(`Content-Length: ${p.bodyLen}`);
      if (p.cl.mode === 'raw') headers.push(`Content-Length: ${p.cl.raw}`);
      const head = `${p.method} ${p.target} ${p.version}\r\n${headers.map((h) => h + '\r\n').join('')}\r\n`;
      return Buffer.concat([Buffer.from(head, 'latin1'), bodyBytes(Math.max(0, p.bodyLen + p.bodyDelta), p.bodySeed)]);
    }
  }
}

function mutate(data: Buffer, mutations: Mutation[]): Buffer {
  let b = data;
  for (const m of mutations) {
    const at = m.at % (b.length + 1);
    switch (m.op) {
      case 'flip':
        if (at < b.length) {
          b = Buffer.from(b);
          b[at] = b[at]! ^ (m.bytes[0]! || 0x20);
        }
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.len)]);
        break;
      case 'dup':
        b = Buffer.concat([b.subarray(0, at + m.len), b.subarray(at, at + m.len), b.subarray(at + m.len)]);
        break;
      case 'crlf':
        b = Buffer.concat([b.subarray(0, at), Buffer.from(m.len % 2 ? '\r\n' : '\r\n\r\n'), b.subarray(at)]);
        break;
      case 'digit':
        if (at < b.length) {
          b = Buffer.from(b);
          b[at] = 0x30 + (m.bytes[0]! % 10);
        }
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
    }
  }
  return b;
}

/**
 * The tail's responses are only checked for validity, so they must be framed without knowing the
 * requests: no tail request may be a HEAD (whose answer has no body despite its Content-Length).
 */
function withoutHead(b: Buffer): Buffer {
  const s = b.toString('latin1');
  return s.includes('HEAD') ? Buffer.from(s.replaceAll('HEAD', 'HEAd'), 'latin1') : b;
}

const PAD = Buffer.from('\r\n'.repeat(32 * 1024), 'latin1');

function tailRequestCount(tail: Tail): number {
  return tail.pieces.reduce((n, p) => n + (p.t === 'items' ? p.items.length : 1), 0);
}

/** Write sizes: one write, random sizes (at most about 200 writes), or 1–3 bytes at a time for short streams. */
function chunkSizes(total: number, split: Conn['split']): number[] {
  if (total === 0) return [];
  const mode = split.mode === 'tiny' && total > 1200 ? 'random' : split.mode;
  if (mode === 'whole') return [total];
  const next = xorshift(split.seed);
  const max = mode === 'tiny' ? 3 : Math.max(1 + (next() % 4096), Math.ceil(total / 100));
  const sizes: number[] = [];
  for (let left = total; left > 0; ) {
    const n = Math.min(left, 1 + (next() % max));
    sizes.push(n);
    left -= n;
  }
  return sizes;
}

interface Plan {
  conn: Conn;
  finish: Finish;
  stream: Buffer;
  prefix: Resolved[];
  /** byte offset where each prefix item ends, then where the tail ends */
  ends: number[];
  tailStart: number;
  tailCount: number;
  chunks: number[];
}

function plan(conn: Conn, privatePrefix: string): Plan {
  // keep-alive without an end and a client-requested close only make sense with a predictable stream
  const finish: Finish = conn.tail && (conn.finish === 'keep' || conn.finish === 'close-header') ? 'halfclose' : conn.finish;
  const parts: Buffer[] = [];
  const prefix: Resolved[] = [];
  const ends: number[] = [];
  let offset = 0;
  const items = conn.refused ? [...conn.prefix, conn.refused] : conn.prefix;
  items.forEach((item, i) => {
    const close = finish === 'close-header' && i === items.length - 1;
    const { bytes, resolved } = serializeItem(item, privatePrefix, close, finish === 'abort');
    parts.push(bytes);
    prefix.push(resolved);
    offset += bytes.length;
    ends.push(offset);
  });
  const tailStart = offset;
  if (conn.tail) {
    const raw = Buffer.concat(conn.tail.pieces.map((p) => serializePiece(p, privatePrefix)));
    const tail = Buffer.concat([withoutHead(mutate(raw, conn.tail.mutations)), conn.tail.pad ? PAD : Buffer.alloc(0)]);
    parts.push(tail);
    offset += tail.length;
  }
  const stream = Buffer.concat(parts);
  return {
    conn,
    finish,
    stream,
    prefix,
    ends,
    tailStart,
    tailCount: conn.tail ? tailRequestCount(conn.tail) : 0,
    chunks: chunkSizes(stream.length, conn.split),
  };
}

// ---------------------------------------------------------------------------------------------
// Driving one connection.

interface Outcome {
  data: Buffer;
  /** the server sent FIN */
  ended: boolean;
  error: string | null;
  hung: boolean;
  aborted: boolean;
  /** bytes handed to the socket before the server closed its side */
  written: number;
}

/**
 * Writes the connection's stream and waits for the server to answer and close. A connection with a
 * hostile tail that is still open shortly after the client finished is most likely a request whose
 * body never came, which the server holds until its timeout: it is left to settle in the background
 * (`pending`) so that one stalled request does not hold up the whole batch.
 */
async function drive(port: number, p: Plan): Promise<{ outcome: Outcome } | { pending: Promise<Outcome> }> {
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  const received: Buffer[] = [];
  let ended = false;
  let error: string | null = null;
  let closed = false;
  const closedP = new Promise<void>((r) => socket.once('close', () => ((closed = true), r())));
  socket.on('end', () => (ended = true));
  socket.on('error', (err: NodeJS.ErrnoException) => (error ??= err.code ?? err.message));

  // 'keep' never half-closes: it waits until every prefix request is answered (or the server closes)
  const counter = p.finish === 'keep' ? new ResponseReader() : null;
  let answered!: () => void;
  const allAnswered = new Promise<void>((r) => (answered = r));
  if (counter && p.prefix.length === 0) answered();
  socket.on('data', (d: Buffer) => {
    received.push(d);
    if (!counter) return;
    counter.push(d);
    try {
      while (counter.count < p.prefix.length && counter.next(p.prefix[counter.count]!.item.method === 'HEAD'));
    } catch {
      return answered(); // validated below
    }
    if (counter.count >= p.prefix.length) answered();
  });

  await new Promise<void>((resolve) => {
    socket.once('connect', resolve);
    socket.once('error', resolve);
  });
  let written = 0;
  let aborted = false;
  const abortChunk = p.finish === 'abort' ? Math.floor((p.conn.abortAt / 100) * p.chunks.length) : -1;
  for (let i = 0; i < p.chunks.length && !closed && !ended && error === null; i++) {
    if (i === abortChunk) {
      aborted = true;
      break;
    }
    const n = p.chunks[i]!;
    const ok = socket.write(p.stream.subarray(written, written + n));
    written += n;
    if (!ok) await Promise.race([new Promise((r) => socket.once('drain', r)), closedP]);
    else if (p.chunks.length > 1) await new Promise((r) => setImmediate(r));
  }
  if (aborted) {
    // give the server a moment to have read the partial request before the client vanishes
    await new Promise((r) => setTimeout(r, 2));
    socket.destroy();
  } else if (p.finish !== 'keep' && !closed) socket.end();

  const finished = p.finish === 'keep' ? Promise.race([allAnswered, closedP]) : closedP;
  const settle = async (): Promise<Outcome> => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'hung'>((r) => (timer = setTimeout(() => r('hung'), CONNECTION_DEADLINE_MS)));
    const hung = (await Promise.race([finished, deadline])) === 'hung';
    clearTimeout(timer);
    socket.destroy();
    return { data: Buffer.concat(received), ended, error, hung, aborted, written };
  };
  if (p.conn.tail && p.finish === 'halfclose' && !closed) {
    const quick = await Promise.race([finished.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), LINGER_MS))]);
    if (!quick) return { pending: settle() };
  }
  return { outcome: await settle() };
}

// ---------------------------------------------------------------------------------------------
// Checking what came back.

function describeItem(r: Resolved): string {
  return `${r.item.method} ${JSON.stringify(r.target).slice(0, 80)}${r.body ? ` body ${r.body.length}` : ''}${r.closeRequested ? ' close' : ''}`;
}

/** The statuses the protocol allows for a well-framed request, given what the connection knows. */
function expectStatus(r: Resolved, res: ParsedResponse, privateFiles: Map<string, Buffer>): void {
  const { method } = r.item;
  const fail = (why: string) => {
    throw new ProtocolViolation(`${describeItem(r)} answered ${res.status}: ${why}`);
  };
  if (!VALID_METHODS.has(method) || !VALID_TARGET.test(r.target)) {
    if (res.status !== 400) fail('expected 400 for an invalid method or name');
    return;
  }
  const name = r.target.slice(1);
  if (name === 'healthcheck') {
    if (method === 'GET') {
      if (res.status !== 200 || !/^\d+\n\d+$/.test(res.body.toString('latin1'))) fail('expected 200 with the entry counts');
    } else if (res.status !== 403) fail('expected 403 for a non-GET healthcheck');
    return;
  }
  if (name === FILE_LINK || name === DIR_LINK) {
    if (res.status !== 403) fail('expected 403 for a symlink');
    return;
  }
  if (r.privateName) {
    const have = privateFiles.get(r.privateName);
    if (method === 'PUT') {
      if (res.status !== (have ? 200 : 201)) fail(`expected ${have ? 200 : 201}`);
      privateFiles.set(r.privateName, r.body!);
    } else if (!have) {
      if (res.status !== 404) fail('expected 404 for a file never written');
    } else if (res.status !== 200 || res.contentLength !== have.length) {
      fail(`expected 200 with Content-Length ${have.length}, got Content-Length ${res.contentLength}`);
    } else if (method === 'GET' && !res.body.equals(have)) fail('GET returned other content than the PUT stored');
    return;
  }
  const ok = method === 'PUT' ? [200, 201] : SEEDED.includes(name) ? [200] : [200, 404];
  if (!ok.includes(res.status)) fail(`expected one of ${ok.join(', ')}`);
}

/** A server may close after a client error, or when the client asked it to; otherwise it must keep the connection. */
function mayClose(res: ParsedResponse, r: Resolved | null): boolean {
  return res.status === 400 || res.status === 403 || (r?.closeRequested ?? false);
}

function check(p: Plan, o: Outcome, privateFiles: Map<string, Buffer>): { responses: number; sent: number } {
  if (o.hung) throw new ProtocolViolation(`the server neither answered nor closed within ${CONNECTION_DEADLINE_MS} ms`);
  const reader = new ResponseReader();
  reader.push(o.data);
  const serverClosed = o.ended || o.error !== null;
  let last: { res: ParsedResponse; r: Resolved | null } | null = null;
  let closedEarly = false;
  for (const r of p.prefix) {
    const res = reader.next(r.item.method === 'HEAD');
    if (!res) {
      if (o.aborted) return { responses: reader.count, sent: sentCount(p, o) };
      if (reader.remaining > 0) throw new ProtocolViolation(`incomplete response to ${describeItem(r)}: ${reader.preview()}`);
      if (serverClosed && last && mayClose(last.res, last.r)) {
        closedEarly = true;
        break;
      }
      throw new ProtocolViolation(
        `no response to ${describeItem(r)} (request ${reader.count + 1} of the connection); ` +
          (serverClosed ? `the server closed after a ${last?.res.status ?? 'no'} response` : 'the connection stayed open'),
      );
    }
    expectStatus(r, res, privateFiles);
    last = { res, r };
    if (res.close) {
      if (!mayClose(res, r)) throw new ProtocolViolation(`${describeItem(r)} answered ${res.status} with Connection: close`);
      if (reader.remaining > 0) throw new ProtocolViolation(`bytes after a Connection: close response: ${reader.preview()}`);
      closedEarly = true;
      break;
    }
  }
  if (!closedEarly && p.conn.tail) {
    const heads = countOf(p.stream.subarray(p.tailStart), '\r\n\r\n');
    let tailResponses = 0;
    for (let res = reader.next(false); res; res = reader.next(false)) {
      tailResponses++;
      if (tailResponses > heads + 1) throw new ProtocolViolation(`${tailResponses} responses to a tail with ${heads} request heads`);
      if (res.close && reader.remaining > 0) throw new ProtocolViolation(`bytes after a Connection: close response: ${reader.preview()}`);
      last = { res, r: null };
    }
  }
  if (reader.remaining > 0 && !o.aborted) throw new ProtocolViolation(`incomplete or unframed response bytes: ${reader.preview()}`);
  if (p.finish === 'keep' && !closedEarly && o.ended && !(last && mayClose(last.res, last.r))) {
    throw new ProtocolViolation(`the server closed a keep-alive connection after a ${last?.res.status ?? 'missing'} response`);
  }
  if ((p.finish === 'halfclose' || p.finish === 'close-header') && !serverClosed) {
    throw new ProtocolViolation('the server did not close the connection after the client finished');
  }
  return { responses: reader.count, sent: sentCount(p, o) };
}

function countOf(b: Buffer, needle: string): number {
  let n = 0;
  for (let i = b.indexOf(needle); i >= 0; i = b.indexOf(needle, i + 1)) n++;
  return n;
}

/** Requests whose bytes all went out before the server closed its side (or the client aborted). */
function sentCount(p: Plan, o: Outcome): number {
  let n = p.ends.filter((e) => e <= o.written).length;
  if (p.conn.tail && o.written >= p.stream.length) n += p.tailCount;
  return n;
}

function renderPlan(p: Plan, label: string): string {
  const shown =
    p.stream.length > 4000
      ? `${JSON.stringify(p.stream.subarray(0, 4000).toString('latin1'))}... (${p.stream.length} bytes)`
      : JSON.stringify(p.stream.toString('latin1'));
  return `${label}: finish=${p.finish} split=${p.conn.split.mode} chunks=[${p.chunks.slice(0, 40).join(',')}${p.chunks.length > 40 ? ',…' : ''}]\n  ${shown}`;
}

function render(conns: Conn[]): string {
  return conns.map((c, i) => renderPlan(plan(c, `p0-${i}-`), `connection ${i}`)).join('\n');
}

// ---------------------------------------------------------------------------------------------

describe.each(IMPLS)('fuzz: the %s server under hostile input', (impl) => {
  let root: string;
  let jail: string;
  let dataDir: string;
  let server: TestServer | undefined;
  const crashes: string[] = [];
  // the C server's run is the reduced one: same generators, fewer requests (CI time)
  const target = impl === 'c' ? C_TARGET_REQUESTS : TARGET_REQUESTS;

  beforeAll(() => {
    // root/canary, root/jail/{canary, data/, data-evil/, sibling/}: the server gets root/jail/data
    root = mkdtempSync('/dev/shm/speedlab-fuzz-');
    jail = join(root, 'jail');
    dataDir = join(jail, 'data');
    mkdirSync(dataDir, { recursive: true });
    mkdirSync(join(jail, 'data-evil'));
    mkdirSync(join(jail, 'sibling'));
    writeFileSync(join(root, 'canary'), 'outer canary\n');
    writeFileSync(join(jail, 'canary'), 'canary next to the data directory\n');
    writeFileSync(join(jail, 'data-evil', 'x'), 'sibling whose name extends the data directory name\n');
    writeFileSync(join(jail, 'sibling', 'secret'), 'secret in a sibling directory\n');
    symlinkSync(join(jail, 'canary'), join(dataDir, FILE_LINK));
    symlinkSync(join(jail, 'sibling'), join(dataDir, DIR_LINK));
    for (const name of SEEDED) writeFileSync(join(dataDir, name), `seeded ${name}\n`);
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  async function ensureServer(): Promise<TestServer> {
    if (server && server.proc.exitCode === null && server.proc.signalCode === null) return server;
    if (server) {
      crashes.push(`exit ${server.proc.exitCode ?? server.proc.signalCode}: ${server.stderr()}`);
      await server.stop();
    }
    server = await startTestServer({ impl, dir: dataDir, args: ['-N', '8', '--timeout', String(SERVER_TIMEOUT_S)] });
    return server;
  }

  it(`answers ${target.toLocaleString('en')}+ generated and mutated requests validly and stays inside --dir`, async () => {
    const outsideBefore = snapshotTree(root, [dataDir]);
    const envSeed = process.env.SPEEDLAB_FUZZ_SEED;
    const seed = envSeed !== undefined && envSeed !== '' ? Number(envSeed) : (Date.now() ^ Math.floor(Math.random() * 2 ** 31)) | 0;
    if (!Number.isInteger(seed)) throw new Error(`SPEEDLAB_FUZZ_SEED must be an integer (got ${envSeed})`);
    const replayPath = process.env.SPEEDLAB_FUZZ_PATH || undefined;
    console.log(`fuzz seed ${seed}${replayPath ? ` path ${replayPath}` : ''} (replay: SPEEDLAB_FUZZ_SEED=${seed})`);

    const arbs = buildArbitraries({
      abs: [join(jail, 'canary'), join(root, 'canary'), join(root, 'planted'), join(jail, 'sibling', 'planted'), `/${dataDir}/../canary`],
    });
    let exec = 0;
    let sent = 0;
    let responses = 0;
    let connections = 0;
    let batches = 0;
    const t0 = Date.now();
    const lingering = new Set<Promise<void>>();
    const lateFailures: string[] = [];
    const property = fc.asyncProperty(arbs.run, async (conns) => {
      const id = ++exec;
      if (sent >= target && !replayPath) return;
      batches++;
      while (lingering.size >= MAX_LINGERING) await Promise.race(lingering);
      const { port } = await ensureServer();
      const privateFiles = new Map<string, Buffer>();
      const plans = conns.map((c, i) => plan(c, `p${id}-${i}-`));
      const results = await Promise.all(plans.map((p) => drive(port, p)));
      const failures: string[] = [];
      const record = (p: Plan, o: Outcome) => {
        const counts = check(p, o, privateFiles);
        sent += counts.sent;
        responses += counts.responses;
        connections++;
      };
      plans.forEach((p, i) => {
        const r = results[i]!;
        if ('pending' in r) {
          // checked when it settles; a failure there is reported at the end, with its bytes but unshrunk
          const done: Promise<void> = r.pending
            .then((o) => record(p, o))
            .catch((err: Error) => void lateFailures.push(`${err.message}\n${renderPlan(p, `batch ${id} connection ${i}`)}`))
            .finally(() => lingering.delete(done));
          lingering.add(done);
          return;
        }
        try {
          record(p, r.outcome);
        } catch (err) {
          if (!(err instanceof ProtocolViolation)) throw err;
          failures.push(`connection ${i}: ${err.message}`);
        }
      });
      const s = server!;
      if (s.proc.exitCode !== null || s.proc.signalCode !== null) failures.push(`the server died (${s.proc.exitCode ?? s.proc.signalCode}): ${s.stderr()}`);
      if (failures.length > 0) throw new Error(failures.join('\n'));
    });

    const details = await fc.check(property, {
      seed,
      numRuns: NUM_RUNS,
      interruptAfterTimeLimit: TIME_LIMIT_MS,
      ...(replayPath ? { path: replayPath } : {}),
    });
    await Promise.all(lingering);
    const seconds = (Date.now() - t0) / 1000;
    console.log(
      `fuzz: ${sent} requests sent, ${responses} responses, ${connections} connections in ${batches} batches, ${seconds.toFixed(1)} s` +
        (details.interrupted ? ' (interrupted by the time limit)' : ''),
    );
    if (details.failed) {
      const conns = details.counterexample?.[0];
      const message =
        `fuzz failure, seed ${details.seed}, path ${details.counterexamplePath}, shrunk ${details.numShrinks} times\n` +
        `replay: SPEEDLAB_FUZZ_SEED=${details.seed} SPEEDLAB_FUZZ_PATH=${details.counterexamplePath} npx vitest run server/test/fuzz.test.ts\n` +
        `${(details.errorInstance as Error | null)?.message ?? String(details.errorInstance)}\n` +
        `shrunk counterexample (private names shown as p0-<connection>-<slot>):\n${conns ? render(conns) : '(none)'}`;
      console.error(message);
      throw new Error(message);
    }
    expect(lateFailures, `connections that failed after their batch (seed ${seed})`).toEqual([]);
    expect(crashes, 'server crashes').toEqual([]);
    if (!replayPath) expect(sent, 'requests sent').toBeGreaterThanOrEqual(target);

    // still serving, still alive
    const s = await ensureServer();
    expect(crashes, 'server crashes').toEqual([]);
    const put = await timedRequest(s.port, 'PUT /after-fuzz HTTP/1.1\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello', 5000);
    expect(put.response?.status, put.error).toBe(201);
    const get = await timedRequest(s.port, 'GET /after-fuzz HTTP/1.1\r\nConnection: close\r\n\r\n', 5000);
    expect(get.response?.status, get.error).toBe(200);
    expect(get.response?.body.toString()).toBe('hello');
    expect(s.stderr()).not.toMatch(/worker died/);

    // nothing outside the data directory changed, appeared or vanished
    expect(snapshotTree(root, [dataDir])).toEqual(outsideBefore);
    // inside it: only valid names, regular files, the two symlinks untouched, no leftover temporary file
    let entries: string[] = [];
    for (let i = 0; i < 30; i++) {
      entries = readdirSync(dataDir);
      if (!entries.some((e) => e.startsWith('.speedlab-tmp-'))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const entry of entries) {
      expect(VALID_TARGET.test('/' + entry), `unexpected entry ${JSON.stringify(entry)} in the data directory`).toBe(true);
      const st = lstatSync(join(dataDir, entry));
      if (entry === FILE_LINK || entry === DIR_LINK) expect(st.isSymbolicLink(), entry).toBe(true);
      else expect(st.isFile(), `${entry} is a regular file`).toBe(true);
    }
    expect(readlinkSync(join(dataDir, FILE_LINK))).toBe(join(jail, 'canary'));
    expect(readlinkSync(join(dataDir, DIR_LINK))).toBe(join(jail, 'sibling'));
  }, 300_000);
});
