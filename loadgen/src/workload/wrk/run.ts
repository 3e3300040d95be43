// One timed load window with wrk. wrk takes whole seconds for -d and ignores SIGINT until its
// threads run, so it gets a longer -d and SIGINT at the window's end (again every 200 ms until it
// exits: a first one may land before its handler); it then stops within its 100 ms tick and
// reports its own run time, which the rates divide by.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { WrkFailed } from '../../errors.js';
import { cpuSecondsOf } from '../../util/proc-stat.js';
import { checkJson } from '../../validate.js';
import type { LoadResult, WorkloadSpec } from '../job.js';
import { locateWrk } from './locate.js';
import { writeRequestFiles, wrkThreads } from './request-files.js';
import { RESULT_MARKER, WRK_SCRIPT } from './script.js';

const STDERR_TAIL = 2000;

const count = z.number().min(0);

/** the JSON line the script's done() prints (latencies in µs) */
const wrkSummarySchema = z.object({
  requests: count,
  durationUs: count,
  bytesReceived: count,
  bytesSent: count,
  connect: count,
  read: count,
  write: count,
  status: count,
  timeout: count,
  p50: count,
  p90: count,
  p99: count,
  p999: count,
  max: count,
  mean: count,
});

type WrkSummary = z.output<typeof wrkSummarySchema>;

export function parseWrkOutput(stdout: string): WrkSummary {
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER));
  if (!line) throw new WrkFailed(`wrk printed no result line: ${JSON.stringify(stdout.slice(-300))}`);
  const r = checkJson(wrkSummarySchema, line.slice(RESULT_MARKER.length));
  if (!r.ok) throw new WrkFailed(`wrk's result line: ${r.problem}`);
  return r.value;
}

/** wrk's summary as the lab's load result (status in wrk's two classes; see script.ts) */
function toLoadResult(s: WrkSummary, w: WorkloadSpec, cpuSeconds: number, wallS: number): LoadResult {
  const durationS = s.durationUs / 1e6;
  const ok = s.requests - s.status;
  const statusCounts: Record<string, number> = {};
  if (ok > 0) statusCounts['2xx'] = ok;
  if (s.status > 0) statusCounts['4xx/5xx'] = s.status;
  return {
    phase: 'load',
    durationS,
    requests: s.requests,
    // a successful PUT or GET moves one file (HEAD is not run through wrk: see resolve.ts)
    contentBytes: ok * w.fileSize,
    wireBytesSent: s.bytesSent,
    wireBytesReceived: s.bytesReceived,
    statusCounts,
    errors: s.connect + s.read + s.write,
    timeouts: s.timeout,
    latencyUs: s.requests === 0
      ? { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 }
      : { p50: s.p50, p90: s.p90, p99: s.p99, p999: s.p999, max: s.max, mean: Math.round(s.mean) },
    cpuSeconds,
    cpuCores: cpuSeconds / wallS,
  };
}

export async function runWrkLoad(target: URL, w: WorkloadSpec, durationS: number, seqBase: number): Promise<LoadResult> {
  const wrk = locateWrk();
  const threads = wrkThreads(w.connections, availableParallelism());
  const dir = mkdtempSync(path.join(tmpdir(), 'speedlab-wrk-'));
  try {
    const script = path.join(dir, 'speedlab.lua');
    writeFileSync(script, WRK_SCRIPT);
    writeRequestFiles(dir, w, seqBase, threads, target.host);
    const args = [
      ...wrk.slice(1), '-t', String(threads), '-c', String(w.connections), '-d', `${Math.ceil(durationS) + 2}s`,
      '--timeout', `${Math.max(1, Math.ceil(w.timeoutS))}s`, '-s', script, `${target.origin}/`, '--', dir,
    ];
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const child = spawn(wrk[0]!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-STDERR_TAIL)));
    let wrkCpu = 0;
    let wallS = durationS;
    let interrupts: NodeJS.Timeout | undefined;
    const stopAtDeadline = setTimeout(() => {
      wrkCpu = child.pid === undefined ? 0 : cpuSecondsOf(child.pid) ?? 0;
      wallS = (performance.now() - started) / 1000;
      const interrupt = () => child.kill('SIGINT');
      interrupt();
      interrupts = setInterval(interrupt, 200);
    }, durationS * 1000);
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.on('error', (err) => {
        stderr += err.message;
        resolve({ code: 127, signal: null });
      });
      child.on('close', (code, signal) => resolve({ code, signal }));
    });
    const loadS = (performance.now() - started) / 1000;
    clearTimeout(stopAtDeadline);
    clearInterval(interrupts);
    if (exit.code !== 0) {
      const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
      throw new WrkFailed(`wrk ${how}: ${stderr.trim().split('\n').slice(-5).join(' | ') || '(no output on stderr)'}`);
    }
    const summary = parseWrkOutput(stdout);
    const own = process.cpuUsage(cpuBefore);
    return { ...toLoadResult(summary, w, wrkCpu + (own.user + own.system) / 1e6, wallS), loadS };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
