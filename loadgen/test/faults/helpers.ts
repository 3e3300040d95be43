// Shared by the fault tests: what a run left on the engine and the host, and a stand-in for the
// engine's socket that can be made to go away without touching the shared dockerd.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import type { PointRecord } from '../../src/results/record.js';
import { ROLE_LABEL, RUN_LABEL } from '../../src/runtime/docker/engine/labels.js';
import { OWNER_LABEL } from '../../src/runtime/docker/engine/owner.js';
import type { Docker } from '../docker/engine.js';
import { readLines, sleep } from '../fixtures/cli.js';

export const pointsFile = (dir: string) => path.join(dir, 'points.jsonl');

/** the records of a run directory; every line must be whole JSON */
export function records(dir: string): PointRecord[] {
  if (!existsSync(pointsFile(dir))) return [];
  const text = readFileSync(pointsFile(dir), 'utf8');
  if (text !== '') expect(text.endsWith('\n'), 'points.jsonl ends with a whole line').toBe(true);
  return readLines(pointsFile(dir)).map((l) => JSON.parse(l) as PointRecord);
}

/** the owner label of everything a lab process with this pid creates */
export const ownerOf = (pid: number) => `${hostname()}:${pid}`;

export interface Resources {
  containers: { id: string; name: string; role: string; runId: string }[];
  volumes: string[];
  /** losetup -a lines whose backing file names the run */
  loops: string[];
}

/** what the engine and the host hold for a label filter (owner or run), and loop devices of the given runs */
export async function resources(docker: Docker, filter: string, runIds: string[]): Promise<Resources> {
  const cs = await docker.listContainers({ all: true, filters: { label: [filter] } });
  const vs = await docker.listVolumes({ filters: { label: [filter] } });
  const loops = execFileSync('losetup', ['-a'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => runIds.some((id) => id && l.includes(`speedlab-${id}-`)));
  return {
    containers: cs.map((c) => ({ id: c.Id, name: (c.Names[0] ?? '').replace(/^\//, ''), role: c.Labels[ROLE_LABEL] ?? '', runId: c.Labels[RUN_LABEL] ?? '' })),
    volumes: (vs.Volumes ?? []).map((v) => v.Name),
    loops,
  };
}

export const count = (r: Resources) => r.containers.length + r.volumes.length + r.loops.length;

/** waits for a running container of the lab process `pid` in `role`, whose name ends with `nameEnd` when given */
export async function runningContainer(docker: Docker, pid: number, role: string, nameEnd = '', timeoutMs = 60_000): Promise<{ id: string; runId: string }> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const list = await docker.listContainers({ filters: { label: [`${OWNER_LABEL}=${ownerOf(pid)}`, `${ROLE_LABEL}=${role}`], status: ['running'] } });
    const c = list.find((x) => x.Names.some((n) => n.endsWith(nameEnd)));
    if (c) return { id: c.Id, runId: c.Labels[RUN_LABEL]! };
    await sleep(50);
  }
  throw new Error(`no running ${role} container${nameEnd ? ` *${nameEnd}` : ''} of pid ${pid} within ${timeoutMs} ms`);
}

/** waits for a running server container of the lab process `pid` whose name ends with -N-server (the Nth server it started) */
export function serverContainer(docker: Docker, pid: number, nth: number, timeoutMs = 60_000): Promise<{ id: string; runId: string }> {
  return runningContainer(docker, pid, 'server', `-${nth}-server`, timeoutMs);
}

/** the lab's data directories in /dev/shm made by the orchestrator `pid` */
export function shmDirsOf(pid: number): string[] {
  return readdirSync('/dev/shm').filter((d) => {
    if (!d.startsWith('speedlab-')) return false;
    try {
      return Number(readFileSync(path.join('/dev/shm', d, 'owner.pid'), 'utf8')) === pid;
    } catch {
      return false;
    }
  });
}

const PROXY = `
const net = require('node:net');
const [listen, target] = process.argv.slice(1);
net.createServer((c) => {
  const u = net.connect(target);
  c.pipe(u); u.pipe(c);
  for (const [a, b] of [[c, u], [u, c]]) { a.on('error', () => b.destroy()); a.on('close', () => b.destroy()); }
}).listen(listen, () => console.log('ready'));`;

/** a unix-socket proxy to the real engine: DOCKER_HOST=unix://<socket> talks through it until it is killed */
export async function startEngineProxy(socket: string, target = '/var/run/docker.sock'): Promise<{ socket: string; child: ChildProcess; kill(): Promise<void> }> {
  const child = spawn(process.execPath, ['-e', PROXY, socket, target], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((ok, fail) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && ok());
    child.once('exit', (code) => fail(new Error(`the socket proxy exited early with ${code}`)));
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    socket,
    child,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** no line of a CLI's stderr looks like a stack frame */
export function expectNoStack(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at .+[:(]/m);
}
