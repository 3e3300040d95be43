// One client connection on the main thread: splits the byte stream into requests, hands each to
// the worker pool, forwards PUT bodies to the worker and its responses back, one request at a
// time (pipelined requests wait their turn), with flow control both ways and timeouts that only
// count time spent waiting on the client.
import type { Socket } from 'node:net';
import { MAX_HEAD_BYTES, parseRequestHead } from './http/request-head.js';
import { answerResponse, responseHead } from './http/status.js';
import { BODY_WINDOW, type FromWorker, type Job, type JobKind } from './messages.js';
import { HEALTHCHECK, parseTarget } from './names.js';
import type { WorkerPool } from './pool.js';

const HEAD_END = Buffer.from('\r\n\r\n');
const NOTHING = Buffer.alloc(0);
/**
 * A PUT waits for a worker only once this much of its body (or all of it) has arrived, so a
 * client that trickles a small body holds no worker while it does.
 */
const PREBUFFER = 64 * 1024;
/**
 * Once a PUT holds a worker, its client must send this many bytes within --timeout of the server
 * waiting on it (time the server itself paused reading does not count); a client trickling a byte
 * a second is dropped, freeing the worker.
 */
const MIN_BODY_PROGRESS = 1024;
/**
 * PUT body pieces read in one event-loop turn go to the worker in one message, up to these
 * limits: every message costs both threads a wake-up, so fewer, larger ones are cheaper (measured).
 */
const BODY_MESSAGE_BYTES = 1024 * 1024;
const BODY_MESSAGE_PIECES = 64;

interface ConnectionContext {
  pool: WorkerPool;
  nextJobId(): number;
  /** the server keeps a log (-l): only then does GET /healthcheck answer */
  logging: boolean;
  timeoutMs: number;
}

type Phase =
  | 'prebuffer' // a PUT gathering the start of its body before it asks for a worker
  | 'queued' // waiting for a worker, or for the worker's first answer
  | 'body' // forwarding a PUT body
  | 'response'; // the worker is answering

interface Active {
  job: Job;
  phase: Phase;
  /** PUT body bytes still to come from the client */
  bodyLeft: number;
  /** PUT body bytes forwarded (or gathered to be) but not yet written by the worker */
  inFlight: number;
  /** body pieces gathered for the worker, sent when full or when this event-loop turn ends */
  gathering: { pieces: ArrayBuffer[]; length: number } | null;
  responded: boolean;
}

