// Self-describing bodies. Every body starts with a 32-byte ASCII header
//   "SLB1 <seed:8 hex> <seq:8 hex> <name hash:8 hex>\n"
// and the rest is derived from that header: a 4 KiB tile of [A-Za-z0-9_-] drawn from a PRNG
// seeded by (seed, seq, name hash), repeated page by page, with each later 4 KiB page starting
// with its page number as 8 hex digits (so shifted or reordered pages are caught too).
// A verifier needs only the name and the seed to decide whether any content is one of the
// bodies that could ever have been PUT to that name, and which one (its seq).

export const HEADER_BYTES = 32;
export const MIN_FILE_SIZE = HEADER_BYTES;
const PAGE = 4096;
const STAMP = 8;
const ALPHABET = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-');

const hex8 = (n: number) => (n >>> 0).toString(16).padStart(8, '0');

/** FNV-1a, 32 bits */
function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function header(name: string, seed: number, seq: number): Buffer {
  return Buffer.from(`SLB1 ${hex8(seed)} ${hex8(seq)} ${hex8(nameHash(name))}\n`, 'latin1');
}

const tileCache = new Map<string, Buffer>();

function tile(seed: number, seq: number, hash: number): Buffer {
  const key = `${seed}:${seq}:${hash}`;
  const cached = tileCache.get(key);
  if (cached) return cached;
  let x = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(seq ^ 0xc2b2ae35, 0x27d4eb2f) ^ hash) >>> 0 || 1;
  const t = Buffer.allocUnsafe(PAGE);
  for (let i = 0; i < PAGE; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    t[i] = ALPHABET[x & 63]!;
  }
  if (tileCache.size > 4096) tileCache.clear();
  tileCache.set(key, t);
  return t;
}

/** the prefix of page `page` that is not tile content: the header on page 0, the page stamp after */
function pagePrefix(page: number, head: Buffer): Buffer {
  return page === 0 ? head : Buffer.from(hex8(page), 'latin1');
}

export function makeBody(name: string, seed: number, seq: number, size: number): Buffer {
  if (size < MIN_FILE_SIZE) throw new RangeError(`body size ${size} is below ${MIN_FILE_SIZE} bytes`);
  const buf = Buffer.allocUnsafe(size);
  buf.fill(tile(seed >>> 0, seq >>> 0, nameHash(name)));
  header(name, seed, seq).copy(buf, 0);
  for (let page = 1; page * PAGE < size; page++) buf.write(hex8(page), page * PAGE, Math.min(STAMP, size - page * PAGE), 'latin1');
  return buf;
}

export type VerifyOutcome = { ok: true; seq: number } | { ok: false; reason: string };

/** Checks streamed content against "some body ever PUT to `name` with `seed`", chunk by chunk. */
export class BodyVerifier {
  private readonly head = Buffer.alloc(HEADER_BYTES);
  private received = 0;
  private seq = -1;
  private tile: Buffer | undefined;
  private failure: string | undefined;

  constructor(private readonly name: string, private readonly seed: number, private readonly expectedSize: number) {}

  update(chunk: Buffer): void {
    if (this.failure) return;
    let off = 0;
    if (this.received < HEADER_BYTES) {
      const n = Math.min(HEADER_BYTES - this.received, chunk.length);
      chunk.copy(this.head, this.received, 0, n);
      this.received += n;
      off = n;
      if (this.received === HEADER_BYTES) this.checkHeader();
      if (this.failure) return;
    }
    while (off < chunk.length) {
      if (this.received >= this.expectedSize) {
        this.failure = `longer than ${this.expectedSize} bytes`;
        return;
      }
      const page = Math.floor(this.received / PAGE);
      const inPage = this.received % PAGE;
      const end = Math.min(PAGE, inPage + (chunk.length - off), this.expectedSize - page * PAGE);
      const prefix = pagePrefix(page, this.head);
      for (let o = inPage; o < end; ) {
        const inPrefix = o < prefix.length && page > 0;
        const stop = inPrefix ? Math.min(end, prefix.length) : end;
        const expected = inPrefix ? prefix.subarray(o, stop) : this.tile!.subarray(o, stop);
        const got = chunk.subarray(off + (o - inPage), off + (stop - inPage));
        if (!got.equals(expected)) {
          this.failure = `content differs from body seq ${hex8(this.seq)} in page ${page} (offset ${page * PAGE + o}..${page * PAGE + stop})`;
          return;
        }
        o = stop;
      }
      off += end - inPage;
      this.received += end - inPage;
    }
  }

  finish(): VerifyOutcome {
    if (this.failure) return { ok: false, reason: this.failure };
    if (this.received !== this.expectedSize) return { ok: false, reason: `got ${this.received} bytes, expected ${this.expectedSize}` };
    return { ok: true, seq: this.seq };
  }

  private checkHeader(): void {
    const text = this.head.toString('latin1');
    const m = /^SLB1 ([0-9a-f]{8}) ([0-9a-f]{8}) ([0-9a-f]{8})\n$/.exec(text);
    if (!m) {
      this.failure = `no body header (starts with ${JSON.stringify(text.slice(0, 16))})`;
      return;
    }
    const [seed, seq, hash] = [m[1]!, m[2]!, m[3]!].map((h) => parseInt(h, 16)) as [number, number, number];
    if (seed !== this.seed >>> 0) this.failure = `body from another run (seed ${hex8(seed)}, expected ${hex8(this.seed)})`;
    else if (hash !== nameHash(this.name)) this.failure = `body of another name (name hash ${hex8(hash)}, expected ${hex8(nameHash(this.name))})`;
    else {
      this.seq = seq;
      this.tile = tile(seed, seq, hash);
    }
  }
}

export function verifyBody(name: string, seed: number, expectedSize: number, content: Buffer): VerifyOutcome {
  const v = new BodyVerifier(name, seed, expectedSize);
  v.update(content);
  return v.finish();
}
