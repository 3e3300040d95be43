// Writes log entries from worker threads into one shared log file with positional writes.
// `locked`: a mutex is held while an entry is written at the end of the log.
// `reserved`: the entry's exact byte range is reserved atomically first, then written with no
// lock, in parallel with other threads' entries; entries never interleave.
import { fdatasyncSync, readSync, writeSync } from 'node:fs';
import { lockMutex, unlockMutex } from '../sync/locks.js';
import { slots, type SharedState } from '../sync/shared-state.js';
import { ENTRY_END, failEntry, fullEntrySize, fullHeader, metaEntry } from './entries.js';
import { BYTES_PER_LINE, hexDump } from './hexdump.js';

export type LogMode = 'full' | 'meta';
export type LogWrite = 'locked' | 'reserved';

/** Content read for the hex dump: 3,277 lines of 20 bytes at a time. */
const CONTENT_CHUNK = BYTES_PER_LINE * 3277;

interface LogConfig {
  fd: number;
  mode: LogMode;
  write: LogWrite;
  fsync: boolean;
  /** models a slow log device: each entry's write takes this much longer (--log-delay) */
  delayMs?: number;
}

export class LogWriter {
  private readonly sleeper = new Int32Array(new SharedArrayBuffer(4));

  constructor(
    private readonly config: LogConfig,
    private readonly shared: SharedState,
  ) {}

  /** A successful request. `contentFd` holds the content (PUT and GET), null for HEAD. */
  success(method: string, name: string, status: number, length: number, contentFd: number | null): void {
    if (this.config.mode === 'meta') {
      this.writeText(metaEntry(method, `/${name}`, status, length), false);
      return;
    }
    const header = fullHeader(method, name, length);
    const size = fullEntrySize(header, length, contentFd !== null);
    this.withRange(size, false, (offset) => {
      let pos = offset + this.writeAt(Buffer.from(header, 'latin1'), offset);
      if (contentFd !== null) pos = this.dumpContent(contentFd, length, pos);
      this.writeAt(Buffer.from(ENTRY_END, 'latin1'), pos);
    });
  }

  /** A successful GET whose content is in memory (the healthcheck's answer), logged like any GET. */
  successWith(method: string, name: string, content: Buffer): void {
    if (this.config.mode === 'meta') {
      this.writeText(metaEntry(method, `/${name}`, 200, content.length), false);
      return;
    }
    const header = fullHeader(method, name, content.length);
    this.writeText(header + hexDump(content, 0).toString('latin1') + ENTRY_END, false);
  }

  /** A failed request: the request line as received (best effort) and the status sent. */
  failure(requestLine: string, method: string, target: string, status: number): void {
    const text = this.config.mode === 'meta' ? metaEntry(method, target, status, 0) : failEntry(requestLine, status);
    this.writeText(text, true);
  }

  private writeText(text: string, failed: boolean): void {
    const bytes = Buffer.from(text, 'latin1');
    this.withRange(bytes.length, failed, (offset) => this.writeAt(bytes, offset));
  }

  private withRange(size: number, failed: boolean, write: (offset: number) => void): void {
    const { ints, bigs } = this.shared;
    if (this.config.write === 'reserved') {
      const offset = Number(Atomics.add(bigs, 0, BigInt(size)));
      write(offset);
      this.deviceDelay();
    } else {
      lockMutex(ints, slots.LOG_LOCK);
      try {
        const offset = Number(Atomics.load(bigs, 0));
        write(offset);
        this.deviceDelay();
        Atomics.store(bigs, 0, BigInt(offset + size));
      } finally {
        unlockMutex(ints, slots.LOG_LOCK);
      }
    }
    if (this.config.fsync) fdatasyncSync(this.config.fd);
    Atomics.add(ints, slots.TOTAL_ENTRIES, 1);
    if (failed) Atomics.add(ints, slots.FAILED_ENTRIES, 1);
  }

  private deviceDelay(): void {
    if (this.config.delayMs) Atomics.wait(this.sleeper, 0, 0, this.config.delayMs);
  }

  private dumpContent(contentFd: number, length: number, start: number): number {
    const chunk = Buffer.allocUnsafe(Math.min(CONTENT_CHUNK, Math.max(length, 1)));
    let pos = start;
    for (let done = 0; done < length; ) {
      const want = Math.min(chunk.length, length - done);
      const got = readFully(contentFd, chunk, want, done);
      if (got !== want) throw new Error(`content shrank while logging: read ${done + got} of ${length} bytes`);
      pos += this.writeAt(hexDump(chunk.subarray(0, got), done), pos);
      done += got;
    }
    return pos;
  }

  private writeAt(bytes: Uint8Array, position: number): number {
    for (let done = 0; done < bytes.length; ) {
      done += writeSync(this.config.fd, bytes, done, bytes.length - done, position + done);
    }
    return bytes.length;
  }
}

/** Reads exactly `want` bytes at `position` unless the file ends first. */
export function readFully(fd: number, into: Buffer, want: number, position: number): number {
  let got = 0;
  while (got < want) {
    const n = readSync(fd, into, got, want - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}
