import { describe, expect, it } from 'vitest';
import { BodyVerifier, HEADER_BYTES, makeBody, verifyBody } from '../../src/workload/body.js';

const NAME = 'sl0000abcd_d_00000000000003';

describe('self-describing bodies', () => {
  it('is deterministic and exactly the asked size', () => {
    for (const size of [32, 33, 4095, 4096, 4097, 100_000]) {
      const a = makeBody(NAME, 7, 42, size);
      expect(a.length).toBe(size);
      expect(a.equals(makeBody(NAME, 7, 42, size))).toBe(true);
    }
    expect(makeBody(NAME, 7, 42, 64).equals(makeBody(NAME, 7, 43, 64))).toBe(false);
  });

  it('verifies any body of that name and seed, and says which one', () => {
    expect(verifyBody(NAME, 7, 10_000, makeBody(NAME, 7, 0x30000005, 10_000))).toEqual({ ok: true, seq: 0x30000005 });
  });

  it('verifies content streamed in arbitrary chunks', () => {
    const body = makeBody(NAME, 7, 9, 3 * 4096 + 100);
    for (const step of [1, 7, 31, 4096, 5000]) {
      const v = new BodyVerifier(NAME, 7, body.length);
      for (let i = 0; i < body.length; i += step) v.update(body.subarray(i, i + step));
      expect(v.finish()).toEqual({ ok: true, seq: 9 });
    }
  });

  it('catches a flipped byte anywhere, including page stamps and the header', () => {
    const body = makeBody(NAME, 7, 9, 3 * 4096);
    for (const at of [0, 10, HEADER_BYTES, 4095, 4096, 4100, 8200, body.length - 1]) {
      const bad = Buffer.from(body);
      bad[at] = bad[at] === 0x41 ? 0x42 : 0x41;
      expect(verifyBody(NAME, 7, body.length, bad).ok, `offset ${at}`).toBe(false);
    }
  });

  it('catches a body of another name, another run, a torn write and a wrong length', () => {
    const body = makeBody(NAME, 7, 9, 8192);
    expect(verifyBody('sl0000abcd_d_00000000000004', 7, 8192, body)).toMatchObject({ ok: false, reason: expect.stringContaining('another name') });
    expect(verifyBody(NAME, 8, 8192, body)).toMatchObject({ ok: false, reason: expect.stringContaining('another run') });
    const torn = Buffer.concat([body.subarray(0, 4096), makeBody(NAME, 7, 10, 8192).subarray(4096)]);
    expect(verifyBody(NAME, 7, 8192, torn).ok).toBe(false);
    expect(verifyBody(NAME, 7, 8192, body.subarray(0, 8000))).toMatchObject({ ok: false, reason: expect.stringContaining('8000 bytes') });
    expect(verifyBody(NAME, 7, 8000, body).ok).toBe(false);
    expect(verifyBody(NAME, 7, 8192, Buffer.alloc(8192, 0x61)).ok).toBe(false);
  });

  it('catches pages in the wrong order', () => {
    const body = makeBody(NAME, 7, 9, 3 * 4096);
    const swapped = Buffer.concat([body.subarray(0, 4096), body.subarray(8192), body.subarray(4096, 8192)]);
    expect(verifyBody(NAME, 7, body.length, swapped).ok).toBe(false);
  });
});
