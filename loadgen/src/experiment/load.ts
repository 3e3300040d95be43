// Reading an experiment file: YAML -> schema -> resolve. Every problem becomes one line naming
// the file, the field, the value given and what is allowed.
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { CliError } from '../errors.js';
import type { Experiment } from './experiment.js';
import { resolveExperiment, type Problem } from './resolve.js';
import { KNOWN_FIELDS, experimentSchema } from './schema.js';

type Path = (string | number)[];

function valueAt(root: unknown, path: Path): unknown {
  let v = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

function fieldName(path: Path): string {
  return path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${p}` : p), '') || '(top level)';
}

function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function knownFieldsAt(root: unknown, path: Path): string[] | undefined {
  const pattern = path.map((p, i) => (typeof p === 'number' || path[i - 1] === 'disks' ? '*' : p)).join('.');
  const at = valueAt(root, path);
  if (pattern.match(/^expect\.\*$/) && typeof at === 'object' && at !== null) {
    if ('faster' in at) return ['faster'];
    if ('finding' in at) return ['where', 'finding'];
    if ('total' in at) return ['where', 'total'];
  }
  return KNOWN_FIELDS[pattern];
}

function describeIssue(root: unknown, issue: z.core.$ZodIssue): string[] {
  const path = issue.path as Path;
  if (issue.code === 'unrecognized_keys') {
    const allowed = knownFieldsAt(root, path);
    return issue.keys.map((k) => `field '${fieldName([...path, k])}': got ${shown(valueAt(root, [...path, k]))}; not a known field, allowed: ${allowed?.join(', ') ?? 'none'}`);
  }
  if (issue.code === 'invalid_type' && issue.expected === 'object') {
    return [`field '${fieldName(path)}': got ${shown(valueAt(root, path))}; expected a map of fields${knownFieldsAt(root, path) ? ` (${knownFieldsAt(root, path)!.join(', ')})` : ''}`];
  }
  const value = valueAt(root, path);
  const message = value === undefined ? `this field is required: ${issue.message}` : issue.message;
  return [`field '${fieldName(path)}': got ${shown(value)}; ${message}`];
}

function describeProblem(root: unknown, p: Problem): string {
  return `field '${fieldName(p.path)}': got ${shown(valueAt(root, p.path))}; ${p.message}`;
}

export function parseExperiment(text: string, file: string): Experiment {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const where = e.linePos ? ` at line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '';
    throw new CliError(`${file}: not valid YAML${where}: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`, 2);
  }
  const root: unknown = doc.toJS();
  const parsed = experimentSchema.safeParse(root);
  if (!parsed.success) {
    const lines = parsed.error.issues.flatMap((i) => describeIssue(root, i));
    throw new CliError(lines.map((l) => `${file}: ${l}`).join('\n'), 2);
  }
  const sweepOrder = Object.keys((valueAt(root, ['sweep']) as object | undefined) ?? {});
  const { experiment, problems } = resolveExperiment(parsed.data, sweepOrder);
  if (!experiment) throw new CliError(problems.map((p) => `${file}: ${describeProblem(root, p)}`).join('\n'), 2);
  return experiment;
}

export function loadExperiment(file: string): Experiment {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`${file}: cannot read the experiment file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 2, { cause: err });
  }
  return parseExperiment(text, file);
}
