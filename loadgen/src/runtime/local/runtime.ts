// The local runtime (DESIGN §4): the server as a child process on 127.0.0.1 with its data and
// log in RAM (/dev/shm), the load generator as another child process.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { CliError } from '../../errors.js';
import type { Calibration } from '../../results/record.js';
import { localRuntimeRefusal } from '../platform.js';
import { userCommand } from '../server-command.js';
import type { DiskProfile, RunningServer, Runtime, ServerSpec, ServerStats } from '../types.js';
import { calibrateLocal } from './calibrate.js';
import { startChild, stopChild, stopGroupByPid, type Child } from './children.js';
import { isListening } from '../listening.js';
import { canConnect, freePort } from './ports.js';
import { pidAlive } from '../../util/pid.js';
import { lastJsonLine } from '../../validate.js';
import { groupCounters, groupMembers, hasEnded } from './proc.js';
import { fromWaitStatus, lastLines, LoadgenEndedError, ownEndOnStop, ServerEndedError, STOP_GRACE_MS, type OwnEnd, type ProcessEnd } from '../death.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// the compiled CLIs, also when this module runs from source (tests): dist/loadgen/src/runtime/local -> dist/
const distRoot = here.split(path.sep).includes('dist') ? path.resolve(here, '../../../..') : path.resolve(here, '../../../../dist');
const REFERENCE_SERVER_CLI = path.join(distRoot, 'server/src/cli.js');
const SPEEDLAB_CLI = path.join(distRoot, 'loadgen/src/cli.js');
const SHM = '/dev/shm';
const DIR_PREFIX = 'speedlab-';

export interface LocalOptions {
  /** seconds to wait for the server to accept connections */
  readyTimeoutS: number;
  /** where the data directories go (default /dev/shm) */
  baseDir?: string;
}

/** the server's argv: the reference server with the design options, or the user's command with its placeholders filled */
export function serverArgv(spec: ServerSpec, port: number, dataDir: string, logFile: string): string[] {
  const impl = spec.impl;
  if (impl.kind === 'reference') {
    return [
      process.execPath, REFERENCE_SERVER_CLI, String(port), '-N', String(spec.threads),
      ...(spec.log === 'off' ? [] : ['-l', logFile, '--log-mode', spec.log]),
      '--lock', spec.lock, '--log-write', spec.logWrite, '--sync', spec.sync, '--dir', dataDir,
      ...(spec.ioDelayMs ? ['--io-delay', String(spec.ioDelayMs)] : []),
      ...(spec.logDelayMs && spec.log !== 'off' ? ['--log-delay', String(spec.logDelayMs)] : []),
    ];
  }
  // the server runs in its data directory: a relative program path means one from where the lab runs
  const [program, ...rest] = impl.command;
  const located = program!.includes('/') && !path.isAbsolute(program!) ? path.resolve(program!) : program!;
  return userCommand([located, ...rest], spec, port, logFile);
}

function processEnd(child: Child, r: { code: number | null; signal: NodeJS.Signals | null }): ProcessEnd {
  const said = lastLines(child.stderrTail());
  return { how: fromWaitStatus(r.code, r.signal), stderrTail: said.length ? said : lastLines(child.stdout()) };
}

/** removes data directories left by runs whose orchestrator is gone (another live run's are kept) */
function removeStale(base: string): void {
  let entries: string[];
  try {
    entries = readdirSync(base).filter((e) => e.startsWith(DIR_PREFIX));
  } catch {
    return;
  }
  for (const e of entries) {
    const dir = path.join(base, e);
    try {
      const owner = Number(readFileSync(path.join(dir, 'owner.pid'), 'utf8'));
      if (pidAlive(owner)) continue;
      const server = Number(readFileSync(path.join(dir, 'server.pid'), 'utf8'));
      if (server > 0) stopGroupByPid(server);
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // not one of ours, or another run removing it right now
    }
  }
}

export class LocalRuntime implements Runtime {
  readonly name = 'local' as const;
  private readonly base: string;
  private readonly live = new Set<Child>();

  constructor(private readonly opts: LocalOptions) {
    this.base = opts.baseDir ?? SHM;
    removeStale(this.base);
  }

  async startServer(spec: ServerSpec): Promise<RunningServer> {
    if (spec.disk.kind !== 'ram') {
      throw new CliError(`disk profile '${spec.disk.name}' is ${spec.disk.kind}; the local runtime has only the ram profile (use --runtime docker)`);
    }
    if (spec.impl.kind === 'image') throw new CliError(`server image '${spec.impl.image}' needs the docker runtime (--runtime docker)`);
    const dir = mkdtempSync(path.join(this.base, `${DIR_PREFIX}${spec.runId}-`));
    writeFileSync(path.join(dir, 'owner.pid'), String(process.pid));
    const dataDir = path.join(dir, 'data');
    mkdirSync(dataDir);
    const logFile = path.join(dir, 'server.log');
    const removeDir = () => rmSync(dir, { recursive: true, force: true });

    try {
      for (let attempt = 1; ; attempt++) {
        const port = await freePort();
        const child = startChild(serverArgv(spec, port, dataDir, logFile), { cwd: dataDir });
        this.live.add(child);
        writeFileSync(path.join(dir, 'server.pid'), String(child.pid));
        const ready = await this.waitReady(child, port);
        if (ready === true) return this.running(child, port, logFile, removeDir);
        this.live.delete(child);
        await stopChild(child);
        const said = typeof ready === 'string' ? ready : ready.stderrTail.join('\n');
        // another process took the port between our check and the server's bind: try a new one
        if (attempt < 3 && /EADDRINUSE|in use/i.test(said)) continue;
        throw typeof ready === 'string' ? new Error(ready) : new ServerEndedError(ready);
      }
    } catch (err) {
      removeDir();
      throw err;
    }
  }

