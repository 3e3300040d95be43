// One timed load window with autocannon: every response time goes into an HDR histogram at
// microsecond resolution (autocannon's own percentiles are whole milliseconds).
import autocannon from 'autocannon';
import * as hdr from 'hdr-histogram-js';
import type { Socket } from 'node:net';
import { BODY_GAP_MS } from './http.js';
import type { LoadResult, WorkloadSpec } from './job.js';
import { clientRequests, type Counters } from './requests.js';

const MAX_LATENCY_US = 3_600_000_000;

/** the parts of autocannon's client (lib/httpClient.js, 9.x) the lab steers */
interface ClientInternals {
  parser: Record<number, (info: { shouldKeepAlive?: boolean }) => unknown> & { constructor: { kOnHeadersComplete: number } };
  pipelinedRequests: { peek(): { req?: { method?: string } } | undefined };
  conn: Socket;
  destroyed: boolean;
  reqsMade: number;
  responseMax?: number;
  _doRequest(): void;
  _connect(): void;
  _destroyConnection(): void;
  getRequestBuffer(): Buffer;
}

const proto = (client: autocannon.Client) => Object.getPrototypeOf(client) as ClientInternals;

/**
 * autocannon does not tell its HTTP parser that a HEAD response has no body, so a HEAD answer
 * with a Content-Length would stall the connection; tell it (as Node's own client does). It also
 * notes an answer that announces `Connection: close`.
 */
function watchAnswers(client: autocannon.Client, onCloseAnnounced: () => void): void {
  // the client sets its parser's callbacks after setupClient returns
  queueMicrotask(() => {
    const c = client as unknown as ClientInternals;
    const key = c.parser.constructor.kOnHeadersComplete;
    const original = c.parser[key]!;
    c.parser[key] = (info) => {
      if (info.shouldKeepAlive === false) onCloseAnnounced();
      original(info);
      return c.pipelinedRequests.peek()?.req?.method === 'HEAD' ? 1 : 0;
    };
  });
}

/**
 * Steers one autocannon client by the server's client settings. A request after an answer that
 * closes the connection (connection: close, or announced with Connection: close) goes on a fresh
 * connection, as curl and the course's tests do: autocannon would write it on the closed one and
 * count an error. With body: after-head, a PUT's body follows its head in a write of its own.
 */
function steerClient(client: autocannon.Client, w: WorkloadSpec): void {
  const c = client as unknown as ClientInternals;
  const oneRequestEach = w.client.connection === 'close';
  let conn: Socket | undefined;
  let carried = 0;
  let closeAnnounced = false;
  watchAnswers(client, () => (closeAnnounced = true));
  c._doRequest = () => {
    if (c.conn !== conn) {
      conn = c.conn;
      carried = 0;
      closeAnnounced = false;
    }
    const finished = c.responseMax !== undefined && c.responseMax > 0 && c.reqsMade >= c.responseMax;
    if (carried > 0 && (oneRequestEach || closeAnnounced) && !c.destroyed && !finished) {
      c._destroyConnection();
      c._connect(); // which sends the next request on the new connection
      return;
    }
    carried++;
    proto(client)._doRequest.call(c);
  };
  if (w.client.body === 'after-head') {
    c.getRequestBuffer = () => {
      const whole = proto(client).getRequestBuffer.call(c);
      const headEnd = whole.indexOf('\r\n\r\n') + 4;
      if (headEnd <= 3 || headEnd === whole.length) return whole;
      const socket = c.conn;
      setTimeout(() => socket.destroyed || socket.write(whole.subarray(headEnd)), BODY_GAP_MS);
      return whole.subarray(0, headEnd);
    };
  }
}

/** @param requests when given, the window is this many requests and lasts as long as they take */
export async function runLoad(target: URL, w: WorkloadSpec, durationS: number, seqBase: number, requests?: number): Promise<LoadResult> {
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: MAX_LATENCY_US, numberOfSignificantValueDigits: 3 });
  const counters: Counters = { requests: 0, contentBytes: 0, wireBytesSent: 0, statusCounts: {} };
  let wireBytesReceived = 0;
  let nextClient = 0;

  // the window is exact: responses completing after the deadline are not counted (autocannon
  // itself only stops on its next sample tick)
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = requests === undefined ? started + durationS * 1000 : Infinity;
  const inWindow = () => performance.now() <= deadline;
  let instance!: autocannon.Instance;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon({
    url: target.origin,
    connections: w.connections,
    ...(requests === undefined ? { duration: durationS } : { amount: requests }),
    timeout: w.timeoutS,
    pipelining: 1,
    sampleInt: 20,
    setupClient: (client) => {
      client.setRequests(clientRequests(w, nextClient++, seqBase, counters, inWindow));
      steerClient(client, w);
    },
    }, (err: Error | null, result) => (err ? reject(err) : resolve(result)));
  });
  instance.on('response', (_client, _status, resBytes, responseTimeMs) => {
    // wire bytes count the whole run: the server's I/O counters see all of it
    wireBytesReceived += resBytes;
    if (!inWindow()) return;
    histogram.recordValue(Math.max(1, Math.round(responseTimeMs * 1000)));
  });
  const result = await done;
  const cpu = process.cpuUsage(cpuBefore);
  const wallS = (performance.now() - started) / 1000;
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;

  const latencyUs = counters.requests === 0
    ? { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 }
    : {
        p50: histogram.getValueAtPercentile(50),
        p90: histogram.getValueAtPercentile(90),
        p99: histogram.getValueAtPercentile(99),
        p999: histogram.getValueAtPercentile(99.9),
        max: histogram.maxValue,
        mean: Math.round(histogram.mean),
      };
  histogram.destroy();
  return {
    phase: 'load',
    durationS: requests === undefined ? durationS : wallS,
    requests: counters.requests,
    contentBytes: counters.contentBytes,
    wireBytesSent: counters.wireBytesSent,
    wireBytesReceived,
    statusCounts: counters.statusCounts,
    errors: result.errors,
    timeouts: result.timeouts,
    latencyUs,
    cpuSeconds,
    cpuCores: cpuSeconds / wallS,
    loadS: wallS,
  };
}
