// The probes of `speedlab check`, gentlest first, each on fresh connections of its own. They run
// where the load generator runs (a `speedlab loadgen` job of phase `check`), so the server is
// reached the same way a run reaches it, in either runtime. Each stage says what it sent, what
// came back and, when that blocks a measurement, why and what to change. The judge is the
// course's protocol (DESIGN §2); a detail that does not stop a measurement is a note.
import { z } from 'zod';
import { Conn, shown, type Reply, type Target } from './wire.js';
import { HINTS } from './hints.js';
import { LAB_DEFAULTS, NAME_ALPHABETS, type ClientSettings } from '../results/client-settings.js';

export const STAGE_IDS = [
  'missing', 'put-after-head', 'put-with-head', 'get-head', 'healthcheck', 'keep-alive', 'two-connections', 'empty-connection', 'mid-response',
] as const;
export type StageId = (typeof STAGE_IDS)[number];

export const STAGE_TITLES: Record<StageId, string> = {
  'missing': 'GET of a missing file on a fresh connection',
  'put-after-head': 'PUT, the body in a write after the head',
  'put-with-head': 'PUT, head and body in one write',
  'get-head': 'GET and HEAD of what was put',
  'healthcheck': 'GET /healthcheck',
  'keep-alive': 'a second request on a kept-alive connection',
  'two-connections': 'two connections at once',
  'empty-connection': 'a connection closed without a request',
  'mid-response': 'a client that closes mid-response',
};

const stageResultSchema = z.object({
  id: z.enum(STAGE_IDS),
  /** passed; note: passed, with something the lab adapts to or a protocol detail; failed */
  status: z.enum(['passed', 'note', 'failed']),
  sent: z.string().optional(),
  received: z.string().optional(),
  /** what happened, in words */
  problem: z.string().optional(),
  /** the likely cause and what to do */
  hint: z.string().optional(),
  /** the connection was refused or dropped without an answer: the server may have died */
  suspectGone: z.boolean().optional(),
  /** settings this stage found the server needs */
  learned: z.object({
    connection: z.enum(['keep-alive', 'close']).optional(),
    names: z.object({ length: z.number().int(), alphabet: z.enum(NAME_ALPHABETS) }).optional(),
    body: z.enum(['with-head', 'after-head']).optional(),
  }).optional(),
});
export type StageResult = z.infer<typeof stageResultSchema>;

export const checkResultSchema = z.object({ phase: z.literal('check'), stages: z.array(stageResultSchema) });
export type CheckResult = z.infer<typeof checkResultSchema>;

/** how long a stage waits for an answer before it calls it missing */
const ANSWER_MS = 2000;
/** the size of the file the mid-response stage reads: far more than the socket buffers hold */
const BIG_FILE_BYTES = 8 * 1024 * 1024;
/** a big file takes its time to write and (with the course's hex log) to log: the wait for it is longer */
const BIG_ANSWER_MS = 15_000;
const SMALL_BODY = Buffer.from('speedlab check: a small file of the course protocol.\n'.repeat(20));

interface Ctx { target: Target; settings: ClientSettings; threads: number; logging: boolean; put: Set<string> }

function name(settings: ClientSettings, tag: string): string {
  const { length, alphabet } = settings.names;
  const stem = alphabet === 'alnum' ? `check${tag}` : `check_${tag}-`;
  return stem.padEnd(length, '0').slice(0, length);
}

function request(method: string, path: string, headers: string[] = []): string {
  return `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`;
}

function sentText(head: string, body?: Buffer): string {
  return shown(head) + (body ? ` + ${body.length} body bytes` : '');
}

