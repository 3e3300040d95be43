// The thread-state sampler's cost to the server it watches (issue 21): the same point — a server
// with 64 worker threads under wrk — measured with the sampler on and off, in paired rounds (the
// order alternates, so drift on a shared machine falls on both alike). The sampler runs in this
// process, as it runs in the orchestrator. Reports the throughput ratio on/off per round and its
// median (target >= 0.98 at 100 Hz), the samples it took and the CPU it used.
// --cpus split (the default on two or more CPUs) arranges the CPUs as the Docker runtime does: the
// server on the server's cpuset, wrk and this process (the sampler) on the load generator's
// (containers/cpus.ts splitCpus); --cpus shared lets all three run anywhere.
// Build first (npx tsc -p . and make -C examples/c-server; npm run bench:sampler does both), then:
//   node dist/bench/sampler-overhead.js [--server c|reference] [--threads 64] [--hz 100] [--looks 16|all]
//     [--rounds 5] [--seconds 4] [--cpus split|shared] [--io-delay MS]
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { splitCpus } from '../loadgen/src/runtime/docker/containers/cpus.js';
import { canConnect, freePort } from '../loadgen/src/runtime/local/ports.js';
import { keepThisProcessTo } from '../loadgen/src/threads/pin.js';
import { DEFAULT_LOOKS_PER_TICK, ThreadSampler } from '../loadgen/src/threads/sampler.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '../..');
const C_SERVER = path.join(ROOT, 'examples/c-server/httpserver');
const REFERENCE = path.resolve(here, '../server/src/cli.js');

const { values } = parseArgs({
  options: {
    server: { type: 'string', default: 'c' },
    threads: { type: 'string', default: '64' },
    hz: { type: 'string', default: '100' },
    // threads looked at per tick (the sampler's budget); all: every thread, every tick
    looks: { type: 'string', default: String(DEFAULT_LOOKS_PER_TICK) },
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '4' },
    connections: { type: 'string', default: '64' },
    cpus: { type: 'string', default: os.cpus().length >= 2 ? 'split' : 'shared' },
    'io-delay': { type: 'string', default: '0' },
  },
});
if (values.cpus !== 'split' && values.cpus !== 'shared') {
  console.error(`bench:sampler: --cpus is split or shared, not '${values.cpus}'`);
  process.exit(2);
}
const split = values.cpus === 'split' ? splitCpus(os.cpus().length) : undefined;
/** argv run on `cpus` (taskset), or as it is without a split */
const onCpus = (cpus: string | undefined, argv: string[]) => (cpus === undefined ? argv : ['taskset', '-c', cpus, ...argv]);
const threads = Number(values.threads);
const hz = Number(values.hz);
const looksPerTick = values.looks === 'all' ? Number.MAX_SAFE_INTEGER : Number(values.looks);
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const connections = Number(values.connections);

async function startServer(dir: string): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const delay = ['--io-delay', values['io-delay']];
  const argv = onCpus(split?.server, values.server === 'reference'
    ? [process.execPath, REFERENCE, String(port), '-N', String(threads), '--dir', dir, ...delay]
    : [C_SERVER, String(port), '-N', String(threads), '--lock', 'file', '--dir', dir, ...delay]);
  const child = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore' });
  for (let i = 0; i < 400 && !(await canConnect(port)); i++) await new Promise((r) => setTimeout(r, 25));
  const put = await fetch(`http://127.0.0.1:${port}/f`, { method: 'PUT', body: 'x'.repeat(4096) });
  if (put.status >= 300) throw new Error(`seeding /f: the server answered ${put.status}`);
  return { port, child };
}

/** wrk's rate over `s` seconds; a child waited for without blocking, since the sampler's timer needs the event loop */
function wrkRate(port: number, s: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = onCpus(split?.loadgen, ['wrk', '-t2', `-c${connections}`, `-d${s}s`, `http://127.0.0.1:${port}/f`]);
    const child = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('close', () => {
      const m = /Requests\/sec:\s+([\d.]+)/.exec(out);
      if (m) resolve(Number(m[1]));
      else reject(new Error(`wrk printed no rate:\n${out}`));
    });
  });
}

async function measure(port: number, pid: number, on: boolean): Promise<{ rps: number; ticks: number; looks: number; cpuS: number }> {
  const cpu0 = process.cpuUsage();
  const sampler = on ? new ThreadSampler({ hz, looksPerTick, processes: () => [pid] }) : undefined;
  sampler?.start();
  const rps = await wrkRate(port, seconds);
  const states = sampler?.stop();
  const cpu = process.cpuUsage(cpu0);
  const looks = (states?.threads ?? []).reduce((n, t) => n + t.samples, 0);
  return { rps, ticks: states?.ticks ?? 0, looks, cpuS: (cpu.user + cpu.system) / 1e6 };
}

/** the value a share `q` of the way up the sorted values (0.5: the median) */
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;

if (values.server !== 'reference' && !existsSync(C_SERVER)) {
  console.error(`bench:sampler: measuring the C example needs ${path.relative(process.cwd(), C_SERVER) || C_SERVER}, which is not built: run make -C examples/c-server (or use --server reference)`);
  process.exit(2);
}

if (split) {
  const pinned = keepThisProcessTo(split.loadgen);
  if ('problem' in pinned) {
    console.error(`bench:sampler: ${pinned.problem}; run with --cpus shared`);
    process.exit(2);
  }
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'speedlab-sampler-bench-'));
try {
  const { port, child } = await startServer(dir);
  await wrkRate(port, 1); // warm-up
  const ratios: number[] = [];
  /** this process's CPU (cores) in the rounds with the sampler and in those without */
  const cpuOn: number[] = [];
  const cpuOff: number[] = [];
  const where = split ? `server on CPU ${split.server}, wrk and the sampler on CPU ${split.loadgen}` : 'all on any CPU';
  console.log(`server ${values.server} -N ${threads} --io-delay ${values['io-delay']}, ${where}, wrk ${connections} connections, ${seconds}s windows, sampler at ${hz} Hz looking at ${values.looks} threads a tick, ${rounds} paired rounds`);
  for (let r = 0; r < rounds; r++) {
    const first = r % 2 === 0;
    const a = await measure(port, child.pid!, first);
    const b = await measure(port, child.pid!, !first);
    const [on, off] = first ? [a, b] : [b, a];
    ratios.push(on.rps / off.rps);
    cpuOn.push(on.cpuS / seconds);
    cpuOff.push(off.cpuS / seconds);
    console.log(`round ${r + 1}: on ${on.rps.toFixed(0)} req/s (${on.ticks} ticks, ${(on.ticks / seconds).toFixed(0)}/s, ${(on.looks / seconds).toFixed(0)} looks/s, this process ${(on.cpuS / seconds).toFixed(3)} cores), off ${off.rps.toFixed(0)} req/s (${(off.cpuS / seconds).toFixed(3)} cores), ratio ${(on.rps / off.rps).toFixed(3)}`);
  }
  console.log(`ratio on/off: median ${quantile(ratios, 0.5).toFixed(3)} (target >= 0.98), middle half of the rounds ${quantile(ratios, 0.25).toFixed(3)}-${quantile(ratios, 0.75).toFixed(3)}`);
  console.log(`this process's CPU, median: ${quantile(cpuOn, 0.5).toFixed(3)} cores sampling, ${quantile(cpuOff, 0.5).toFixed(3)} not`);
  child.kill('SIGTERM');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
