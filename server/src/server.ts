// The main thread: owns the listening socket and every connection; the workers do the rest.
import { closeSync, openSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { Connection } from './connection.js';
import { StartupError } from './errors.js';
import type { ServerOptions } from './options.js';
import { WorkerPool } from './pool.js';
import { createSharedState } from './sync/shared-state.js';

interface RunningFileServer {
  port: number;
  close(): Promise<void>;
}

/** Temporary files of PUTs that a crash interrupted; they are never visible to clients. */
function removeStaleTempFiles(dir: string): void {
  for (const entry of readdirSync(dir)) {
    if (entry.startsWith('.speedlab-tmp-')) unlinkSync(join(dir, entry));
  }
}

export async function startServer(opts: ServerOptions): Promise<RunningFileServer> {
  let isDir = false;
  try {
    isDir = statSync(opts.dir).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) throw new StartupError(`data directory ${opts.dir} does not exist or is not a directory`);
  removeStaleTempFiles(opts.dir);
  if (opts.logFile) {
    try {
      closeSync(openSync(opts.logFile, 'w'));
    } catch (err) {
      throw new StartupError(`cannot create log file ${opts.logFile}: ${(err as Error).message}`, { cause: err });
    }
  }

  const shared = createSharedState();
  const pool = new WorkerPool(opts.threads, {
    dir: opts.dir,
    lock: opts.lock,
    fsync: opts.sync === 'fsync',
    ioDelayMs: opts.ioDelayMs,
    log: opts.logFile ? { path: opts.logFile, mode: opts.logMode, write: opts.logWrite, fsync: opts.sync === 'fsync', delayMs: opts.logDelayMs } : null,
    shared: shared.buffer,
  });

  let jobId = 0;
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    new Connection(socket, { pool, nextJobId: () => ++jobId, logging: opts.logFile !== null, timeoutMs: opts.timeoutMs });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new StartupError(`cannot listen on ${opts.host}:${opts.port}: ${err.message}`, { cause: err })));
    server.listen(opts.port, opts.host, () => resolve());
  }).catch(async (err) => {
    await pool.close();
    throw err;
  });
  server.on('error', (err) => process.stderr.write(`speedlab-server: ${err.message}\n`));

  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return {
    port,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      await pool.close();
    },
  };
}
