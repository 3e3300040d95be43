// A worker thread: does the storage work of one request at a time, holding real locks.
import { closeSync, constants, fdatasyncSync, fstatSync, lstatSync, openSync, renameSync, unlinkSync, writevSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, receiveMessageOnPort, threadId, workerData } from 'node:worker_threads';
import { LogWriter, readFully } from './log/log-writer.js';
import { BODY_REPORT_BYTES, GET_CHUNK, MAX_RETURNED_CHUNKS, unpackJobs, type FromWorker, type Job, type ToWorker } from './messages.js';
import { responseHead } from './http/status.js';
import { lockMutex, lockRead, lockWrite, unlockMutex, unlockRead, unlockWrite } from './sync/locks.js';
import { JobClaims } from './sync/job-claims.js';
import { attachSharedState, entryCounts, slots, stripeIndex } from './sync/shared-state.js';
import type { WorkerData } from './worker-config.js';

const config = workerData as WorkerData;
const claims = new JobClaims(config.claims);
const shared = attachSharedState(config.shared);
const log = config.log ? new LogWriter({ ...config.log, fd: openSync(config.log.path, 'r+') }, shared) : null;
const port = parentPort!;

/** GET data goes out in chunks of GET_CHUNK, with at most WINDOW bytes not yet written to the socket. */
const CHUNK = GET_CHUNK;
const WINDOW = 2 * CHUNK;
/** GET buffers handed back by the main thread for reuse (a fresh 1 MiB buffer costs page faults). */
const spareChunks: ArrayBuffer[] = [];
/** enough for a streaming GET and the large GETs handed ahead behind it */
const MAX_SPARE_CHUNKS = MAX_RETURNED_CHUNKS;
/** below this, a GET's whole response goes in one buffer of its own instead of reused CHUNKs */
const SMALL_READ = 256 * 1024;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
let tempSeq = 0;

/** Keeps a GET buffer that came back (always a CHUNK: small files' buffers never come back), for the next read. */
function keepSpare(chunk: ArrayBuffer): void {
  if (spareChunks.length < MAX_SPARE_CHUNKS) spareChunks.push(chunk);
}

function post(msg: FromWorker, transfer?: ArrayBuffer[]): void {
  port.postMessage(msg, transfer ?? []);
}

/** A message about one job (not a batch of new jobs). */
type JobMessage = Exclude<ToWorker, { t: 'jobs' }>;

/** Messages for the job in progress; stale ones for finished jobs are dropped. */
class Inbox {
  private queue: JobMessage[] = [];
  private waiter: ((m: JobMessage) => void) | null = null;
  jobId = -1;

  push(msg: JobMessage): void {
    if (msg.id !== this.jobId) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(msg);
    } else this.queue.push(msg);
  }

  next(): Promise<JobMessage> {
    const m = this.queue.shift();
    if (m) return Promise.resolve(m);
    return new Promise((resolve) => (this.waiter = resolve));
  }

  reset(id: number): void {
    this.jobId = id;
    this.queue = [];
    this.waiter = null;
  }
}
const inbox = new Inbox();
const jobs: Job[] = [];
let running = false;

/** jobs whose client left while they waited in this worker's inbox */
const abandoned = new Set<number>();

port.on('message', deliver);

function deliver(msg: ToWorker): void {
  if (msg.t === 'jobs') {
    msg.spare.forEach(keepSpare);
    jobs.push(...unpackJobs(msg.jobs));
    if (!running) void runJobs();
  } else if (msg.t === 'abort' && msg.id !== inbox.jobId) abandoned.add(msg.id);
  else inbox.push(msg);
}

/** Takes messages already waiting, without a trip through the event loop. */
function drainWaiting(): void {
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) deliver(m.message as ToWorker);
}

