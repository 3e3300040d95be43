// Readiness: the server is ready when its socket listens on PORT inside its network namespace
// (/proc/net/tcp: no connection is made; runtime/listening.ts says why); with two engines, when a
// TCP connect to its address succeeds from the load generator's machine. The probe runs as an exec
// in the point's load-generator container (our image, joined to the namespace), so this works for
// any server image (no exec into the server needed).
import { ServerEndedError, type ProcessEnd } from '../../death.js';
import type { NetnsContainer } from './netns.js';

// 10 ms between attempts: a server is typically up within a few hundred ms of its start
const PROBE = `
const net = require('node:net');
const [host, port, ms] = [process.argv[1], ...process.argv.slice(2).map(Number)];
const deadline = Date.now() + ms;
// on loopback, the namespace's socket table says when it listens: no empty connection is made
const listening = () => {
  try {
    return ['/proc/net/tcp', '/proc/net/tcp6'].some((f) => require('node:fs').readFileSync(f, 'utf8').split('\\n').slice(1)
      .some((l) => { const [, a, , st] = l.trim().split(/\\s+/); return st === '0A' && parseInt(a.slice(a.lastIndexOf(':') + 1), 16) === port; }));
  } catch { return false; }
};
(function attempt() {
  if (host === '127.0.0.1') {
    if (listening()) process.exit(0);
    if (Date.now() > deadline) process.exit(3);
    return setTimeout(attempt, 10);
  }
  const s = net.connect(port, host);
  s.once('connect', () => { s.destroy(); process.exit(0); });
  s.once('error', () => {
    s.destroy();
    if (Date.now() > deadline) process.exit(3);
    setTimeout(attempt, 10);
  });
})();`;

export async function waitForPort(
  netns: NetnsContainer,
  port: number,
  opts: { timeoutMs: number; exited: Promise<ProcessEnd>; host?: string },
): Promise<void> {
  const host = opts.host ?? '127.0.0.1';
  const probe = netns.exec(['node', '-e', PROBE, host, String(port), String(opts.timeoutMs)]);
  const result = await Promise.race([
    probe.then((r) => ({ kind: 'probe' as const, r })),
    opts.exited.then((end) => ({ kind: 'exited' as const, end })),
  ]);
  if (result.kind === 'exited') {
    // the probe ends when its container goes (the caller removes it)
    probe.catch(() => {});
    throw new ServerEndedError(result.end);
  }
  if (result.r.exitCode === 3) throw new Error(`the server did not accept connections on ${host}:${port} within ${opts.timeoutMs} ms`);
  if (result.r.exitCode !== 0) throw new Error(`readiness probe failed (${result.r.exitCode}): ${result.r.stderr.trim()}`);
}
