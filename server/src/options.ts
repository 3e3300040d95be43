// speedlab-server PORT [-N threads] [-l logfile] [options] — the course's command line plus the
// designs under study (DESIGN §2).
import { resolve } from 'node:path';
import { UsageError } from './errors.js';

export interface ServerOptions {
  port: number;
  host: string;
  threads: number;
  logFile: string | null;
  lock: 'global' | 'file';
  logMode: 'full' | 'meta';
  logWrite: 'locked' | 'reserved';
  sync: 'none' | 'fsync';
  dir: string;
  timeoutMs: number;
  ioDelayMs: number;
  logDelayMs: number;
}

export const USAGE = `usage: speedlab-server PORT [-N threads] [-l logfile] [options]

  PORT                      TCP port to listen on (1-65535; 0 picks a free one)
  -N THREADS                worker threads doing file I/O and logging (default 4)
  -l LOGFILE                write a log entry per request (truncated at start)
  --lock global|file        one lock for the whole request, or a readers-writer lock per file (default file)
  --log-mode full|meta      full: hex dump of every transferred file; meta: one line per request (default full)
  --log-write locked|reserved
                            locked: a mutex around each append; reserved: reserve each entry's
                            offset atomically, then write in parallel (default reserved)
  --sync none|fsync         fsync PUT data and log entries before responding (default none)
  --dir DIR                 data directory (default: the current directory)
  --host ADDR               address to bind (default 127.0.0.1)
  --timeout SECONDS         drop a client that sends or reads nothing for this long (default 10)
  --io-delay MS             model a slow device: each request's storage work takes MS longer (default 0)
  --log-delay MS            model a slow log device: writing each log entry takes MS longer, inside
                            the log lock with --log-write locked (default 0)`;

function choice<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T {
  if (value === undefined || !allowed.includes(value as T)) {
    throw new UsageError(`${flag} must be one of ${allowed.join(', ')} (got ${value === undefined ? 'nothing' : `'${value}'`})`);
  }
  return value as T;
}

function integer(flag: string, value: string | undefined, min: number, max: number): number {
  if (value === undefined || !/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`${flag} must be an integer from ${min} to ${max} (got ${value === undefined ? 'nothing' : `'${value}'`})`);
  }
  return Number(value);
}

export function parseServerArgs(argv: string[], cwd = process.cwd()): ServerOptions {
  const opts: Partial<ServerOptions> = {};
  let port: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string | undefined => argv[++i];
    switch (arg) {
      case '-N': opts.threads = integer('-N', value(), 1, 1024); break;
      case '-l': {
        const v = value();
        if (!v) throw new UsageError('-l needs a log file path');
        opts.logFile = v;
        break;
      }
      case '--lock': opts.lock = choice(arg, value(), ['global', 'file'] as const); break;
      case '--log-mode': opts.logMode = choice(arg, value(), ['full', 'meta'] as const); break;
      case '--log-write': opts.logWrite = choice(arg, value(), ['locked', 'reserved'] as const); break;
      case '--sync': opts.sync = choice(arg, value(), ['none', 'fsync'] as const); break;
      case '--dir': {
        const v = value();
        if (!v) throw new UsageError('--dir needs a directory');
        opts.dir = v;
        break;
      }
      case '--host': {
        const v = value();
        if (!v) throw new UsageError('--host needs an address');
        opts.host = v;
        break;
      }
      case '--timeout': opts.timeoutMs = integer(arg, value(), 1, 86_400) * 1000; break;
      case '--io-delay': opts.ioDelayMs = integer(arg, value(), 0, 60_000); break;
      case '--log-delay': opts.logDelayMs = integer(arg, value(), 0, 60_000); break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option '${arg}'`);
        if (port !== undefined) throw new UsageError(`unexpected argument '${arg}'`);
        port = integer('PORT', arg, 0, 65_535);
    }
  }
  if (port === undefined) throw new UsageError('PORT is required');
  return {
    port,
    host: opts.host ?? '127.0.0.1',
    threads: opts.threads ?? 4,
    logFile: opts.logFile ? resolve(cwd, opts.logFile) : null,
    lock: opts.lock ?? 'file',
    logMode: opts.logMode ?? 'full',
    logWrite: opts.logWrite ?? 'reserved',
    sync: opts.sync ?? 'none',
    dir: resolve(cwd, opts.dir ?? '.'),
    timeoutMs: opts.timeoutMs ?? 10_000,
    ioDelayMs: opts.ioDelayMs ?? 0,
    logDelayMs: opts.logDelayMs ?? 0,
  };
}
