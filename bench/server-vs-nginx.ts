// Benchmark: the reference server against Debian's nginx (WebDAV PUT) under the same wrk load on
// loopback. Each round measures both back to back (which one goes first alternates) and yields one
// ratio; the reported ratio is the median of the rounds' ratios. Pairing matters on a shared VM:
// its speed drifts by ±15% within seconds, which a ratio of two separately taken medians absorbs
// as noise, while two runs a few seconds apart see nearly the same machine.
//   npm run bench:server [-- --rounds 7 --duration 3 --threads 4]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findExecutable, pathDirectories } from '../loadgen/src/util/executable.js';

const SERVER_CLI = fileURLToPath(new URL('../server/src/cli.js', import.meta.url));
const CONNECTIONS = 32;

interface Workload {
  name: string;
  method: 'GET' | 'PUT';
  size: number;
  target: number; // minimum ratio of ours to nginx's requests/s
}

const WORKLOADS: Workload[] = [
  { name: 'GET 4 KiB', method: 'GET', size: 4 * 1024, target: 0.5 },
  { name: 'GET 1 MiB', method: 'GET', size: 1024 * 1024, target: 0.8 },
  { name: 'PUT 1 MiB', method: 'PUT', size: 1024 * 1024, target: 0.8 },
];

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function requireTool(cmd: string, pkg: string): string {
  const found = findExecutable(cmd, pathDirectories());
  if (!found) throw new Error(`${cmd} not found: apt-get install -y ${pkg}`);
  return found;
}

function waitForPort(port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve();
      });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listens on 127.0.0.1:${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
  });
}

async function startNginx(root: string, dataDir: string): Promise<{ port: number; proc: ChildProcess }> {
  const nginx = requireTool('nginx', 'nginx-light (or nginx)');
  const port = await freePort();
  const conf = join(root, 'nginx.conf');
  writeFileSync(
    conf,
    // as root, nginx's workers would drop to 'nobody' and could not use the private temp dir
    `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes auto; daemon off; pid ${root}/nginx.pid; error_log ${root}/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off; sendfile on; tcp_nopush on; keepalive_requests 1000000;
  client_body_temp_path ${root}/nginx-body; client_max_body_size 0; client_body_buffer_size 1m;
  server { listen 127.0.0.1:${port}; root ${dataDir}; dav_methods PUT; }
}
`,
  );
  const proc = spawn(nginx, ['-c', conf, '-e', join(root, 'nginx-error.log')], { stdio: 'ignore' });
  await waitForPort(port);
  return { port, proc };
}

async function startReference(dataDir: string, threads: number): Promise<{ port: number; proc: ChildProcess }> {
  const port = await freePort();
  const proc = spawn(process.execPath, [SERVER_CLI, String(port), '-N', String(threads), '--dir', dataDir], { stdio: 'ignore' });
  await waitForPort(port);
  return { port, proc };
}

function wrk(port: number, w: Workload, durationS: number, scriptDir: string): number {
  const script = join(scriptDir, `${w.method}-${w.size}.lua`);
  // every request names one of CONNECTIONS files, so PUTs rarely contend for one name
  writeFileSync(
    script,
    w.method === 'PUT'
      ? `local body = string.rep("x", ${w.size}); local n = 0
request = function() n = n + 1; return wrk.format("PUT", "/p" .. (n % ${CONNECTIONS}), nil, body) end`
      : `local n = 0
request = function() n = n + 1; return wrk.format("GET", "/g${w.size}_" .. (n % ${CONNECTIONS})) end`,
  );
  const r = spawnSync('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${durationS}s`, '-s', script, `http://127.0.0.1:${port}/`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  const m = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(r.stdout);
  if (!m) throw new Error(`cannot read wrk output:\n${r.stdout}`);
  if (non2xx) throw new Error(`${w.name}: ${non2xx[1]} error responses on port ${port}`);
  return Number(m[1]);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  requireTool('wrk', 'wrk');
  const rounds = arg('rounds', 7);
  const duration = arg('duration', 3);
  const threads = arg('threads', 4);
  const root = mkdtempSync('/dev/shm/speedlab-bench-');
  const data = { ours: join(root, 'ours'), nginx: join(root, 'nginx') };
  for (const dir of Object.values(data)) {
    mkdirSync(dir);
    for (const w of WORKLOADS.filter((x) => x.method === 'GET')) {
      for (let i = 0; i < CONNECTIONS; i++) writeFileSync(join(dir, `g${w.size}_${i}`), Buffer.alloc(w.size, 0x61 + (i % 26)));
    }
  }
  const servers = { ours: await startReference(data.ours, threads), nginx: await startNginx(root, data.nginx) };
  console.log(`reference server -N ${threads} vs nginx (worker_processes auto); wrk -t1 -c${CONNECTIONS}, ${rounds} paired rounds of ${duration} s, data in /dev/shm; ratio = median of the rounds' ratios`);
  let missed = 0;
  try {
    for (const w of WORKLOADS) {
      // not counted: our JIT warms up, and both servers' data gets into the page cache
      wrk(servers.ours.port, w, 1, root);
      wrk(servers.nginx.port, w, 1, root);
      const results = { ours: [] as number[], nginx: [] as number[], ratios: [] as number[] };
      for (let r = 0; r < rounds; r++) {
        const order = r % 2 === 0 ? (['ours', 'nginx'] as const) : (['nginx', 'ours'] as const);
        const got = { ours: 0, nginx: 0 };
        for (const which of order) got[which] = wrk(servers[which].port, w, duration, root);
        results.ours.push(got.ours);
        results.nginx.push(got.nginx);
        results.ratios.push(got.ours / got.nginx);
      }
      const ratio = median(results.ratios);
      if (ratio < w.target) missed++;
      const spread = `rounds ${Math.min(...results.ratios).toFixed(2)}–${Math.max(...results.ratios).toFixed(2)}`;
      console.log(
        `${w.name.padEnd(10)} ours ${median(results.ours).toFixed(0).padStart(7)} req/s   nginx ${median(results.nginx).toFixed(0).padStart(7)} req/s   ` +
          `ratio ${ratio.toFixed(2)} (${spread}; target >= ${w.target}) ${ratio >= w.target ? 'ok' : 'MISSED'}`,
      );
    }
  } finally {
    await stop(servers.ours.proc);
    await stop(servers.nginx.proc);
    rmSync(root, { recursive: true, force: true });
  }
  process.exitCode = missed > 0 ? 1 : 0;
}

main().catch((err: unknown) => {
  console.error(`bench: ${(err as Error).message}`);
  process.exitCode = 2;
});
