// Blocking locks for worker threads (Atomics.wait blocks the calling thread, like a pthread lock).
// Never call these on the main thread: it would stop serving every connection.

/** A mutex at ints[i]: 0 free, 1 held. */
export function lockMutex(ints: Int32Array, i: number): void {
  while (Atomics.compareExchange(ints, i, 0, 1) !== 0) Atomics.wait(ints, i, 1);
}

export function unlockMutex(ints: Int32Array, i: number): void {
  Atomics.store(ints, i, 0);
  Atomics.notify(ints, i, 1);
}

/**
 * A readers-writer lock at ints[i] (state) and ints[i+1] (writers waiting). Readers hold back
 * while a writer waits, so a stream of GETs cannot starve a PUT.
 */
export function lockRead(ints: Int32Array, i: number): void {
  for (;;) {
    const s = Atomics.load(ints, i);
    if (s >= 0 && Atomics.load(ints, i + 1) === 0) {
      if (Atomics.compareExchange(ints, i, s, s + 1) === s) return;
      continue;
    }
    // state changes on every acquire and release, and each release notifies, so this wakes up
    Atomics.wait(ints, i, s, 50);
  }
}

export function unlockRead(ints: Int32Array, i: number): void {
  if (Atomics.sub(ints, i, 1) === 1) Atomics.notify(ints, i);
}

export function lockWrite(ints: Int32Array, i: number): void {
  Atomics.add(ints, i + 1, 1);
  for (;;) {
    const s = Atomics.load(ints, i);
    if (s === 0 && Atomics.compareExchange(ints, i, 0, -1) === 0) break;
    Atomics.wait(ints, i, s, 50);
  }
  Atomics.sub(ints, i + 1, 1);
}

export function unlockWrite(ints: Int32Array, i: number): void {
  Atomics.store(ints, i, 0);
  Atomics.notify(ints, i);
}
