// hintFor: the common causes of a failed point, recognised from its message.
import { describe, expect, it } from 'vitest';
import { HINTS, hintFor } from '../../src/check/hints.js';

describe('hintFor', () => {
  it('names the common causes', () => {
    expect(hintFor('window: the server was killed by SIGPIPE')).toBe(HINTS.sigpipe);
    expect(hintFor('the server was killed by SIGSEGV before accepting connections')).toBe(HINTS.emptyConnection);
    expect(hintFor('verify: the server was killed by SIGSEGV')).toBe(HINTS.segfault);
    expect(hintFor('seeding failed: PUT /sl0000002a_d_00000000000001: no answer within 10000 ms')).toBe(HINTS.putUnanswered);
    expect(hintFor('seed: PUT /slfef00000_d_00000000000000 answered 400')).toBe(HINTS.names);
  });

  it('says nothing it cannot back', () => {
    expect(hintFor('the disk profile is full')).toBeUndefined();
  });
});