async function runJobs(): Promise<void> {
  running = true;
  for (let job = jobs.shift(); job; job = nextJob()) {
    // taken back by the main thread for an idle worker: not ours to run or answer
    if (!claims.claim(job.ticket)) continue;
    if (abandoned.delete(job.id)) {
      // a PUT whose client left before its body came: its one FAIL entry (DESIGN §2)
      if (job.kind === 'put') log?.failure(job.line, job.method, job.target, 400);
      post({ t: 'res', id: job.id, final: true });
      continue;
    }
    inbox.reset(job.id);
    let answered = false;
    const reply = (msg: FromWorker, transfer?: ArrayBuffer[]) => {
      if ((msg.t === 'res' && msg.final) || msg.t === 'whole') answered = true;
      post(msg, transfer);
    };
    try {
      await withLock(job, () => handle(job, reply));
    } catch (err) {
      process.stderr.write(`speedlab-server: ${job.method} /${job.name}: ${(err as Error).message}\n`);
      if (!answered) {
        try {
          log?.failure(job.line, job.method, job.target, 500);
        } catch {
          // the log's disk may be the one that failed; the client still gets its 500
        }
        reply({ t: 'res', id: job.id, status: 500, final: true });
      }
    }
  }
  running = false;
}

function nextJob(): Job | undefined {
  if (jobs.length === 0) drainWaiting();
  return jobs.shift();
}

type Reply = (msg: FromWorker, transfer?: ArrayBuffer[]) => void;

async function withLock(job: Job, body: () => Promise<void>): Promise<void> {
  const ints = shared.ints;
  if (job.kind === 'health') return body();
  if (config.lock === 'global') {
    lockMutex(ints, slots.GLOBAL_LOCK);
    try {
      return await body();
    } finally {
      unlockMutex(ints, slots.GLOBAL_LOCK);
    }
  }
  if (job.kind === 'fail') return body();
  const stripe = stripeIndex(job.name);
  const exclusive = job.kind === 'put';
  if (exclusive) lockWrite(ints, stripe);
  else lockRead(ints, stripe);
  try {
    return await body();
  } finally {
    if (exclusive) unlockWrite(ints, stripe);
    else unlockRead(ints, stripe);
  }
}

function handle(job: Job, reply: Reply): Promise<void> {
  switch (job.kind) {
    case 'fail':
      fail(job, job.status, reply);
      return Promise.resolve();
    case 'get':
    case 'head':
      return serveRead(job, reply);
    case 'put':
      return servePut(job, reply);
    case 'health':
      serveHealthcheck(job, reply);
      return Promise.resolve();
  }
}

/**
 * GET /healthcheck: `<failed entries>\n<total entries>`, no final newline, counted before its own
 * entry, which is then logged like any GET's (the course's reference does all three).
 */
function serveHealthcheck(job: Job, reply: Reply): void {
  const { failed, total } = entryCounts(shared);
  const body = Buffer.from(`${failed}\n${total}`, 'latin1');
  log?.successWith('GET', job.name, body);
  const head = responseHead(200, body.length, job.close);
  const response = Buffer.allocUnsafeSlow(head.length + body.length);
  response.write(head, 0, 'latin1');
  body.copy(response, head.length);
  const whole = response.buffer;
  reply({ t: 'whole', id: job.id, response: whole }, [whole]);
}

function fail(job: Job, status: number, reply: Reply): void {
  log?.failure(job.line, job.method, job.target, status);
  reply({ t: 'res', id: job.id, status, final: true });
}

/** A small file's whole response, head and body, in one buffer of its own: the main thread writes it as is. */
function sendWhole(job: Job, fd: number, size: number, reply: Reply): void {
  const head = responseHead(200, size, job.close);
  const response = Buffer.allocUnsafeSlow(head.length + size);
  response.write(head, 0, 'latin1');
  const got = readFully(fd, response.subarray(head.length), size, 0);
  if (got !== size) throw new Error(`file shrank while reading: ${got} of ${size} bytes`);
  log?.success('GET', job.name, 200, size, fd);
  const whole = response.buffer;
  reply({ t: 'whole', id: job.id, response: whole }, [whole]);
}

function statusFor(err: unknown): number {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 404;
  if (code === 'EACCES' || code === 'EPERM' || code === 'ELOOP' || code === 'EISDIR' || code === 'ENOTDIR') return 403;
  return 500;
}

/** Models a slow device: the worker is busy this long per request (--io-delay). */
function ioDelay(): void {
  if (config.ioDelayMs > 0) Atomics.wait(sleeper, 0, 0, config.ioDelayMs);
}

