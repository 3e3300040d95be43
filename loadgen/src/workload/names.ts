// File names of the workload, deterministic from the seed, the file set and an index, in the
// shape the server accepts (client settings `names`). The default shape is the course's longest:
// 27 characters of [A-Za-z0-9_-], "sl" + seed (8 hex) + "_" + set + "_" + index (14 digits).
import type { NameShape } from '../results/client-settings.js';
import type { FileSet, WorkloadSpec } from './job.js';

interface Layout { sep: string; seedHex: number; indexDigits: number }

/** "sl" + seed hex + sep + set + sep + index: the seed takes at most half of what is free, at most 8 */
function layout(shape: NameShape): Layout {
  const sep = shape.alphabet === 'alnum' ? '' : '_';
  const free = shape.length - 3 - 2 * sep.length;
  const seedHex = Math.max(0, Math.min(8, Math.floor(free / 2)));
  return { sep, seedHex, indexDigits: free - seedHex };
}

/** how many distinct names a shape holds (0 when it is too short for the lab's names) */
export function nameCapacity(shape: NameShape): number {
  const { indexDigits } = layout(shape);
  return indexDigits < 1 ? 0 : 10 ** Math.min(indexDigits, 15);
}

/** the names a workload needs */
function namesNeeded(files: FileSet, connections: number): number {
  return files.kind === 'shared' ? files.count : connections * files.perConnection;
}

/** why a shape cannot name this workload's files, or undefined when it can */
export function shapeProblem(shape: NameShape, files: FileSet, connections: number): string | undefined {
  const needed = namesNeeded(files, connections);
  const capacity = nameCapacity(shape);
  if (needed <= capacity) return undefined;
  const minimum = shape.alphabet === 'alnum' ? 4 : 6;
  return capacity === 0
    ? `names of ${shape.length} characters are too short for the lab's names (at least ${minimum} for ${shape.alphabet})`
    : `names of ${shape.length} characters of ${shape.alphabet} hold ${capacity} distinct files; this workload needs ${needed}`;
}

function fileName(seed: number, set: 'd' | 's', index: number, shape: NameShape): string {
  const { sep, seedHex, indexDigits } = layout(shape);
  const seedPart = (seed >>> 0).toString(16).padStart(8, '0').slice(0, seedHex);
  return `sl${seedPart}${sep}${set}${sep}${String(index).padStart(indexDigits, '0')}`;
}

type Naming = Pick<WorkloadSpec, 'seed' | 'files' | 'client'>;

/** every name a workload touches */
export function allNames(w: Naming, connections: number): string[] {
  const shape = w.client.names;
  const problem = shapeProblem(shape, w.files, connections);
  if (problem) throw new Error(problem);
  if (w.files.kind === 'shared') return Array.from({ length: w.files.count }, (_, i) => fileName(w.seed, 's', i, shape));
  return Array.from({ length: connections * w.files.perConnection }, (_, i) => fileName(w.seed, 'd', i, shape));
}

/** the names connection `client` cycles through: its own ones (distinct) or all K, starting at its own offset (shared) */
export function clientNames(w: Naming, client: number): string[] {
  const { files, seed } = w;
  const shape = w.client.names;
  if (files.kind === 'shared') {
    return Array.from({ length: files.count }, (_, i) => fileName(seed, 's', (client + i) % files.count, shape));
  }
  return Array.from({ length: files.perConnection }, (_, i) => fileName(seed, 'd', client * files.perConnection + i, shape));
}
