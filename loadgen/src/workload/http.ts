// A plain HTTP client for the seed and verify passes (not the measured window): streams
// bodies in and out, never buffers a response.
import http from 'node:http';
import type { WorkloadSpec } from './job.js';

interface HttpReply {
  status: number;
  contentLength: number | undefined;
}

/** a request that got no answer: which one (`request`, "PUT /name") and why (the message) */
class RequestError extends Error {
  constructor(readonly request: string, why: string, options?: ErrorOptions) {
    super(why, options);
  }

  /** "PUT /name: socket hang up" */
  get line(): string {
    return `${this.request}: ${this.message}`;
  }
}

/** a failure line naming its request once, whatever threw */
export function failureLine(request: string, err: unknown): string {
  return err instanceof RequestError ? err.line : `${request}: ${(err as Error).message}`;
}

/** how the seed and verify passes reach the server, by its client settings (check/settings.ts) */
export interface LabClient {
  agent: http.Agent;
  target: URL;
  timeoutMs: number;
  /** a PUT's body goes in a write of its own, BODY_GAP_MS after the head */
  bodyAfterHead: boolean;
}

/** between a head and its body when they go in separate writes: long enough for a server's recv() of the head to return first */
export const BODY_GAP_MS = 50;

/** a client of at most `limit` connections at once; connection: close opens one per request */
export function labClient(target: URL, w: WorkloadSpec, limit: number): LabClient {
  const keepAlive = w.client.connection === 'keep-alive';
  return {
    agent: new http.Agent({ keepAlive, maxSockets: limit }),
    target,
    timeoutMs: w.timeoutS * 1000,
    bodyAfterHead: w.client.body === 'after-head',
  };
}

/**
 * One request. A server may close a kept-alive connection without announcing it in a header (the
 * course's reference does after an error, DESIGN §2): a request sent on such a socket before its
 * close was seen fails with no answer, and is sent once more on a fresh connection.
 */
export async function httpRequest(client: LabClient, method: Method, path: string, body?: Buffer, onChunk?: (chunk: Buffer) => void): Promise<HttpReply> {
  const send = () => sendOnce({ client, method, path, body, onChunk });
  try {
    return await send();
  } catch (err) {
    if (!(err instanceof ClosedUnannounced)) throw err;
    try {
      return await send();
    } catch {
      // the server is gone, not just the connection: what the first send saw is the symptom to report
      throw err.symptom;
    }
  }
}

/** The server had closed the reused connection: nothing was answered, so sending again is safe. */
class ClosedUnannounced extends Error {
  constructor(readonly symptom: RequestError) {
    super(symptom.line, { cause: symptom });
  }
}

const CLOSED_CODES = new Set(['ECONNRESET', 'EPIPE']);

type Method = 'GET' | 'PUT' | 'HEAD';

interface OneRequest {
  client: LabClient;
  method: Method;
  path: string;
  body?: Buffer;
  onChunk?: (chunk: Buffer) => void;
}

function sendOnce({ client, method, path, body, onChunk }: OneRequest): Promise<HttpReply> {
  const { agent, target, timeoutMs } = client;
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        method,
        path,
        headers: body ? { 'Content-Length': String(body.length) } : {},
        timeout: timeoutMs,
      },
      (res) => {
        answered = true;
        const header = res.headers['content-length'];
        const reply = { status: res.statusCode ?? 0, contentLength: header === undefined ? undefined : Number(header) };
        res.on('data', (chunk: Buffer) => onChunk?.(chunk));
        res.on('end', () => resolve(reply));
        res.on('error', fail);
      },
    );
    const fail = (err: Error) => reject(new RequestError(`${method} ${path}`, err.message, { cause: err }));
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => {
      const closedBeforeAnswer = req.reusedSocket && !answered && CLOSED_CODES.has(err.code ?? '');
      if (closedBeforeAnswer) reject(new ClosedUnannounced(new RequestError(`${method} ${path}`, err.message, { cause: err })));
      else fail(err);
    });
    if (body && client.bodyAfterHead) {
      req.flushHeaders();
      // the gap counts from when the head can leave: a new connection sends it once connected
      let timer: NodeJS.Timeout | undefined;
      const later = () => (timer = setTimeout(() => req.end(body), BODY_GAP_MS));
      req.once('socket', (socket) => (socket.connecting ? socket.once('connect', later) : later()));
      req.on('close', () => clearTimeout(timer));
    } else req.end(body);
  });
}

/** runs `task` over `items` with at most `limit` in flight */
export async function pool<T>(items: T[], limit: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await task(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