/** what an answer that is not a whole response was, in words; undefined for a whole response */
function missingAnswer(r: Reply): string | undefined {
  if (r.complete) return undefined;
  if (r.error === 'ECONNRESET') return r.raw.length ? 'the connection was reset in the middle of the answer' : 'the connection was reset without an answer';
  if (r.closed) return r.raw.length ? 'the server closed the connection in the middle of the answer' : 'the server closed the connection without an answer';
  return r.raw.length ? `the answer stopped short and nothing more came within ${ANSWER_MS} ms` : `no answer within ${ANSWER_MS} ms`;
}

function gone(r: Reply): boolean {
  return !r.complete && r.raw.length === 0 && (r.closed || r.error !== undefined);
}

function failed(id: StageId, sent: string, r: Reply | string, problem: string, hint?: string): StageResult {
  const received = typeof r === 'string' ? undefined : (r.raw.length ? shown(r.raw) : '(nothing)');
  return {
    id, status: 'failed', sent, ...(received !== undefined && { received }), problem, ...(hint && { hint }),
    ...((typeof r === 'string' || gone(r)) && { suspectGone: true }),
  };
}

/** one request on a fresh connection; the connection is closed afterwards */
async function once(ctx: Ctx, head: string, body?: Buffer, bodySeparately = false, headOnly = false, answerMs = ANSWER_MS): Promise<Reply | string> {
  const conn = await Conn.open(ctx.target, ANSWER_MS);
  if (typeof conn === 'string') return conn;
  try {
    if (body && bodySeparately) {
      await conn.write(head);
      await new Promise((r) => setTimeout(r, 50));
      await conn.write(body);
    } else await conn.write(body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : head);
    return await conn.read(answerMs, headOnly);
  } finally {
    conn.destroy();
  }
}

function refused(id: StageId, sent: string, code: string): StageResult {
  return failed(id, sent, code, `could not connect (${code})`, 'the server is not listening any more: it exited or was killed (below)');
}

const NAME_SHAPES: ClientSettings['names'][] = [
  LAB_DEFAULTS.names, { length: 27, alphabet: 'alnum' }, { length: 15, alphabet: 'alnum' },
];

async function missing(ctx: Ctx): Promise<StageResult> {
  const tried: string[] = [];
  for (const shape of NAME_SHAPES) {
    const settings = { ...ctx.settings, names: shape };
    const head = request('GET', `/${name(settings, 'missing')}`);
    const r = await once(ctx, head);
    if (typeof r === 'string') return refused('missing', sentText(head), r);
    const what = missingAnswer(r);
    if (what) return failed('missing', sentText(head), r, what, r.timedOut ? 'the server accepted the connection but did not answer a plain GET: does it read the request until the blank line (\\r\\n\\r\\n)?' : undefined);
    if (r.status === 404) {
      ctx.settings.names = shape;
      if (tried.length === 0) return { id: 'missing', status: 'passed' };
      return {
        id: 'missing', status: 'note', sent: sentText(head), received: shown(r.raw),
        problem: `answered 400 to ${tried.join(' and ')}; the course allows 1–27 characters of [A-Za-z0-9_-]`,
        hint: `the lab will use names of ${shape.length} characters of ${shape.alphabet === 'alnum' ? '[A-Za-z0-9]' : '[A-Za-z0-9_-]'} (client: { names: { length: ${shape.length}, alphabet: ${shape.alphabet} } })`,
        learned: { names: shape },
      };
    }
    if (r.status !== 400) return failed('missing', sentText(head), r, `answered ${r.status ?? 'without a status line'}; a missing file is 404 Not Found`);
    tried.push(`/${name(settings, 'missing')} (${shape.length} × ${shape.alphabet})`);
  }
  return failed('missing', tried.join(', '), 'names', 'answered 400 Bad Request to every name shape the lab can use', 'the course allows names of 1–27 characters of [A-Za-z0-9_-]: check how your server validates the name');
}

