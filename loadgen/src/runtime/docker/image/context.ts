// The build context of the speedlab image: dist/ (without source maps and declarations), the production
// packages of node_modules, package.json, package-lock.json and the two docker/ files the
// Dockerfile uses. Sent as a plain tar: no gzip, so an unchanged context costs well under a second.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import tar from 'tar-fs';

export const DOCKERFILE = 'docker/Dockerfile';
// .image/: files staged for the image from the host (the wrk bundle: wrk-bundle.ts)
const ENTRIES = ['package.json', 'package-lock.json', DOCKERFILE, 'docker/prune-dev-deps.mjs', 'dist', 'node_modules', '.image'];

/** the checkout this module was built from (dist/loadgen/src/runtime/docker/image -> ../../../../../..) */
export function projectRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['../../../../../..', '../../../../..']) {
    const root = join(here, up);
    if (existsSync(join(root, 'package-lock.json')) && existsSync(join(root, DOCKERFILE))) return root;
  }
  throw new Error(
    'the speedlab image is built from a checkout (package-lock.json and docker/Dockerfile not found); ' +
      'run `speedlab image` on the host, not inside the image',
  );
}

interface Context {
  root: string;
  /** relative paths, sorted */
  files: string[];
  /** changes when a file is added or removed, or its content (node_modules: size or mtime) changes */
  fingerprint: string;
}

/** packages package-lock.json marks as development-only (docker/prune-dev-deps.mjs does the same in the build) */
function devPackagePaths(root: string): string[] {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages?: Record<string, { dev?: boolean }>;
  };
  return Object.entries(lock.packages ?? {})
    .filter(([path, meta]) => path !== '' && meta.dev === true)
    .map(([path]) => path);
}

function skipper(root: string): (rel: string) => boolean {
  const dev = new Set(devPackagePaths(root).map((p) => p.split('/').join(sep)));
  // tools' caches at node_modules' top level (.cache, and vitest's .vite and .vite-temp, rewritten
  // by every test run): in the context they changed the fingerprint and broke the build cache of
  // the node_modules layers, so every test run meant a full ~20 s rebuild
  const cache = /^node_modules[\\/]\.(?!bin$|package-lock\.json$)[^\\/]+$/;
  const declaration = (rel: string) => rel.startsWith(`dist${sep}`) && rel.endsWith('.d.ts');
  return (rel) => rel.endsWith('.map') || declaration(rel) || dev.has(rel) || cache.test(rel);
}

function walk(root: string, rel: string, skip: (rel: string) => boolean, out: string[]): void {
  if (skip(rel)) return;
  const st = statSync(join(root, rel));
  if (!st.isDirectory()) {
    out.push(rel);
    return;
  }
  for (const name of readdirSync(join(root, rel))) walk(root, join(rel, name), skip, out);
}

export function scanContext(root = projectRoot()): Context {
  if (!existsSync(join(root, 'dist', 'loadgen', 'src', 'cli.js'))) {
    throw new Error(`nothing built in ${join(root, 'dist')}: run 'npx tsc -p .' (or npm run build) first`);
  }
  const skip = skipper(root);
  const files: string[] = [];
  for (const entry of ENTRIES) {
    if (!existsSync(join(root, entry))) throw new Error(`the image needs ${entry} in ${root}`);
    walk(root, entry, skip, files);
  }
  files.sort();
  const h = createHash('sha256');
  for (const f of files) {
    // dist/ is rewritten by every build, so its content counts; node_modules is large and
    // changes only through npm, so its sizes and times do
    if (f.startsWith(`node_modules${sep}`)) {
      const st = statSync(join(root, f));
      h.update(`${f}\0${st.size}\0${Math.trunc(st.mtimeMs)}\n`);
    } else {
      h.update(`${f}\0`).update(readFileSync(join(root, f))).update('\n');
    }
  }
  return { root, files, fingerprint: h.digest('hex').slice(0, 16) };
}

export function packContext(ctx: Context): NodeJS.ReadableStream {
  const skip = skipper(ctx.root);
  return tar.pack(ctx.root, {
    // a copy: tar-fs consumes the array it is given
    entries: [...ENTRIES],
    ignore: (name) => skip(relative(ctx.root, name)),
    // ownership and mode bits in the image must not depend on who built it
    map: (header) => Object.assign(header, { uid: 0, gid: 0, uname: 'root', gname: 'root' }),
  });
}
