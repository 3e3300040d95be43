// The workload's file names in each shape a server may need (client settings `names`).
import { describe, expect, it } from 'vitest';
import { LAB_DEFAULTS, type NameShape } from '../../src/results/client-settings.js';
import { allNames, clientNames, nameCapacity, shapeProblem } from '../../src/workload/names.js';

const naming = (names: NameShape, files = { kind: 'distinct' as const, perConnection: 2 }) => ({ seed: 0xc0ffee42, files, client: { ...LAB_DEFAULTS, names } });

describe('file names by shape', () => {
  it.each([
    [{ length: 27, alphabet: 'alnum-dash-underscore' }, ['slc0ffee42_d_00000000000000', 'slc0ffee42_d_00000000000001', 'slc0ffee42_d_00000000000002']],
    [{ length: 27, alphabet: 'alnum' }, ['slc0ffee42d0000000000000000', 'slc0ffee42d0000000000000001', 'slc0ffee42d0000000000000002']],
    [{ length: 15, alphabet: 'alnum' }, ['slc0ffeed000000', 'slc0ffeed000001', 'slc0ffeed000002']],
    [{ length: 8, alphabet: 'alnum' }, ['slc0d000', 'slc0d001', 'slc0d002']],
  ] as const)('%o: exactly that length and alphabet, distinct', (shape, first3) => {
    const names = allNames(naming(shape), 4);
    expect(names.slice(0, 3)).toEqual(first3);
    expect(new Set(names).size).toBe(8);
    const allowed = shape.alphabet === 'alnum' ? /^[A-Za-z0-9]+$/ : /^[A-Za-z0-9_-]+$/;
    for (const n of names) expect([n.length, allowed.test(n)]).toEqual([shape.length, true]);
    // a connection's names are its share of all of them
    expect(clientNames(naming(shape), 1)).toEqual(names.slice(2, 4));
  });

  it('a shape too small for the files is refused with numbers', () => {
    expect(nameCapacity({ length: 5, alphabet: 'alnum' })).toBe(10);
    expect(shapeProblem({ length: 5, alphabet: 'alnum' }, { kind: 'shared', count: 10 }, 4)).toBeUndefined();
    expect(shapeProblem({ length: 5, alphabet: 'alnum' }, { kind: 'distinct', perConnection: 2 }, 6)).toBe('names of 5 characters of alnum hold 10 distinct files; this workload needs 12');
    expect(shapeProblem({ length: 3, alphabet: 'alnum' }, { kind: 'shared', count: 1 }, 1)).toBe("names of 3 characters are too short for the lab's names (at least 4 for alnum)");
    expect(() => allNames(naming({ length: 5, alphabet: 'alnum' }), 6)).toThrow('names of 5 characters of alnum hold 10 distinct files; this workload needs 12');
  });
});
