// Each connection's request cycle for autocannon. Small bodies are prebuilt once per
// connection (autocannon then sends ready buffers); when that would take too much memory
// (large files), each PUT body is built as it is sent.
import type autocannon from 'autocannon';
import { makeBody } from './body.js';
import type { WorkloadSpec } from './job.js';
import { opCycle, type Op } from './mix.js';
import { clientNames } from './names.js';

/** memory all connections' prebuilt PUT requests may take together */
const PREBUILT_BUDGET_BYTES = 128 * 1024 * 1024;
/** longer cycles (thousands of shared names) are cut; the connections' different offsets still spread the names */
const MAX_CYCLE = 4096;

export interface Counters {
  requests: number;
  contentBytes: number;
  wireBytesSent: number;
  statusCounts: Record<string, number>;
}

interface Slot { op: Op; name: string }

/** every op position meets every name once per cycle */
export function cycleFor(w: WorkloadSpec, client: number): Slot[] {
  const ops = opCycle(w);
  const names = clientNames(w, client);
  const slots: Slot[] = [];
  for (let r = 0; r < names.length && slots.length < MAX_CYCLE; r++) {
    for (let j = 0; j < ops.length; j++) slots.push({ op: ops[j]!, name: names[(r + j) % names.length]! });
  }
  return slots.slice(0, MAX_CYCLE);
}

const METHOD: Record<Op, 'PUT' | 'GET' | 'HEAD'> = { put: 'PUT', get: 'GET', head: 'HEAD' };

/** the request head autocannon writes, for the wire byte count */
function requestHeadBytes(method: string, path: string, bodyBytes: number): number {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1:00000', 'Connection: keep-alive'];
  if (bodyBytes > 0) lines.push(`Content-Length: ${bodyBytes}`);
  return lines.join('\r\n').length + 4;
}

function prebuiltFits(w: WorkloadSpec): boolean {
  const puts = cycleFor(w, 0).filter((s) => s.op === 'put').length;
  return w.connections * puts * w.fileSize <= PREBUILT_BUDGET_BYTES;
}

/** the autocannon requests of connection `client`; seqBase tags the bodies of this window */
export function clientRequests(
  w: WorkloadSpec,
  client: number,
  seqBase: number,
  counters: Counters,
  inWindow: () => boolean,
): autocannon.Request[] {
  const prebuilt = prebuiltFits(w);
  const seqOf = (n: number) => (seqBase + ((client & 0xfff) << 16) + (n & 0xffff)) >>> 0;
  let built = 0;
  return cycleFor(w, client).map((slot, i) => {
    const method = METHOD[slot.op];
    const path = `/${slot.name}`;
    const bodyBytes = slot.op === 'put' ? w.fileSize : 0;
    const wire = requestHeadBytes(method, path, bodyBytes) + bodyBytes;
    const req: autocannon.Request = {
      method,
      path,
      onResponse: (status: number) => {
        counters.wireBytesSent += wire;
        if (!inWindow()) return;
        counters.requests++;
        counters.statusCounts[status] = (counters.statusCounts[status] ?? 0) + 1;
        if (slot.op === 'put' || (slot.op === 'get' && status === 200)) counters.contentBytes += w.fileSize;
      },
    };
    if (slot.op === 'put') {
      if (prebuilt) req.body = makeBody(slot.name, w.seed, seqOf(i), w.fileSize);
      else req.setupRequest = (r) => ({ ...r, body: makeBody(slot.name, w.seed, seqOf(built++), w.fileSize) });
    }
    return req;
  });
}