async function serveRead(job: Job, reply: Reply): Promise<void> {
  let fd: number;
  try {
    fd = openSync(join(config.dir, job.name), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    return fail(job, statusFor(err), reply);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return fail(job, 403, reply);
    ioDelay();
    const size = st.size;
    if (job.kind === 'head') {
      log?.success('HEAD', job.name, 200, size, null);
      return reply({ t: 'res', id: job.id, status: 200, length: size, final: true });
    }
    await streamFile(job, fd, size, reply);
  } finally {
    closeSync(fd);
  }
}

/** Sends the file, holding back its last chunk until the log entry is written. */
async function streamFile(job: Job, fd: number, size: number, reply: Reply): Promise<void> {
  if (size < SMALL_READ) return sendWhole(job, fd, size, reply);
  let sent = 0;
  let unacked = 0;
  let aborted = false;
  let first = true;
  while (!aborted) {
    const want = Math.min(CHUNK, size - sent);
    const last = sent + want >= size;
    const chunk = spareChunks.pop() ?? new ArrayBuffer(CHUNK);
    const got = readFully(fd, Buffer.from(chunk, 0, want), want, sent);
    if (got !== want) throw new Error(`file shrank while reading: ${sent + got} of ${size} bytes`);
    if (last) log?.success('GET', job.name, 200, size, fd);
    const head = first ? { status: 200, length: size } : {};
    reply({ t: 'res', id: job.id, ...head, chunk, chunkLength: want, final: last }, [chunk]);
    if (last) return;
    first = false;
    sent += want;
    unacked += want;
    while (unacked > WINDOW - CHUNK) {
      const msg = await inbox.next();
      if (msg.t === 'credit') {
        unacked -= msg.bytes;
        keepSpare(msg.chunk);
      } else if (msg.t === 'abort') {
        aborted = true;
        break;
      }
    }
  }
  // the client left mid-transfer: the request was still answered with 200, so it is logged whole
  log?.success('GET', job.name, 200, size, fd);
  reply({ t: 'res', id: job.id, final: true });
}

async function servePut(job: Job, reply: Reply): Promise<void> {
  const target = join(config.dir, job.name);
  ioDelay();
  if (!isRegularOrAbsent(target)) return fail(job, 403, reply);
  const temp = join(config.dir, `.speedlab-tmp-${threadId}-${++tempSeq}`);
  const fd = openSync(temp, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  let renamed = false;
  try {
    reply({ t: 'ready', id: job.id });
    let received = 0;
    let unreported = 0;
    let spent: ArrayBuffer[] = [];
    while (received < job.contentLength) {
      const msg = await inbox.next();
      if (msg.t === 'abort') return fail(job, 400, reply);
      if (msg.t !== 'body') continue;
      const chunks = msg.chunks.map((c) => new Uint8Array(c));
      let bytes: number;
      try {
        bytes = writeAll(fd, chunks, received);
      } catch (err) {
        return fail(job, statusFor(err) === 403 ? 403 : 500, reply);
      }
      received += bytes;
      unreported += bytes;
      spent.push(...msg.chunks);
      if (unreported >= BODY_REPORT_BYTES && received < job.contentLength) {
        reply({ t: 'consumed', id: job.id, bytes: unreported, spent }, spent);
        unreported = 0;
        spent = [];
      }
    }
    let existed: boolean;
    try {
      if (config.fsync) fdatasyncSync(fd);
      existed = !isAbsent(target);
      renameSync(temp, target);
      renamed = true;
    } catch (err) {
      return fail(job, statusFor(err) === 403 ? 403 : 500, reply);
    }
    const status = existed ? 200 : 201;
    log?.success('PUT', job.name, status, job.contentLength, fd);
    reply({ t: 'res', id: job.id, status, spent, final: true }, spent);
  } finally {
    closeSync(fd);
    if (!renamed) unlinkQuietly(temp);
  }
}

/** Writes the pieces in order from `position` (one writev while the kernel takes them whole); returns the bytes written. */
function writeAll(fd: number, pieces: Uint8Array[], position: number): number {
  const total = pieces.reduce((n, p) => n + p.length, 0);
  let done = 0;
  while (done < total) {
    let skip = done;
    let first = 0;
    while (skip >= pieces[first]!.length) skip -= pieces[first++]!.length;
    const rest = skip > 0 ? [pieces[first]!.subarray(skip), ...pieces.slice(first + 1)] : pieces.slice(first);
    done += writevSync(fd, rest, position + done);
  }
  return total;
}

function isAbsent(path: string): boolean {
  try {
    lstatSync(path);
    return false;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
}

/** A PUT may create a file or replace a regular one, never a directory, link or device. */
function isRegularOrAbsent(path: string): boolean {
  try {
    return lstatSync(path).isFile();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