  /** true when ready (its socket listens: no connection is made), else how it ended, or why not */
  private async waitReady(child: Child, port: number): Promise<true | ProcessEnd | string> {
    let exit: ProcessEnd | undefined;
    void child.exited.then((r) => { exit = processEnd(child, r); });
    const deadline = Date.now() + this.opts.readyTimeoutS * 1000;
    while (Date.now() < deadline) {
      if (exit) return exit;
      if (isListening(port) ?? await canConnect(port)) return true;
      await new Promise((r) => setTimeout(r, 20));
    }
    return exit ?? `the server did not accept connections on 127.0.0.1:${port} within ${this.opts.readyTimeoutS}s`;
  }

  private running(child: Child, port: number, logFile: string, removeDir: () => void): RunningServer {
    const logSize = () => {
      try {
        return statSync(logFile).size;
      } catch {
        return 0;
      }
    };
    let stopped: Promise<OwnEnd | undefined> | undefined;
    const exited = child.exited.then((r) => processEnd(child, r));
    return {
      host: '127.0.0.1',
      port,
      cpus: os.availableParallelism(),
      processes: () => groupMembers(child.pid),
      exited,
      // a child that has ended is a zombie until Node reaps it: its end is then final and near
      ended: async () => (hasEnded(child.pid) ? exited : undefined),
      stats: async (): Promise<ServerStats> => {
        const c = groupCounters(child.pid);
        // tmpfs has no block device: count the bytes of read/write calls, sockets included
        // write_bytes: what the block layer wrote for it, i.e. the host's real disks (tmpfs has none)
        return { cpuSeconds: c.cpuSeconds, readBytes: c.rchar, writeBytes: c.wchar, logBytes: logSize(), memPeakBytes: c.memPeakBytes, ioIncludesSockets: true, hostWriteBytes: c.writeBytes };
      },
      stop: () => {
        stopped ??= (async () => {
          // a child that ended by itself is a zombie until reaped: its end is final before SIGTERM
          const before = hasEnded(child.pid);
          await stopChild(child, STOP_GRACE_MS);
          this.live.delete(child);
          removeDir();
          const end = await exited;
          return before ? { ...end, when: 'before-stop' as const } : ownEndOnStop(end);
        })();
        return stopped;
      },
    };
  }

  runLoadgen(server: RunningServer, job: unknown, signal?: AbortSignal): Promise<unknown> {
    return this.loadgen(['--target', `http://127.0.0.1:${server.port}`, '--job', JSON.stringify(job)], signal);
  }

  runLoadgenAlone(job: unknown, _runId: string, signal?: AbortSignal): Promise<unknown> {
    return this.loadgen(['--job', JSON.stringify(job)], signal);
  }

  private async loadgen(args: string[], signal?: AbortSignal): Promise<unknown> {
    signal?.throwIfAborted();
    const child = startChild([process.execPath, SPEEDLAB_CLI, 'loadgen', ...args], { keepStdout: true });
    this.live.add(child);
    const abort = () => void stopChild(child, 500);
    signal?.addEventListener('abort', abort, { once: true });
    try {
      const r = await child.exited;
      signal?.throwIfAborted();
      if (r.signal) throw new LoadgenEndedError(processEnd(child, r));
      if (r.code !== 0) throw new Error(`the load generator exited with status ${r.code}: ${lastLines(child.stderrTail()).join(' | ')}`);
      // any JSON: the caller checks it against its phase's schema
      return lastJsonLine(z.unknown(), child.stdout(), 'the load generator');
    } finally {
      signal?.removeEventListener('abort', abort);
      this.live.delete(child);
    }
  }

  async cleanup(runId: string): Promise<void> {
    await Promise.all([...this.live].map((c) => stopChild(c, 1000)));
    this.live.clear();
    for (const e of readdirSync(this.base)) {
      if (e.startsWith(`${DIR_PREFIX}${runId}-`)) rmSync(path.join(this.base, e), { recursive: true, force: true });
    }
  }

  /** the ram profile's directory in /dev/shm (tmpfs: RAM bandwidth, O_DIRECT included on kernels >= 6.6) */
  calibrate(disk: DiskProfile, runId: string, signal?: AbortSignal): Promise<Calibration> {
    return calibrateLocal(disk, this.base, runId, signal);
  }
}

/** refuses (exit 2, one line) where the local runtime cannot run: anywhere but Linux */
export function createLocalRuntime(opts: LocalOptions, platform: NodeJS.Platform = process.platform): Runtime {
  const refusal = localRuntimeRefusal(platform);
  if (refusal) throw new CliError(refusal, 2);
  return new LocalRuntime(opts);
}
