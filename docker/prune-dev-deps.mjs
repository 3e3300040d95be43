// Removes the packages that package-lock.json marks as development-only, so the image holds
// the production node_modules whichever context it was built from. Runs in the image build
// (exec form, no shell, no network); loadgen/src/runtime/docker/image/context.ts applies the same rule.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** paths (relative to root) of packages that only development needs */
export function devPackagePaths(root) {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  return Object.entries(lock.packages ?? {})
    .filter(([path, meta]) => path !== '' && meta.dev === true)
    .map(([path]) => path);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = process.argv[2] ?? '.';
  const paths = devPackagePaths(root);
  for (const p of paths) rmSync(join(root, p), { recursive: true, force: true });
  console.log(`prune-dev-deps: ${paths.length} development packages removed (or absent)`);
}