async function put(ctx: Ctx, id: 'put-after-head' | 'put-with-head', tag: string, separately: boolean): Promise<StageResult> {
  const path = `/${name(ctx.settings, tag)}`;
  const head = request('PUT', path, [`Content-Length: ${SMALL_BODY.length}`]);
  const r = await once(ctx, head, SMALL_BODY, separately);
  const sent = sentText(head, SMALL_BODY) + (separately ? ' (the body in a second write, 50 ms later)' : ' (in one write)');
  if (typeof r === 'string') return refused(id, sent, r);
  const what = missingAnswer(r);
  if (what) {
    const hint = !separately && r.timedOut && ctx.put.size > 0
      ? HINTS.droppedBody
      : r.timedOut ? 'the server did not answer a PUT whose Content-Length bytes all arrived: does it read exactly Content-Length body bytes, counting those that came with the head?' : undefined;
    return { ...failed(id, sent, r, what, hint), ...(!separately && r.timedOut && ctx.put.size > 0 && { learned: { body: 'after-head' as const } }) };
  }
  if (r.status !== 201 && r.status !== 200) return failed(id, sent, r, `answered ${r.status ?? 'without a status line'}; a PUT is answered 201 Created (new file) or 200 OK (replaced)`);
  ctx.put.add(path);
  return { id, status: 'passed' };
}

async function getHead(ctx: Ctx): Promise<StageResult> {
  if (ctx.put.size === 0) return { id: 'get-head', status: 'failed', problem: 'nothing was put to read back (the PUT stages failed)' };
  for (const path of ctx.put) {
    const get = request('GET', path);
    const r = await once(ctx, get);
    if (typeof r === 'string') return refused('get-head', sentText(get), r);
    const what = missingAnswer(r);
    if (what) return failed('get-head', sentText(get), r, what);
    if (r.status !== 200) return failed('get-head', sentText(get), r, `answered ${r.status ?? 'without a status line'}; expected 200 OK with the ${SMALL_BODY.length} bytes put`);
    if (!r.body.equals(SMALL_BODY)) return failed('get-head', sentText(get), r, `the ${r.body.length} body bytes are not the ${SMALL_BODY.length} bytes put`, 'the lab verifies every file it reads: a server must return exactly what was put');
    const headReq = request('HEAD', path);
    const h = await once(ctx, headReq, undefined, false, true);
    if (typeof h === 'string') return refused('get-head', sentText(headReq), h);
    const hWhat = missingAnswer(h);
    if (hWhat) return failed('get-head', sentText(headReq), h, hWhat);
    if (h.status !== 200 || h.headers['content-length'] !== String(SMALL_BODY.length)) {
      return failed('get-head', sentText(headReq), h, `expected 200 OK with Content-Length: ${SMALL_BODY.length} and no body`);
    }
  }
  return { id: 'get-head', status: 'passed' };
}

async function healthcheck(ctx: Ctx): Promise<StageResult> {
  const head = request('GET', '/healthcheck');
  const r = await once(ctx, head);
  if (typeof r === 'string') return refused('healthcheck', sentText(head), r);
  const what = missingAnswer(r);
  if (what) return failed('healthcheck', sentText(head), r, what);
  // both the old form "<failed>\n<total>\n" and the new one without the trailing newline are the course's
  if (!ctx.logging && r.status === 404) return { id: 'healthcheck', status: 'passed' };
  if (ctx.logging && r.status === 200 && /^\d+\n\d+\n?$/.test(r.body.toString('latin1'))) return { id: 'healthcheck', status: 'passed' };
  if (r.status === 404) return { id: 'healthcheck', status: 'note', sent: sentText(head), received: shown(r.raw), problem: 'answered 404: the course answers 404 only without a log (-l); the lab does not use /healthcheck, so this does not stop a measurement' };
  return {
    id: 'healthcheck', status: 'note', sent: sentText(head), received: shown(r.raw),
    problem: `expected ${ctx.logging ? '200 OK with the body "<failed entries>\\n<total entries>"' : '404 Not Found (no log)'}; the lab does not use /healthcheck, so this does not stop a measurement`,
  };
}

