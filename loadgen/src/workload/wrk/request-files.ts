// The requests each wrk thread cycles through, written as files its Lua state loads. A thread
// serves the connections t, t+T, t+2T...; its cycle interleaves their cycles (requests.ts), so
// every thread sends the workload's mix. A PUT carries one prebuilt body per file name (each
// window its own seq), so the bodies take names × fileSize, which wrkBodyBytes bounds.
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { makeBody } from '../body.js';
import type { WorkloadSpec } from '../job.js';
import { allNames } from '../names.js';
import { cycleFor } from '../requests.js';

/** what the PUT bodies of one wrk run may take in memory (each thread's Lua state holds its own) */
export const WRK_BODY_BUDGET_BYTES = 128 * 1024 ** 2;

const METHOD = { put: 'PUT', get: 'GET', head: 'HEAD' } as const;

/** bytes of distinct PUT bodies a workload needs with wrk (0 without PUTs) */
export function wrkBodyBytes(w: Pick<WorkloadSpec, 'files' | 'connections' | 'fileSize'>, hasPut: boolean): number {
  if (!hasPut) return 0;
  const names = w.files.kind === 'shared' ? w.files.count : w.connections * w.files.perConnection;
  return names * w.fileSize;
}

/** wrk gives each thread connections/threads connections: the largest divisor of connections up to cpus */
export function wrkThreads(connections: number, cpus: number): number {
  for (let t = Math.max(1, Math.min(cpus, connections)); t > 1; t--) if (connections % t === 0) return t;
  return 1;
}

function requestHead(method: string, name: string, host: string, bodyBytes: number): Buffer {
  const lines = [`${method} /${name} HTTP/1.1`, `Host: ${host}`, 'Connection: keep-alive'];
  if (bodyBytes > 0) lines.push(`Content-Length: ${bodyBytes}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

/** writes t<N>.idx and t<N>.bin for each of `threads` threads into dir */
export function writeRequestFiles(dir: string, w: WorkloadSpec, seqBase: number, threads: number, host: string): void {
  const seqOf = new Map(allNames(w, w.connections).map((name, i) => [name, (seqBase + i) >>> 0]));
  const bodies = new Map<string, Buffer>();
  const bodyOf = (name: string) => {
    let body = bodies.get(name);
    if (!body) bodies.set(name, (body = makeBody(name, w.seed, seqOf.get(name)!, w.fileSize)));
    return body;
  };
  for (let t = 0; t < threads; t++) {
    const cycles = [];
    for (let client = t; client < w.connections; client += threads) cycles.push(cycleFor(w, client));
    const longest = Math.max(...cycles.map((c) => c.length));
    const lengths: number[] = [];
    const fd = openSync(path.join(dir, `t${t}.bin`), 'w');
    try {
      for (let j = 0; j < longest; j++) {
        for (const cycle of cycles) {
          const slot = cycle[j];
          if (!slot) continue;
          const body = slot.op === 'put' ? bodyOf(slot.name) : undefined;
          const head = requestHead(METHOD[slot.op], slot.name, host, body?.length ?? 0);
          writeAll(fd, head);
          if (body) writeAll(fd, body);
          lengths.push(head.length + (body?.length ?? 0));
        }
      }
    } finally {
      closeSync(fd);
    }
    writeFileSync(path.join(dir, `t${t}.idx`), `${lengths.join('\n')}\n`);
  }
}

function writeAll(fd: number, buf: Buffer): void {
  for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off);
}
