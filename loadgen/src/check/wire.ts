// The check's client: exact bytes out, exact bytes back, over one plain TCP connection, so that
// every stage can say what was sent and what came back (no HTTP library to hide either).
import net from 'node:net';

export interface Target { host: string; port: number }

export interface Reply {
  /** the status code, when a status line came back */
  status?: number;
  headers: Record<string, string>;
  /** the body bytes read (Content-Length of them at most) */
  body: Buffer;
  /** the first bytes that came back, whole head included (shortened later for printing) */
  raw: Buffer;
  /** a whole response arrived (head, and Content-Length bytes of body) */
  complete: boolean;
  /** the server closed (or reset) the connection */
  closed: boolean;
  /** nothing more arrived within the time allowed */
  timedOut: boolean;
  /** the connection could not be made, or was reset: the error's code (ECONNREFUSED, ECONNRESET) */
  error?: string;
}

const RAW_KEEP = 512;

/** one connection the check drives by hand: write what it likes, read one response at a time */
export class Conn {
  private buffered = Buffer.alloc(0);
  private raw: Buffer[] = [];
  closed = false;
  error: string | undefined;
  private wake: (() => void) | undefined;

  private constructor(private readonly sock: net.Socket) {
    sock.on('data', (d: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, d]);
      if (this.raw.reduce((n, b) => n + b.length, 0) < RAW_KEEP) this.raw.push(d);
      this.wake?.();
    });
    sock.on('end', () => { this.closed = true; this.wake?.(); });
    sock.on('close', () => { this.closed = true; this.wake?.(); });
    sock.on('error', (e: NodeJS.ErrnoException) => { this.error = e.code ?? e.message; this.closed = true; this.wake?.(); });
  }

  static open(target: Target, timeoutMs: number): Promise<Conn | string> {
    return new Promise((resolve) => {
      const sock = net.connect({ host: target.host, port: target.port });
      const timer = setTimeout(() => { sock.destroy(); resolve('ETIMEDOUT'); }, timeoutMs);
      sock.once('connect', () => { clearTimeout(timer); resolve(new Conn(sock)); });
      sock.once('error', (e: NodeJS.ErrnoException) => { clearTimeout(timer); resolve(e.code ?? e.message); });
    });
  }

  write(bytes: Buffer | string): Promise<void> {
    return new Promise((resolve) => {
      if (this.sock.destroyed) return resolve();
      this.sock.write(bytes, () => resolve());
    });
  }

  /** reads one response (HEAD: head only); waits at most timeoutMs for it */
  async read(timeoutMs: number, head = false): Promise<Reply> {
    this.raw = this.buffered.length > 0 ? [this.buffered.subarray(0, RAW_KEEP)] : [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const parsed = parseResponse(this.buffered, head);
      if (parsed.complete) {
        this.buffered = this.buffered.subarray(parsed.consumed);
        return this.reply(parsed, false);
      }
      const left = deadline - Date.now();
      if (this.closed || left <= 0) return this.reply(parsed, left <= 0 && !this.closed);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => { clearTimeout(timer); resolve(); };
      });
      this.wake = undefined;
    }
  }

  /** waits up to ms for the first bytes of an answer; true when some came */
  async someBytesWithin(ms: number): Promise<boolean> {
    if (this.buffered.length === 0 && !this.closed) await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => { clearTimeout(timer); resolve(); };
    });
    this.wake = undefined;
    return this.buffered.length > 0;
  }

  /** waits up to ms for the server to close this connection; true when it did */
  async closedWithin(ms: number): Promise<boolean> {
    if (!this.closed) await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => { clearTimeout(timer); resolve(); };
    });
    this.wake = undefined;
    return this.closed;
  }

  private reply(p: Parsed, timedOut: boolean): Reply {
    const raw = Buffer.concat(this.raw).subarray(0, RAW_KEEP);
    return {
      ...(p.status !== undefined && { status: p.status }),
      headers: p.headers, body: p.body, raw, complete: p.complete, closed: this.closed, timedOut,
      ...(this.error !== undefined && { error: this.error }),
    };
  }

  /** closes the connection after the bytes written (FIN) */
  end(): void {
    this.sock.end();
  }

  /** lets go of the connection at once (a half-closed socket the server never closes would keep this process alive) */
  destroy(): void {
    this.sock.destroy();
  }

  /** closes at once with a reset (RST), as a client that gives up mid-response */
  reset(): void {
    this.sock.resetAndDestroy();
  }
}

interface Parsed { status?: number; headers: Record<string, string>; body: Buffer; complete: boolean; consumed: number }

function parseResponse(buf: Buffer, headOnly: boolean): Parsed {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return { headers: {}, body: Buffer.alloc(0), complete: false, consumed: 0 };
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = headOnly ? 0 : Number(headers['content-length'] ?? NaN);
  const bodyStart = end + 4;
  const available = buf.length - bodyStart;
  const complete = Number.isFinite(length) && available >= length;
  const bodyLength = Number.isFinite(length) ? Math.min(available, length) : available;
  return {
    ...(status && { status: Number(status[1]) }),
    headers,
    body: buf.subarray(bodyStart, bodyStart + bodyLength),
    complete,
    consumed: bodyStart + bodyLength,
  };
}

/** bytes as a reader can see them: printable ASCII as is, \r \n escaped, others as \xNN; at most `max` shown */
export function shown(bytes: Buffer | string, max = 120): string {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
  let out = '';
  for (const b of buf.subarray(0, max)) {
    if (b === 0x0d) out += '\\r';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x5c) out += '\\\\';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return buf.length > max ? `${out}… (${buf.length} bytes)` : out;
}
