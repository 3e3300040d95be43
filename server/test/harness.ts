// Starts a server as a real process on a loopback port, and talks raw HTTP to it: the compiled
// reference server, or the C server of examples/c-server (the course's own kind of server).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SERVER_CLI = fileURLToPath(new URL('../../dist/server/src/cli.js', import.meta.url));
export const C_SERVER_DIR = fileURLToPath(new URL('../../examples/c-server/', import.meta.url));

export type ServerImpl = 'reference' | 'c';
/** Every implementation the protocol suites run against. */
export const IMPLS: readonly ServerImpl[] = ['reference', 'c'];

let cServerBinary: string | null = null;

/** Builds examples/c-server with make, once per process; throws with make's output when it cannot. */
export function buildCServer(): string {
  if (cServerBinary) return cServerBinary;
  try {
    execFileSync('make', ['-s', '-C', C_SERVER_DIR], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer; stdout?: Buffer };
    if (e.code === 'ENOENT') throw new Error('cannot build the C server: make is not installed (bash scripts/setup.sh installs make and gcc)');
    const output = `${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`.trim();
    throw new Error(`cannot build the C server with make -C ${C_SERVER_DIR} (bash scripts/setup.sh installs make and gcc):\n${output || e.message}`);
  }
  cServerBinary = join(C_SERVER_DIR, 'httpserver');
  return cServerBinary;
}

export interface TestServer {
  port: number;
  dir: string;
  logPath: string;
  proc: ChildProcess;
  stderr: () => string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** the reference server (default) or the C server */
  impl?: ServerImpl;
  /**
   * Options after PORT, --dir and -l. `-N`, `--lock` and `--timeout` mean the same to both servers;
   * the C server refuses the reference server's other options (a usage error: the start fails).
   */
  args?: string[];
  /** log to <tmp>/log with -l (default true) */
  log?: boolean;
  dir?: string;
  uid?: number;
  gid?: number;
}

export async function startTestServer(options: StartOptions = {}): Promise<TestServer> {
  const binary = options.impl === 'c' ? buildCServer() : process.execPath;
  const root = mkdtempSync('/dev/shm/speedlab-test-');
  const dir = options.dir ?? join(root, 'data');
  if (!options.dir) (await import('node:fs')).mkdirSync(dir);
  const logPath = join(root, 'log');
  const serverArgs = ['0', '--dir', dir, ...(options.log === false ? [] : ['-l', logPath]), ...(options.args ?? [])];
  const args = options.impl === 'c' ? serverArgs : [SERVER_CLI, ...serverArgs];
  if (options.uid !== undefined) (await import('node:fs')).chmodSync(root, 0o777);
  const proc = spawn(binary, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    uid: options.uid,
    gid: options.gid,
  });
  let err = '';
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on [\d.]+:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    proc.once('exit', (code) => reject(new Error(`server exited with ${code}: ${err}`)));
  });
  return {
    port,
    dir,
    logPath,
    proc,
    stderr: () => err,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Splits a byte stream into HTTP responses (Content-Length framed). HEAD responses need `headOnly`. */
export function parseResponses(data: Buffer, headOnly: boolean[] = []): RawResponse[] {
  const out: RawResponse[] = [];
  let pos = 0;
  while (pos < data.length) {
    const end = data.indexOf('\r\n\r\n', pos);
    if (end < 0) throw new Error(`incomplete response head: ${JSON.stringify(data.subarray(pos).toString('latin1'))}`);
    const lines = data.subarray(pos, end).toString('latin1').split('\r\n');
    const m = /^HTTP\/1\.1 (\d{3}) /.exec(lines[0]!);
    if (!m) throw new Error(`bad status line ${lines[0]}`);
    const headers: Record<string, string> = {};
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':');
      headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
    }
    const len = headers['content-length'] === undefined ? NaN : Number(headers['content-length']);
    if (Number.isNaN(len)) throw new Error('response without Content-Length');
    const bodyLen = headOnly[out.length] ? 0 : len;
    out.push({ status: Number(m[1]), headers, body: data.subarray(end + 4, end + 4 + bodyLen) });
    pos = end + 4 + bodyLen;
  }
  return out;
}

/** Sends bytes, half-closes nothing, and collects everything until the server closes or `idleMs` passes. */
export function exchange(port: number, payload: Buffer | string, idleMs = 300): Promise<{ data: Buffer; closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout;
    const done = (closedByServer: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ data: Buffer.concat(chunks), closedByServer });
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => done(false), idleMs);
    };
    socket.on('data', (d) => {
      chunks.push(d);
      arm();
    });
    socket.on('end', () => done(true));
    socket.on('error', reject);
    socket.on('connect', () => {
      socket.write(payload);
      arm();
    });
  });
}

/** One request on a fresh connection that the client closes after the response (Connection: close). */
export async function request(port: number, method: string, path: string, body?: Buffer | string): Promise<RawResponse> {
  const b = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
  const head = `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${method === 'PUT' ? `Content-Length: ${b.length}\r\n` : ''}\r\n`;
  const { data } = await exchange(port, Buffer.concat([Buffer.from(head, 'latin1'), b]), 5000);
  const [res] = parseResponses(data, [method === 'HEAD']);
  if (!res) throw new Error(`no response to ${method} ${path}`);
  return res;
}

export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/** The course's full-log format, written plainly from DESIGN §2, as the oracle for the server's log. */
export function expectedFullEntry(method: string, name: string, content: Buffer | null, length = content?.length ?? 0): string {
  const lines = [`${method} /${name} length ${length}`];
  if (content) {
    // one hex string sliced per line: byte by byte took seconds for a megabyte
    const hex = content.toString('hex');
    for (let i = 0; i < content.length; i += 20) {
      lines.push(String(i).padStart(8, '0') + hex.slice(2 * i, 2 * (i + 20)).replace(/../g, ' $&'));
    }
  }
  return lines.join('\n') + '\n========\n';
}

export function expectedFailEntry(line: string, status: number): string {
  return `FAIL: ${line} --- response ${status}\n========\n`;
}
