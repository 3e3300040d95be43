// The point parameters and the values each may take: the experiment schema validates against
// these lists and the record's types derive from them, so a new value is added in one place.
export const LOG_MODES = ['off', 'meta', 'full'] as const;
export const LOCK_MODES = ['global', 'file'] as const;
export const LOG_WRITES = ['locked', 'reserved'] as const;
export const SYNC_MODES = ['none', 'fsync'] as const;
export const MIXES = ['put', 'get', 'head', 'mixed'] as const;
/** the load generators: autocannon (Node, in-process µs latencies) or wrk (C, for fast servers) */
export const ENGINES = ['autocannon', 'wrk'] as const;

export type LogMode = (typeof LOG_MODES)[number];
export type LockMode = (typeof LOCK_MODES)[number];
export type LogWrite = (typeof LOG_WRITES)[number];
export type SyncMode = (typeof SYNC_MODES)[number];
export type Mix = (typeof MIXES)[number];
export type Engine = (typeof ENGINES)[number];

/** the parameters that name a cell (all but the repetition), in the order they appear in point ids */
export const PARAM_KEYS = ['threads', 'fileSize', 'log', 'lock', 'logWrite', 'sync', 'disk', 'mix', 'connections', 'engine'] as const;
export type ParamKey = (typeof PARAM_KEYS)[number];