async function keepAlive(ctx: Ctx): Promise<StageResult> {
  const path = [...ctx.put][0] ?? `/${name(ctx.settings, 'missing')}`;
  const head = request('GET', path);
  const conn = await Conn.open(ctx.target, ANSWER_MS);
  if (typeof conn === 'string') return refused('keep-alive', sentText(head), conn);
  try {
    await conn.write(head);
    const first = await conn.read(ANSWER_MS);
    const what = missingAnswer(first);
    if (what) return failed('keep-alive', sentText(head), first, `the first request: ${what}`);
    if (/close/i.test(first.headers.connection ?? '')) {
      return {
        id: 'keep-alive', status: 'note', sent: sentText(head), received: shown(first.raw),
        problem: 'the server answers with "Connection: close" and closes the connection after every response',
        hint: 'the lab will send one request per connection (client: { connection: close }); that costs a connection per request, so the rates are lower than with keep-alive',
        learned: { connection: 'close' },
      };
    }
    await conn.write(head);
    const second = await conn.read(ANSWER_MS);
    const secondWhat = missingAnswer(second);
    if (!secondWhat) return { id: 'keep-alive', status: 'passed' };
    return {
      ...failed('keep-alive', `${sentText(head)}, answered, then the same again on that connection`, second, `the second request: ${secondWhat}`,
        second.timedOut
          ? 'your server handles one request per connection but keeps the connection open without reading another; loop over requests until the client closes, or answer with "Connection: close" and close. The lab can send one request per connection (client: { connection: close })'
          : 'your server closed the connection after one response without saying "Connection: close"; say it, or keep serving requests on the connection. The lab can send one request per connection (client: { connection: close })'),
      suspectGone: false,
      learned: { connection: 'close' },
    };
  } finally {
    conn.destroy();
  }
}

async function twoConnections(ctx: Ctx): Promise<StageResult> {
  const head = request('GET', `/${name(ctx.settings, 'missing')}`, ctx.settings.connection === 'close' ? ['Connection: close'] : []);
  const first = await Conn.open(ctx.target, ANSWER_MS);
  if (typeof first === 'string') return refused('two-connections', sentText(head), first);
  const second = await Conn.open(ctx.target, ANSWER_MS);
  try {
    if (typeof second === 'string') return refused('two-connections', sentText(head), second);
    await first.write(head);
    const a = await first.read(ANSWER_MS);
    const aWhat = missingAnswer(a);
    if (aWhat) return failed('two-connections', `${sentText(head)} on the first connection`, a, aWhat);
    // the first connection stays open (kept alive) while the second asks
    await second.write(head);
    const b = await second.read(ANSWER_MS);
    if (!missingAnswer(b)) return { id: 'two-connections', status: 'passed' };
    if (!b.timedOut) return failed('two-connections', `${sentText(head)} on a second connection while the first stays open`, b, missingAnswer(b)!);
    first.end();
    const late = await second.read(ANSWER_MS);
    const freed = !missingAnswer(late);
    return {
      ...failed('two-connections', `${sentText(head)} on a second connection while the first (answered) stays open`, b,
        `no answer within ${ANSWER_MS} ms${freed ? '; it came once the first connection closed' : ''}`,
        freed
          ? `your server gives each connection a thread until the client closes it: with -N ${ctx.threads}, connection ${ctx.threads + 1} waits. The lab can send one request per connection (client: { connection: close }), or hand connections to threads per request`
          : undefined),
      suspectGone: false,
      ...(freed && { learned: { connection: 'close' as const } }),
    };
  } finally {
    first.destroy();
    if (typeof second !== 'string') second.destroy();
  }
}

