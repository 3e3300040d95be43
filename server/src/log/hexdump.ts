// The course's hex dump: lines of up to 20 bytes, each the zero-padded decimal offset of its
// first byte (8 digits, more when the offset needs them), then " xx" per byte, then "\n".

export const BYTES_PER_LINE = 20;
const OFFSET_DIGITS = 8;

const HEX_TRIPLES = Buffer.alloc(256 * 3);
for (let b = 0; b < 256; b++) HEX_TRIPLES.write(` ${b.toString(16).padStart(2, '0')}`, b * 3, 'latin1');

function digitsOf(offset: number): number {
  return Math.max(OFFSET_DIGITS, String(offset).length);
}

/** Exact size in bytes of the hex dump of `n` bytes of content. */
export function hexDumpSize(n: number): number {
  const lines = Math.ceil(n / BYTES_PER_LINE);
  let size = 3 * n + lines * (OFFSET_DIGITS + 1);
  // every line whose offset has more than 8 digits is one byte longer per extra digit
  for (let limit = 10 ** OFFSET_DIGITS; limit < n; limit *= 10) {
    const firstLine = Math.ceil(limit / BYTES_PER_LINE);
    if (firstLine < lines) size += lines - firstLine;
  }
  return size;
}

/**
 * Hex-dumps `chunk`, whose first byte is at `offset` of the file. `offset` must be a multiple of
 * 20 and so must `chunk.length`, unless the chunk is the file's last.
 */
export function hexDump(chunk: Uint8Array, offset: number): Buffer {
  const lines = Math.ceil(chunk.length / BYTES_PER_LINE);
  let size = 3 * chunk.length;
  for (let l = 0; l < lines; l++) size += digitsOf(offset + l * BYTES_PER_LINE) + 1;
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  for (let i = 0; i < chunk.length; i += BYTES_PER_LINE) {
    pos += out.write(String(offset + i).padStart(OFFSET_DIGITS, '0'), pos, 'latin1');
    const end = Math.min(i + BYTES_PER_LINE, chunk.length);
    for (let j = i; j < end; j++) {
      const t = chunk[j]! * 3;
      out[pos] = HEX_TRIPLES[t]!;
      out[pos + 1] = HEX_TRIPLES[t + 1]!;
      out[pos + 2] = HEX_TRIPLES[t + 2]!;
      pos += 3;
    }
    out[pos++] = 0x0a;
  }
  return out;
}
