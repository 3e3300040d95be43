// What crosses a boundary (a results file, another process's output) is checked against its zod
// schema. A problem comes back in words: the field, the value found there and what was expected.
import type { z } from 'zod';

type Path = readonly PropertyKey[];

type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

/** params.threads, calibration[0].disk */
function fieldName(path: Path): string {
  return path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${String(p)}` : String(p)), '');
}

function valueAt(root: unknown, path: Path): unknown {
  let v = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function describeIssue(root: unknown, issue: z.core.$ZodIssue): string {
  const field = issue.path.length > 0 ? `field '${fieldName(issue.path)}': ` : '';
  const value = valueAt(root, issue.path);
  const found = value === undefined ? 'missing' : `got ${shown(value)}`;
  const expected = issue.code === 'invalid_type' ? `expected ${issue.expected}`
    : issue.code === 'invalid_value' ? `expected one of ${issue.values.map(shown).join(', ')}`
    : issue.message;
  return `${field}${found} (${expected})`;
}

/** the value as the schema reads it, or its first problem */
export function check<S extends z.ZodType>(schema: S, value: unknown): Checked<z.output<S>> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, problem: describeIssue(value, parsed.error.issues[0]!) };
}

/** JSON text as the schema reads it, or why not (not JSON, or its first wrong field) */
export function checkJson<S extends z.ZodType>(schema: S, text: string): Checked<z.output<S>> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, problem: `not JSON (${(err as Error).message})` };
  }
  return check(schema, value);
}

/**
 * the last line a program the lab runs printed (the calibration, the load generator: each ends
 * with its result as one JSON line), as the schema reads it. `what` names the program in the
 * error: "the load generator printed no JSON result: "...""
 */
export function lastJsonLine<S extends z.ZodType>(schema: S, output: string, what: string): z.output<S> {
  const line = output.trim().split('\n').pop() ?? '';
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    throw new Error(`${what} printed no JSON result: ${JSON.stringify(line.slice(0, 200))}`, { cause: err });
  }
  const checked = check(schema, value);
  if (!checked.ok) throw new Error(`${what} printed a result the lab cannot read: ${checked.problem}`);
  return checked.value;
}
