// File names under the course rules: exactly 27 characters of [A-Za-z0-9_-], the longest a
// student's server must accept. Deterministic from the seed, the file set and an index.
import type { FileSet } from './job.js';

function fileName(seed: number, set: 'd' | 's', index: number): string {
  // "sl" + seed (8 hex) + "_" + set + "_" + index padded: 2 + 8 + 1 + 1 + 1 + 14 = 27
  return `sl${(seed >>> 0).toString(16).padStart(8, '0')}_${set}_${String(index).padStart(14, '0')}`;
}

/** every name a workload touches */
export function allNames(seed: number, files: FileSet, connections: number): string[] {
  if (files.kind === 'shared') return Array.from({ length: files.count }, (_, i) => fileName(seed, 's', i));
  return Array.from({ length: connections * files.perConnection }, (_, i) => fileName(seed, 'd', i));
}

/** the names connection `client` cycles through: its own ones (distinct) or all K, starting at its own offset (shared) */
export function clientNames(seed: number, files: FileSet, client: number): string[] {
  if (files.kind === 'shared') {
    return Array.from({ length: files.count }, (_, i) => fileName(seed, 's', (client + i) % files.count));
  }
  return Array.from({ length: files.perConnection }, (_, i) => fileName(seed, 'd', client * files.perConnection + i));
}
