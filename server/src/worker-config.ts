import type { LogMode, LogWrite } from './log/log-writer.js';

/** What every worker is started with (structured-cloned workerData). */
export interface WorkerConfig {
  dir: string;
  lock: 'global' | 'file';
  fsync: boolean;
  ioDelayMs: number;
  log: { path: string; mode: LogMode; write: LogWrite; fsync: boolean; delayMs: number } | null;
  shared: SharedArrayBuffer;
}

/** A worker's workerData: the configuration, and the pool's job claims (sync/job-claims.ts). */
export interface WorkerData extends WorkerConfig {
  claims: SharedArrayBuffer;
}
