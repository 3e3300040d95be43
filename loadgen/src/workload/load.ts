// One timed load window with autocannon: every response time goes into an HDR histogram at
// microsecond resolution (autocannon's own percentiles are whole milliseconds).
import autocannon from 'autocannon';
import * as hdr from 'hdr-histogram-js';
import type { LoadResult, WorkloadSpec } from './job.js';
import { clientRequests, type Counters } from './requests.js';

const MAX_LATENCY_US = 3_600_000_000;

/**
 * autocannon does not tell its HTTP parser that a HEAD response has no body, so a HEAD answer
 * with a Content-Length would stall the connection; tell it (as Node's own client does).
 */
function skipBodyOfHead(client: autocannon.Client): void {
  queueMicrotask(() => {
    const c = client as unknown as {
      parser: Record<number, (info: unknown) => unknown> & { constructor: { kOnHeadersComplete: number } };
      pipelinedRequests: { peek(): { req?: { method?: string } } | undefined };
    };
    const key = c.parser.constructor.kOnHeadersComplete;
    const original = c.parser[key]!;
    c.parser[key] = (info: unknown) => {
      original(info);
      return c.pipelinedRequests.peek()?.req?.method === 'HEAD' ? 1 : 0;
    };
  });
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
      skipBodyOfHead(client);
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
  };
}
