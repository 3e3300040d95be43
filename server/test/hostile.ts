// Helpers for the hostile-input tests (fuzz, slow clients, memory): a strict streaming reader of
// the server's responses, a tree snapshot to prove nothing outside --dir changed, peak RSS, and a
// raw request with a client-side deadline.
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { join, relative } from 'node:path';

/** DESIGN §2: the statuses the server may send, with their reason phrases. */
export const REASONS: Readonly<Record<number, string>> = {
  200: 'OK',
  201: 'Created',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  500: 'Internal Server Error',
};

/** DESIGN §2: `/` then 1–27 characters from [A-Za-z0-9_-]. */
export const VALID_TARGET = /^\/[A-Za-z0-9_-]{1,27}$/;

export interface ParsedResponse {
  status: number;
  contentLength: number;
  /** the server announced it closes the connection after this response */
  close: boolean;
  body: Buffer;
}

export class ProtocolViolation extends Error {}

/**
 * Reads Content-Length framed responses from a byte stream. `next` returns null while a response
 * is incomplete and throws ProtocolViolation for anything that is not a valid response.
 */
export class ResponseReader {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  count = 0;

  push(chunk: Buffer): void {
    this.buf = this.pos === this.buf.length ? chunk : Buffer.concat([this.buf.subarray(this.pos), chunk]);
    this.pos = 0;
  }

  /** bytes received but not yet consumed as a whole response */
  get remaining(): number {
    return this.buf.length - this.pos;
  }

  preview(max = 120): string {
    return JSON.stringify(this.buf.subarray(this.pos, this.pos + max).toString('latin1'));
  }

  /** `headOnly`: the response answers a HEAD request, so it carries no body whatever its Content-Length. */
  next(headOnly: boolean): ParsedResponse | null {
    const start = this.pos;
    const prefix = this.buf.subarray(start, start + 9).toString('latin1');
    if (!'HTTP/1.1 '.startsWith(prefix)) {
      throw new ProtocolViolation(`response does not start with "HTTP/1.1 ": ${this.preview()}`);
    }
    const end = this.buf.indexOf('\r\n\r\n', start);
    if (end < 0) {
      if (this.remaining > 16 * 1024) throw new ProtocolViolation(`response head over 16 KiB: ${this.preview()}`);
      return null;
    }
    const lines = this.buf.subarray(start, end).toString('latin1').split('\r\n');
    const m = /^HTTP\/1\.1 (\d{3}) (.*)$/.exec(lines[0]!);
    const status = m ? Number(m[1]) : NaN;
    if (!m || REASONS[status] === undefined) throw new ProtocolViolation(`invalid status line ${JSON.stringify(lines[0])}`);
    if (m[2] !== REASONS[status]) throw new ProtocolViolation(`status ${status} with reason ${JSON.stringify(m[2])}`);
    let contentLength: number | null = null;
    let close = false;
    for (const line of lines.slice(1)) {
      const h = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/.exec(line);
      if (!h) throw new ProtocolViolation(`malformed response header ${JSON.stringify(line)}`);
      const key = h[1]!.toLowerCase();
      if (key === 'content-length') {
        if (contentLength !== null) throw new ProtocolViolation('two Content-Length headers');
        if (!/^\d{1,15}$/.test(h[2]!)) throw new ProtocolViolation(`bad Content-Length ${JSON.stringify(h[2])}`);
        contentLength = Number(h[2]);
      } else if (key === 'connection' && h[2]!.toLowerCase() === 'close') close = true;
    }
    if (contentLength === null) throw new ProtocolViolation(`response without Content-Length: ${JSON.stringify(lines[0])}`);
    const bodyLength = headOnly ? 0 : contentLength;
    if (end + 4 + bodyLength > this.buf.length) return null;
    const body = this.buf.subarray(end + 4, end + 4 + bodyLength);
    this.pos = end + 4 + bodyLength;
    this.count++;
    return { status, contentLength, close, body };
  }
}

export interface TreeEntry {
  type: 'file' | 'dir' | 'symlink' | 'other';
  mode: number;
  size: number;
  mtimeMs: number;
  /** sha1 of a file's content, or a symlink's target */
  content: string;
}

/** Every path under `root` (except those under `skip`), with its type, mode, size, mtime and content hash. */
export function snapshotTree(root: string, skip: string[] = []): Record<string, TreeEntry> {
  const out: Record<string, TreeEntry> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (skip.includes(path)) continue;
      const st = lstatSync(path);
      const type = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'other';
      const content =
        type === 'file' ? createHash('sha1').update(readFileSync(path)).digest('hex') : type === 'symlink' ? readlinkSync(path) : '';
      out[relative(root, path)] = { type, mode: st.mode, size: st.size, mtimeMs: st.mtimeMs, content };
      if (type === 'dir') walk(path);
    }
  };
  walk(root);
  return out;
}

/** Peak resident set size of a process (VmHWM), in bytes. */
export function peakRssBytes(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmHWM for pid ${pid}`);
  return Number(m[1]) * 1024;
}

export function currentRssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

export interface TimedResult {
  /** null when the deadline passed first, the connection failed or the response was invalid */
  response: ParsedResponse | null;
  ms: number;
  error?: string;
}

/**
 * Sends one request on a fresh connection and waits for its whole response, at most `deadlineMs`
 * (then gives up and reports null), so a starved client cannot hang the test.
 */
/** `payload` may be several buffers (e.g. a head and a body shared by many requests), written in order. */
export function timedRequest(port: number, payload: Buffer | string | readonly Buffer[], deadlineMs: number, headOnly = false): Promise<TimedResult> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const reader = new ResponseReader();
    const socket = connect(port, '127.0.0.1');
    let settled = false;
    const done = (response: ParsedResponse | null, error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ response, ms: performance.now() - t0, ...(error === undefined ? {} : { error }) });
    };
    const timer = setTimeout(() => done(null, `no response within ${deadlineMs} ms`), deadlineMs);
    socket.setNoDelay(true);
    socket.on('connect', () => {
      if (typeof payload === 'string' || Buffer.isBuffer(payload)) socket.write(payload);
      else for (const part of payload) socket.write(part);
    });
    socket.on('data', (d: Buffer) => {
      reader.push(d);
      try {
        const r = reader.next(headOnly);
        if (r) done(r);
      } catch (err) {
        done(null, (err as Error).message);
      }
    });
    socket.on('error', (err) => done(null, err.message));
    socket.on('close', () => done(null, 'closed by the server before a whole response'));
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