export class Connection {
  private pending: Buffer = NOTHING;
  /** bytes of an ignored GET/HEAD body still to skip */
  private discard = 0;
  private active: Active | null = null;
  private closed = false;
  /** the client half-closed: answer what it sent, then close */
  private clientEnded = false;
  /** while a PUT body holds a worker: checks the client's progress */
  private progressTimer: NodeJS.Timeout | null = null;
  /** when the server last started waiting on the client for body bytes (null: not waiting) */
  private waitingSince: number | null = null;
  private bytesWhileWaiting = 0;
  /** a drop decided by a timer, waiting for the next poll phase to confirm it */
  private dropCheck: NodeJS.Immediate | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly ctx: ConnectionContext,
  ) {
    socket.setNoDelay(true);
    socket.setTimeout(ctx.timeoutMs);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('timeout', () => this.onTimeout());
    socket.on('error', () => this.onGone());
    socket.on('close', () => this.onGone());
    socket.on('end', () => {
      this.clientEnded = true;
      const a = this.active;
      if (!a) this.processPending();
      // the body can never be completed: give the worker (and its locks) back now
      else if (a.bodyLeft > this.pending.length) this.onGone();
      else if (a.phase === 'prebuffer') this.submit(a);
    });
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    const a = this.active;
    if (a && a.phase === 'body' && this.pending.length === 0) {
      this.bytesWhileWaiting += chunk.length;
      if (this.bytesWhileWaiting >= MIN_BODY_PROGRESS) this.waitForBody();
      const rest = this.forwardBody(a, chunk);
      if (rest.length > 0) this.pending = rest;
      return;
    }
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    if (!a) this.processPending();
    else if (a.phase === 'prebuffer') {
      if (this.pending.length >= Math.min(a.bodyLeft, PREBUFFER)) this.submit(a);
    } else if (this.pending.length > MAX_HEAD_BYTES) this.socket.pause();
  }

  /** Reads from the client again; the idle timer restarts, since time paused was not the client's. */
  private resumeReading(): void {
    this.socket.setTimeout(this.ctx.timeoutMs);
    this.socket.resume();
  }

  /** Sends body bytes to the worker; returns what belongs to the next request. */
  private forwardBody(a: Active, data: Buffer): Buffer {
    const n = Math.min(a.bodyLeft, data.length);
    // taken before `data` may be transferred below; never a view of it when empty, since a view of
    // a transferred (detached) buffer throws when sliced
    const rest = n < data.length ? data.subarray(n) : NOTHING;
    // a new gathering gets one flush at the end of this event-loop turn (if it is not sent sooner)
    const startsGathering = n > 0 && !a.gathering;
    if (n > 0) {
      const g = (a.gathering ??= { pieces: [], length: 0 });
      g.pieces.push(ownedBytes(data.subarray(0, n)));
      g.length += n;
      if (g.length >= BODY_MESSAGE_BYTES || g.pieces.length >= BODY_MESSAGE_PIECES) this.sendGathered(a);
    }
    a.bodyLeft -= n;
    a.inFlight += n;
    if (a.bodyLeft === 0) this.sendGathered(a);
    else if (startsGathering && a.gathering) setImmediate(() => this.active === a && !this.closed && this.sendGathered(a));
    if (a.bodyLeft === 0 || a.inFlight >= BODY_WINDOW) {
      this.socket.pause();
      this.waitingSince = null;
    }
    return rest;
  }

  private sendGathered(a: Active): void {
    const g = a.gathering;
    if (!g) return;
    a.gathering = null;
    this.ctx.pool.send(a.job.id, { t: 'body', id: a.job.id, chunks: g.pieces }, g.pieces);
  }

  private processPending(): void {
    while (!this.active && !this.closed) {
      if (this.discard > 0) {
        const n = Math.min(this.discard, this.pending.length);
        this.discard -= n;
        this.pending = this.pending.subarray(n);
        if (this.discard > 0) break;
      }
      if (this.pending.length === 0) break;
      const end = this.pending.indexOf(HEAD_END);
      if (end < 0 || end + HEAD_END.length > MAX_HEAD_BYTES) {
        if (end >= 0 || this.pending.length > MAX_HEAD_BYTES) {
          // oversized head: answer and close, the rest of the stream cannot be framed; the FAIL
          // entry shows the request line as far as it came within the head's limit
          const line = this.pending.subarray(0, Math.min(this.pending.length, MAX_HEAD_BYTES)).toString('latin1').split('\r\n')[0] ?? '';
          this.pending = NOTHING;
          this.startFail(line, '', '', 400, true);
        }
        break;
      }
      const text = this.pending.subarray(0, end).toString('latin1');
      this.pending = this.pending.subarray(end + HEAD_END.length);
      this.startRequest(text);
    }
    if (this.active || this.closed) return;
    if (this.clientEnded) {
      this.closed = true;
      this.socket.end();
    } else if (this.socket.isPaused()) this.resumeReading();
  }

  private startRequest(text: string): void {
    const parsed = parseRequestHead(text);
    if (!parsed.ok) return this.startFail(parsed.line, '', '', 400, true);
    const head = parsed.head;
    const { method, target } = head;
    const name = parseTarget(target);
    const known = method === 'GET' || method === 'PUT' || method === 'HEAD';
    if (!known || name === null) return this.startFail(head.line, method, target, 400, true);
    if (method === 'PUT' && head.contentLength === null) return this.startFail(head.line, method, target, 400, true);
    const bodyLength = head.contentLength ?? 0;

    // never a file (the course's reference): GET answers the log's counts, or 404 without a log; other methods 403
    if (name === HEALTHCHECK) {
      if (method !== 'GET') return this.startFail(head.line, method, target, 403, head.close || bodyLength > 0);
      this.discard = bodyLength;
      if (!this.ctx.logging) return this.startFail(head.line, method, target, 404, head.close);
      return this.start(this.makeJob('health', name, head.line, method, target, 0, 0, head.close));
    }
    if (method !== 'PUT') this.discard = bodyLength;
    const kind: JobKind = method === 'PUT' ? 'put' : method === 'GET' ? 'get' : 'head';
    this.start(this.makeJob(kind, name, head.line, method, target, method === 'PUT' ? bodyLength : 0, 0, head.close));
  }

  private startFail(line: string, method: string, target: string, status: number, close: boolean): void {
    this.start(this.makeJob('fail', '', line, method, target, 0, status, close));
  }

  private makeJob(kind: JobKind, name: string, line: string, method: string, target: string, contentLength: number, status: number, close: boolean): Job {
    return { id: this.ctx.nextJobId(), kind, name, method, target, line, contentLength, status, ticket: 0, close };
  }

  private start(job: Job): void {
    const a: Active = { job, phase: 'prebuffer', bodyLeft: job.contentLength, inFlight: 0, gathering: null, responded: false };
    this.active = a;
    if (job.kind === 'put' && this.pending.length < Math.min(a.bodyLeft, PREBUFFER)) {
      if (this.clientEnded) return this.onGone();
      return this.resumeReading();
    }
    this.submit(a);
  }

  private submit(a: Active): void {
    a.phase = 'queued';
    // a PUT's body waits for its worker; other requests keep reading (pipelined heads are
    // bounded by onData), which spares a pause and resume per request
    if (a.job.kind === 'put') this.socket.pause();
    this.ctx.pool.submit({ job: a.job, onMessage: (msg, giveBack) => this.onWorker(a, msg, giveBack) });
  }

  /** The server waits on the client for body bytes from now on. */
  private waitForBody(): void {
    this.waitingSince = performance.now();
    this.bytesWhileWaiting = 0;
  }

  private startProgressChecks(): void {
    const overdue = () => this.waitingSince !== null && performance.now() - this.waitingSince >= this.ctx.timeoutMs;
    this.progressTimer = setInterval(() => {
      if (overdue()) this.dropUnlessClientMoved(overdue);
    }, Math.max(50, this.ctx.timeoutMs / 4));
    this.progressTimer.unref();
  }

  private stopProgressChecks(): void {
    if (this.progressTimer) clearInterval(this.progressTimer);
    this.progressTimer = null;
    this.waitingSince = null;
  }

  /**
   * Timers run before the poll phase, so after the server itself was stalled (no CPU, a long GC)
   * they fire while the client's bytes still sit unread in the kernel. The drop is decided after
   * the next poll phase instead: if the client sent or took bytes meanwhile, it stays.
   */
  private dropUnlessClientMoved(stillWaiting: () => boolean): void {
    if (this.dropCheck || this.closed) return;
    const read = this.socket.bytesRead;
    const unsent = this.socket.writableLength;
    this.dropCheck = setImmediate(() => {
      this.dropCheck = null;
      if (this.closed) return;
      const moved = this.socket.bytesRead > read || this.socket.writableLength < unsent;
      if (!moved && stillWaiting()) this.onGone();
      else this.socket.setTimeout(this.ctx.timeoutMs);
    });
  }

  private onWorker(a: Active, msg: FromWorker, giveBack: (chunk: ArrayBuffer) => void): void {
    if (this.closed || this.active !== a) return;
    switch (msg.t) {
      case 'ready': {
        a.phase = 'body';
        const rest = this.forwardBody(a, this.pending);
        this.pending = rest;
        if (a.bodyLeft > 0) {
          this.startProgressChecks();
          if (a.inFlight < BODY_WINDOW) {
            this.waitForBody();
            this.resumeReading();
          }
        }
        return;
      }
      case 'consumed':
        a.inFlight -= msg.bytes;
        if (a.phase === 'body' && a.bodyLeft > 0 && a.inFlight < BODY_WINDOW && this.socket.isPaused()) {
          this.waitForBody();
          this.resumeReading();
        }
        return;
      case 'res':
        return this.onResponse(a, msg, giveBack);
      case 'whole':
        a.phase = 'response';
        a.responded = true;
        this.socket.write(new Uint8Array(msg.response));
        return this.finish(a.job.close);
    }
  }

  private onResponse(a: Active, msg: Extract<FromWorker, { t: 'res' }>, giveBack: (chunk: ArrayBuffer) => void): void {
    a.phase = 'response';
    this.stopProgressChecks();
    // an answer before the whole body arrived (error, disk full): the stream can't be resynced
    if (a.bodyLeft > 0) a.job.close = true;
    // head and body leave in one writev
    this.socket.cork();
    if (msg.status !== undefined && !a.responded) {
      a.responded = true;
      if (msg.length === undefined) this.socket.write(answerResponse(msg.status, a.job.close));
      else this.socket.write(responseHead(msg.status, msg.length, a.job.close));
    }
    if (msg.chunk && a.job.kind === 'get') {
      const chunk = msg.chunk;
      const bytes = msg.chunkLength ?? chunk.byteLength;
      const id = a.job.id;
      if (msg.final) this.socket.write(new Uint8Array(chunk, 0, bytes), () => giveBack(chunk));
      else this.socket.write(new Uint8Array(chunk, 0, bytes), () => this.ctx.pool.send(id, { t: 'credit', id, bytes, chunk }, [chunk]));
    }
    this.socket.uncork();
    if (msg.final) this.finish(a.job.close);
  }

  private finish(close: boolean): void {
    this.active = null;
    if (close) {
      this.closed = true;
      this.socket.end();
      return;
    }
    this.processPending();
  }

  /** Only time spent waiting on the client counts; a request waiting for a worker never times out. */
  private onTimeout(): void {
    if (this.waitingOnClient()) this.dropUnlessClientMoved(() => this.waitingOnClient());
    else this.socket.setTimeout(this.ctx.timeoutMs);
  }

  private waitingOnClient(): boolean {
    const a = this.active;
    return (
      !a ||
      a.phase === 'prebuffer' ||
      (a.phase === 'body' && a.bodyLeft > 0 && a.inFlight < BODY_WINDOW) ||
      (a.phase === 'response' && this.socket.writableLength > 0)
    );
  }

  private onGone(): void {
    this.stopProgressChecks();
    if (this.dropCheck) clearImmediate(this.dropCheck);
    this.dropCheck = null;
    if (this.closed && !this.active) return;
    this.closed = true;
    const a = this.active;
    this.active = null;
    if (a) {
      const workerHasIt = this.ctx.pool.cancel(a.job.id);
      // a PUT no worker ran (its body never all arrived): its one FAIL entry is written here; a
      // worker that has it writes the entry itself
      if (!workerHasIt && a.job.kind === 'put') {
        const job = this.makeJob('fail', '', a.job.line, a.job.method, a.job.target, 0, 400, true);
        this.ctx.pool.submit({ job, onMessage: () => {} });
      }
    }
    this.socket.destroy();
  }
}

/**
 * The bytes in a buffer of their own, ready to transfer to a worker. A socket read that is wholly
 * body already is one (Node gives every read its own ArrayBuffer), so it moves without a copy;
 * a piece that shares its buffer with a request head or the next request is copied.
 */
function ownedBytes(piece: Buffer): ArrayBuffer {
  const buffer = piece.buffer as ArrayBuffer;
  if (piece.byteOffset === 0 && piece.byteLength === buffer.byteLength && !(buffer instanceof SharedArrayBuffer)) return buffer;
  const copy = Buffer.allocUnsafeSlow(piece.length);
  piece.copy(copy);
  return copy.buffer;
}
