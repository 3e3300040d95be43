// The load generator's capacity: against one trivial server, wrk (C, the yardstick) versus
// autocannon with its worker threads versus the lab's own `speedlab loadgen` process with each
// engine (autocannon plus µs latency recording; wrk with the lab's request files and Lua script),
// then the reference server's best req/s through the lab's loadgen, so the headroom is on record.
// Build first (npx tsc -p .), then: node dist/bench/loadgen-capacity.js [--seconds 5] [--connections 32]
import autocannon from 'autocannon';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { canConnect, freePort } from '../loadgen/src/runtime/local/ports.js';
import { wrkThreads } from '../loadgen/src/workload/wrk/request-files.js';
import { availableParallelism } from 'node:os';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.resolve(here, '../loadgen/src/cli.js');
const SERVER = path.resolve(here, '../server/src/cli.js');

/**
 * The trivial server: nginx answering every request with a fixed 3-byte 200 from one worker
 * (so the load generators keep the other core). A Node responder topped out below wrk, which
 * made every generator look alike.
 */
async function startTrivial(root: string): Promise<{ port: number; proc: ChildProcess }> {
  const port = await freePort();
  const conf = path.join(root, 'nginx.conf');
  writeFileSync(conf, `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes 1; daemon off; pid ${root}/nginx.pid; error_log ${root}/error.log;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 100000000; server { listen 127.0.0.1:${port}; location / { return 200 "ok\\n"; } } }
`);
  const proc = spawn('nginx', ['-c', conf, '-e', path.join(root, 'error.log')], { stdio: 'ignore' });
  proc.on('error', (err) => {
    console.error(`cannot start nginx (${err.message}): install nginx-light (bash scripts/setup.sh)`);
    process.exit(1);
  });
  for (let i = 0; i < 200 && !(await canConnect(port)); i++) await new Promise((r) => setTimeout(r, 25));
  return { port, proc };
}

async function startServer(argv: string[], port: number, cwd?: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, argv, { stdio: 'ignore', ...(cwd && { cwd }) });
  for (let i = 0; i < 200 && !(await canConnect(port)); i++) await new Promise((r) => setTimeout(r, 25));
  return child;
}

function wrk(port: number, seconds: number, connections: number): number {
  // as many threads as the wrk engine takes here, so the two differ only by the lab's script
  const threads = wrkThreads(connections, availableParallelism());
  const out = execFileSync('wrk', [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, `http://127.0.0.1:${port}/x`], { encoding: 'utf8' });
  const m = /Requests\/sec:\s+([\d.]+)/.exec(out);
  if (!m) throw new Error(`no Requests/sec in wrk's output:\n${out}`);
  return Number(m[1]);
}

async function autocannonWorkers(port: number, seconds: number, connections: number, workers: number): Promise<number> {
  const r = await autocannon({ url: `http://127.0.0.1:${port}/x`, connections, duration: seconds, workers });
  return r.requests.total / seconds;
}

function labLoadgen(port: number, seconds: number, connections: number, mix: 'get' | 'put', fileSize: number, engine: 'autocannon' | 'wrk' = 'autocannon'): { rps: number; cpu: number } {
  const job = {
    phase: 'load', engine, durationS: seconds, seqBase: 0x30000000,
    workload: { seed: 1, fileSize, mix, ratio: { get: 0, put: 0, head: 0 }, files: { kind: 'distinct', perConnection: 1 }, connections, timeoutS: 10 },
  };
  const out = execFileSync(process.execPath, [CLI, 'loadgen', '--target', `http://127.0.0.1:${port}`, '--job', JSON.stringify(job)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const r = JSON.parse(out.trim()) as { requests: number; durationS: number; cpuCores: number };
  return { rps: r.requests / r.durationS, cpu: r.cpuCores };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, connections: { type: 'string', default: '32' } } });
  const seconds = Number(values.seconds);
  const connections = Number(values.connections);
  const root = mkdtempSync('/dev/shm/speedlab-capacity-');
  const { port, proc: trivial } = await startTrivial(root);
  let w: number, ac: number, lab: { rps: number; cpu: number }, labWrk: { rps: number; cpu: number };
  try {
    w = wrk(port, seconds, connections);
    ac = await autocannonWorkers(port, seconds, connections, 2);
    lab = labLoadgen(port, seconds, connections, 'get', 4096);
    labWrk = labLoadgen(port, seconds, connections, 'get', 4096, 'wrk');
  } finally {
    trivial.kill('SIGTERM');
    rmSync(root, { recursive: true, force: true });
  }
  const f = (x: number) => Math.round(x).toString().padStart(8);
  console.log(`trivial server (nginx, 1 worker, fixed 200), ${connections} connections, ${seconds}s each (${process.env.HOSTNAME ?? ''} ${(await import('node:os')).availableParallelism()} CPUs)`);
  console.log(`  wrk (${wrkThreads(connections, availableParallelism())} threads)                 ${f(w)} req/s`);
  console.log(`  autocannon (2 workers)          ${f(ac)} req/s   ratio to wrk ${(ac / w).toFixed(2)}`);
  console.log(`  speedlab loadgen, autocannon    ${f(lab.rps)} req/s   ratio to wrk ${(lab.rps / w).toFixed(2)}   loadgen CPU ${lab.cpu.toFixed(2)} cores`);
  console.log(`  speedlab loadgen, engine wrk    ${f(labWrk.rps)} req/s   ratio to wrk ${(labWrk.rps / w).toFixed(2)}   loadgen CPU ${labWrk.cpu.toFixed(2)} cores   ratio to the autocannon engine ${(labWrk.rps / lab.rps).toFixed(2)}`);

  // the reference server's best configuration for small files, through the lab's loadgen
  const refPort = await freePort();
  const dir = mkdtempSync('/dev/shm/speedlab-bench-');
  const ref = await startServer([SERVER, String(refPort), '-N', '2', '--dir', dir], refPort);
  try {
    const best = labLoadgen(refPort, seconds, connections, 'put', 4096);
    const headroom = lab.rps / best.rps;
    console.log(`reference server (-N 2, log off, 4KiB PUT): ${f(best.rps)} req/s, loadgen CPU ${best.cpu.toFixed(2)} cores`);
    console.log(`headroom of the lab's loadgen over it: ${headroom.toFixed(2)}×${headroom < 2 ? '  (under 2×: points near this rate are at risk of being loadgen-bound; the loadgenBound flag marks them)' : ''}`);
  } finally {
    ref.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
