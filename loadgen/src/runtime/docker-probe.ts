// Readiness: the server is ready when a TCP connect to 127.0.0.1:PORT succeeds inside its network
// namespace. A short-lived probe container from the speedlab image joins the namespace and
// tries until the deadline, so this works for any server image (no exec into it needed).
import type Docker from 'dockerode';
import { HARDENED, joinNetwork, USER } from './docker-hardening.js';
import { IMAGE, labels } from './docker-labels.js';
import { runToCompletion } from './docker-run.js';

const PROBE = `
const net = require('node:net');
const [port, ms] = process.argv.slice(1).map(Number);
const deadline = Date.now() + ms;
(function attempt() {
  const s = net.connect(port, '127.0.0.1');
  s.once('connect', () => { s.destroy(); process.exit(0); });
  s.once('error', () => {
    s.destroy();
    if (Date.now() > deadline) process.exit(3);
    setTimeout(attempt, 50);
  });
})();`;

export async function waitForPort(
  docker: Docker,
  serverId: string,
  port: number,
  opts: { runId: string; cpuset: string; timeoutMs: number; exited: Promise<string> },
): Promise<void> {
  const probe = runToCompletion(docker, {
    Image: IMAGE,
    Cmd: ['node', '-e', PROBE, String(port), String(opts.timeoutMs)],
    User: USER,
    Labels: labels(opts.runId, 'probe'),
    HostConfig: { ...HARDENED, NetworkMode: joinNetwork(serverId), CpusetCpus: opts.cpuset, Memory: 256 * 1024 ** 2 },
  });
  const result = await Promise.race([
    probe.then((r) => ({ kind: 'probe' as const, r })),
    opts.exited.then((reason) => ({ kind: 'exited' as const, reason })),
  ]);
  if (result.kind === 'exited') {
    await probe.catch(() => {});
    throw new Error(`the server exited before it was ready: ${result.reason}`);
  }
  if (result.r.exitCode === 3) throw new Error(`the server did not accept connections on 127.0.0.1:${port} within ${opts.timeoutMs} ms`);
  if (result.r.exitCode !== 0) throw new Error(`readiness probe failed (${result.r.exitCode}): ${result.r.stderr.trim()}`);
}
