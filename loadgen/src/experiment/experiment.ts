// The resolved experiment: what the grid, the runtimes and the sweep work from.
import type { CellParams } from '../results/identity.js';
import type { Engine, LockMode, LogMode, LogWrite, Mix, SyncMode } from '../results/params.js';
import type { DiskProfile } from '../disk/profile.js';
import type { ServerImpl } from '../runtime/types.js';
import type { ClientSettings } from '../results/client-settings.js';
import type { ClientChoice } from './client.js';
import type { Expectation, SweepKey } from './schema.js';

export interface Experiment {
  name: string;
  description?: string;
  /** the reference server's modelled device times (0: none): per request's storage work, per log entry */
  server: { impl: ServerImpl; readyTimeoutS: number; ioDelayMs: number; logDelayMs: number };
  /** the swept parameters, in the file's order */
  sweep: { key: SweepKey; values: (string | number)[] }[];
  /** every parameter's value where it is not swept */
  fixed: CellParams;
  workload: {
    ratio: { get: number; put: number; head: number };
    files: { kind: 'distinct'; perConnection: number } | { kind: 'shared'; count: number };
    warmupS: number;
    durationS: number;
    /** when set, the measured window is this many requests, not durationS */
    requests?: number;
    repetitions: number;
    timeoutS: number;
    seed: number;
  };
  disks: Record<string, DiskProfile>;
  expect: Expectation[];
  /** two engines (run --server-engine/--loadgen-engine override); absent: one engine */
  engines?: { server?: string; loadgen?: string; address?: string; bind?: string; port?: number };
  /** the thread-state sampler: 'off', or samples per second (absent: DEFAULT_SAMPLER_HZ) */
  sampler?: { hz: number } | 'off';
  /** `client:` as the file gives it (each setting a value or auto) */
  client: ClientChoice;
  /** the settings the points use: `client` with its autos filled (the lab's defaults until `run` learns them with check) */
  clientSettings: ClientSettings;
}

export const DEFAULTS = {
  threads: 4,
  fileSize: 4096,
  log: 'off' as LogMode,
  lock: 'file' as LockMode,
  logWrite: 'reserved' as LogWrite,
  sync: 'none' as SyncMode,
  disk: 'ram',
  mix: 'put' as Mix,
  connections: 32,
  engine: 'autocannon' as Engine,
  warmupS: 2,
  durationS: 10,
  repetitions: 1,
  timeoutS: 10,
  readyTimeoutS: 10,
};

/** the built-in RAM profile; an experiment may redefine `ram` (e.g. a different size) */
export const RAM_DISK: DiskProfile = { name: 'ram', kind: 'ram', sizeBytes: 2 * 1024 ** 3 };