/** a plain GET after a stage that may have killed the server: does it still answer? */
async function stillAnswers(ctx: Ctx, id: StageId, what: string, hint: string, answerMs = ANSWER_MS): Promise<StageResult> {
  await new Promise((r) => setTimeout(r, 100));
  const head = request('GET', `/${name(ctx.settings, 'missing')}`);
  const r = await once(ctx, head, undefined, false, false, answerMs);
  if (typeof r !== 'string' && !missingAnswer(r)) return { id, status: 'passed' };
  const after = typeof r === 'string' ? `could not connect (${r})` : missingAnswer(r)!;
  return { ...failed(id, `${what}, then ${sentText(head)}`, r, `after it, the next request: ${after}`, hint), suspectGone: true };
}

async function emptyConnection(ctx: Ctx): Promise<StageResult> {
  const conn = await Conn.open(ctx.target, ANSWER_MS);
  if (typeof conn === 'string') return refused('empty-connection', 'a connect', conn);
  conn.end();
  await conn.closedWithin(200);
  conn.destroy();
  return stillAnswers(ctx, 'empty-connection', 'a connection closed without sending anything',
    HINTS.emptyConnection);
}

async function midResponse(ctx: Ctx): Promise<StageResult> {
  const path = `/${name(ctx.settings, 'big')}`;
  const body = Buffer.alloc(BIG_FILE_BYTES, 0x61);
  const head = request('PUT', path, [`Content-Length: ${body.length}`]);
  const r = await once(ctx, head, body, ctx.settings.body === 'after-head', false, BIG_ANSWER_MS);
  if (typeof r === 'string') return refused('mid-response', sentText(head, body), r);
  const what = missingAnswer(r);
  if (what || (r.status !== 200 && r.status !== 201)) return failed('mid-response', sentText(head, body), r, `the PUT of ${BIG_FILE_BYTES} bytes to read back: ${what ?? `answered ${r.status}`}`);
  const get = request('GET', path);
  const conn = await Conn.open(ctx.target, ANSWER_MS);
  if (typeof conn === 'string') return refused('mid-response', sentText(get), conn);
  await conn.write(get);
  await conn.someBytesWithin(BIG_ANSWER_MS);
  conn.reset();
  return stillAnswers(ctx, 'mid-response', `${sentText(get)} of a ${BIG_FILE_BYTES}-byte file, reset after its first bytes`,
    HINTS.sigpipe, BIG_ANSWER_MS);
}

const STAGES: Record<StageId, (ctx: Ctx) => Promise<StageResult>> = {
  'missing': missing,
  'put-after-head': (ctx) => put(ctx, 'put-after-head', 'a', true),
  'put-with-head': (ctx) => put(ctx, 'put-with-head', 'b', false),
  'get-head': getHead,
  'healthcheck': healthcheck,
  'keep-alive': keepAlive,
  'two-connections': twoConnections,
  'empty-connection': emptyConnection,
  'mid-response': midResponse,
};

/**
 * runs the stages from `from` on, in order, and stops after the first that suspects the server is
 * gone (the caller asks the runtime, restarts it, and goes on from the next)
 */
export async function runStages(target: Target, from: StageId, known: ClientSettings, server: { threads: number; logging: boolean }, only?: StageId[]): Promise<CheckResult> {
  const ctx: Ctx = { target, settings: structuredClone(known), threads: server.threads, logging: server.logging, put: new Set() };
  const order = (only ?? STAGE_IDS.slice(STAGE_IDS.indexOf(from)));
  // a later start (after a restart) still has something to read back
  if (STAGE_IDS.indexOf(order[0]!) > STAGE_IDS.indexOf('put-with-head') && !only) {
    await put(ctx, 'put-after-head', 'a', true);
  }
  const stages: StageResult[] = [];
  for (const id of order) {
    const result = await STAGES[id](ctx);
    stages.push(result);
    if (result.learned?.connection) ctx.settings.connection = result.learned.connection;
    if (result.learned?.body) ctx.settings.body = result.learned.body;
    if (result.suspectGone) break;
  }
  return { phase: 'check', stages };
}
