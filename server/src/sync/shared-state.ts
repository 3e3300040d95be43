// State shared by the main thread and every worker through one SharedArrayBuffer, so that locks
// and the log offset are real cross-thread primitives (Atomics), as in the C original.

/** Per-file locks are striped by a hash of the name; two names rarely share a stripe. */
const FILE_LOCK_STRIPES = 4096;

const GLOBAL_LOCK = 0;
const LOG_LOCK = 1;
const FAILED_ENTRIES = 2;
const TOTAL_ENTRIES = 3;
const FIRST_STRIPE = 4;
/** each stripe: [state, waitingWriters]; state -1 = writer, n > 0 = n readers, 0 = free */
const INT32_SLOTS = FIRST_STRIPE + FILE_LOCK_STRIPES * 2;
const BIGINT_BYTES = 8;

export interface SharedState {
  buffer: SharedArrayBuffer;
  ints: Int32Array;
  /** [0] = next free byte offset of the log */
  bigs: BigInt64Array;
}

export function createSharedState(): SharedState {
  const buffer = new SharedArrayBuffer(BIGINT_BYTES * 2 + INT32_SLOTS * 4);
  return attachSharedState(buffer);
}

export function attachSharedState(buffer: SharedArrayBuffer): SharedState {
  return {
    buffer,
    bigs: new BigInt64Array(buffer, 0, 2),
    ints: new Int32Array(buffer, BIGINT_BYTES * 2, INT32_SLOTS),
  };
}

export const slots = { GLOBAL_LOCK, LOG_LOCK, FAILED_ENTRIES, TOTAL_ENTRIES } as const;

export function stripeIndex(name: string): number {
  // FNV-1a
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return FIRST_STRIPE + ((h >>> 0) % FILE_LOCK_STRIPES) * 2;
}

export function entryCounts(state: SharedState): { failed: number; total: number } {
  return { failed: Atomics.load(state.ints, FAILED_ENTRIES), total: Atomics.load(state.ints, TOTAL_ENTRIES) };
}
