// The local base image (DESIGN §3): FROM scratch + the host's node binary + the libraries ldd
// lists + the dynamic loader + /etc/passwd (uid 1000) + /tmp. Built when node:20-bookworm-slim
// cannot be had. It also carries losetup, mke2fs and dd copied from the host the same way,
// because the disk helper and the calibration run from this image (see ../disk/helper.ts): the
// host's own tools are then not needed, so provisioning works from the compose lab container too.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import tar from 'tar-fs';
import { findExecutable } from '../../../util/executable.js';
import type { DockerEngine } from '../engine/engine.js';
import { BASE_LABEL, LOCAL_BASE_IMAGE } from '../engine/labels.js';
import { buildImage, imageLabels } from './build.js';

/** tools the disk helper and the calibration need, besides node */
const BASE_TOOLS = ['losetup', 'mke2fs', 'dd'];
const TOOL_DIRS = ['/usr/sbin', '/sbin', '/usr/bin', '/bin'];

function findTool(name: string): string {
  const found = findExecutable(name, TOOL_DIRS);
  if (found) return found;
  throw new Error(`the local base image needs '${name}' on the host (Debian: apt-get install ${name === 'mke2fs' ? 'e2fsprogs' : name === 'losetup' ? 'mount' : 'coreutils'})`);
}

/** the shared objects (and loader) an executable loads, from ldd's output */
export function parseLdd(output: string): string[] {
  const paths = new Set<string>();
  for (const line of output.split('\n')) {
    const arrow = /=>\s*(\/\S+)/.exec(line);
    const bare = /^\s*(\/\S+)\s+\(/.exec(line);
    const path = arrow?.[1] ?? bare?.[1];
    if (path) paths.add(path);
  }
  return [...paths];
}

function sharedObjects(executable: string): string[] {
  try {
    return parseLdd(execFileSync('ldd', [executable], { encoding: 'utf8' }));
  } catch (err) {
    throw new Error(`cannot list the libraries of ${executable} with ldd: ${(err as Error).message}`, { cause: err });
  }
}

interface BaseFiles {
  /** host path -> path in the image */
  files: Map<string, string>;
  nodeVersion: string;
}

function collectBaseFiles(nodePath = process.execPath): BaseFiles {
  const files = new Map<string, string>();
  files.set(nodePath, '/usr/local/bin/node');
  for (const lib of sharedObjects(nodePath)) files.set(lib, lib);
  for (const tool of BASE_TOOLS) {
    const path = findTool(tool);
    files.set(path, `/usr/sbin/${tool}`);
    for (const lib of sharedObjects(path)) files.set(lib, lib);
  }
  const nodeVersion = execFileSync(nodePath, ['--version'], { encoding: 'utf8' }).trim();
  return { files, nodeVersion };
}

function baseFingerprint(base: BaseFiles): string {
  const h = createHash('sha256').update(base.nodeVersion);
  for (const [from, to] of [...base.files].sort()) {
    const st = statSync(from);
    h.update(`${from}\0${to}\0${st.size}\0${st.mtimeMs}\n`);
  }
  return h.digest('hex').slice(0, 16);
}

const PASSWD = 'root:x:0:0:root:/root:/usr/sbin/nologin\nnode:x:1000:1000:node:/home/node:/usr/sbin/nologin\n';
const GROUP = 'root:x:0:\nnode:x:1000:\n';

function stage(base: BaseFiles, dir: string, fingerprint: string): void {
  const root = join(dir, 'rootfs');
  for (const [from, to] of base.files) {
    mkdirSync(join(root, dirname(to)), { recursive: true });
    copyFileSync(from, join(root, to)); // follows symlinks: scratch gets real files
  }
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(join(root, 'etc/passwd'), PASSWD);
  writeFileSync(join(root, 'etc/group'), GROUP);
  mkdirSync(join(root, 'tmp'));
  chmodSync(join(root, 'tmp'), 0o1777);
  mkdirSync(join(root, 'home/node'), { recursive: true });
  writeFileSync(
    join(dir, 'Dockerfile'),
    [
      'FROM scratch',
      'COPY rootfs/ /',
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      `LABEL ${BASE_LABEL}=${fingerprint}`,
      '',
    ].join('\n'),
  );
}

interface LocalBaseResult {
  image: string;
  built: boolean;
}

/** builds speedlab-base:local unless an image of the same host files is already there */
export async function ensureLocalBase(docker: DockerEngine, onLine?: (line: string) => void, force = false): Promise<LocalBaseResult> {
  const base = collectBaseFiles();
  const fingerprint = baseFingerprint(base);
  const existing = await imageLabels(docker, LOCAL_BASE_IMAGE);
  if (!force && existing?.[BASE_LABEL] === fingerprint) return { image: LOCAL_BASE_IMAGE, built: false };
  const dir = mkdtempSync(join(tmpdir(), 'speedlab-base-'));
  try {
    stage(base, dir, fingerprint);
    // /home/node must belong to uid 1000 in the image; tar-fs maps ownership on packing
    const context = tar.pack(dir, {
      map: (header) => {
        if (header.name.startsWith('rootfs/home/node')) Object.assign(header, { uid: 1000, gid: 1000 });
        else Object.assign(header, { uid: 0, gid: 0 });
        return header;
      },
    });
    await buildImage(docker, context, { tag: LOCAL_BASE_IMAGE, dockerfile: 'Dockerfile', onLine });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { image: LOCAL_BASE_IMAGE, built: true };
}
