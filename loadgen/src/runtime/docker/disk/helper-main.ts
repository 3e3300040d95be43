// The disk helper's own program: runs as root inside a short-lived container from the speedlab
// image with CAP_SYS_ADMIN, the host's /dev, access to loop devices only (device cgroup rules)
// and the host's backing directory (a tmpfs, /dev/shm) at BACKING. It never mounts anything:
// the engine mounts the ext4 volume into the server container (provision.ts).
//   attach NAME SIZE OWNER_JSON  -> prints {"device","major","minor","file"}
//   detach NAME                  -> detaches NAME's loop devices and deletes its files
//   list                         -> prints [{"name","owner","devices"}]
//   prepare-host DIR             -> creates DIR/data and DIR/log owned by uid 1000, prints st_dev
//   remove-host DIR              -> deletes DIR
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BACKING, HOST_ROOT } from './helper-paths.js';
import { splitDev } from './loop-device.js';

const DIR = join(BACKING, 'speedlab');
const SERVER_UID = 1000;

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function imagePath(name: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`bad disk name '${name}'`);
  return join(DIR, `${name}.img`);
}

/** loop devices backed by file, from losetup -j */
function devicesOf(file: string): string[] {
  if (!existsSync(file)) return [];
  const out = run('losetup', ['-j', file]);
  return out.split('\n').map((l) => l.split(':')[0] ?? '').filter((d) => d.startsWith('/dev/loop'));
}

function attach(name: string, size: number, owner: string): void {
  mkdirSync(DIR, { recursive: true, mode: 0o700 });
  const file = imagePath(name);
  writeFileSync(`${file.slice(0, -4)}.owner.json`, owner);
  writeFileSync(file, '');
  truncateSync(file, size);
  // the file system's top level: data/ and log/, owned by the server's uid
  const skel = mkdtempSync('/tmp/skel-');
  for (const d of ['data', 'log']) {
    mkdirSync(join(skel, d));
    chownSync(join(skel, d), SERVER_UID, SERVER_UID);
  }
  chownSync(skel, SERVER_UID, SERVER_UID);
  // mkfs on the file first: no device is held while it runs, and nothing is left to clean if it fails.
  // Eager init: ext4lazyinit would otherwise write inode tables in the background during a measurement.
  run('mke2fs', ['-q', '-F', '-t', 'ext4', '-m', '0', '-E', 'lazy_itable_init=0,lazy_journal_init=0', '-d', skel, file]);
  rmSync(skel, { recursive: true, force: true });
  const device = run('losetup', ['--find', '--show', file]);
  const { major, minor } = splitDev(statSync(device).rdev);
  console.log(JSON.stringify({ device, major, minor, file }));
}

function detach(name: string): void {
  const file = imagePath(name);
  for (const device of devicesOf(file)) run('losetup', ['-d', device]);
  rmSync(file, { force: true });
  rmSync(`${file.slice(0, -4)}.owner.json`, { force: true });
}

function list(): void {
  const out: { name: string; owner: unknown; devices: string[] }[] = [];
  const names = existsSync(DIR) ? readdirSync(DIR) : [];
  for (const entry of names) {
    const m = /^(.*)\.(img|owner\.json)$/.exec(entry);
    if (!m?.[1] || out.some((o) => o.name === m[1])) continue;
    const name = m[1];
    let owner: unknown = null;
    try {
      owner = JSON.parse(readFileSync(join(DIR, `${name}.owner.json`), 'utf8'));
    } catch {
      // an image without its owner file: a crash mid-attach; treated as stale by the caller
    }
    out.push({ name, owner, devices: devicesOf(imagePath(name)) });
  }
  console.log(JSON.stringify(out));
}

function hostDir(dir: string): string {
  if (!dir.startsWith('/') || dir.includes('..')) throw new Error(`bad host directory '${dir}'`);
  return join(HOST_ROOT, dir);
}

function prepareHost(dir: string): void {
  const root = hostDir(dir);
  for (const d of ['data', 'log']) {
    mkdirSync(join(root, d), { recursive: true });
    chownSync(join(root, d), SERVER_UID, SERVER_UID);
  }
  const { major, minor } = splitDev(statSync(root).dev);
  console.log(JSON.stringify({ major, minor }));
}

function main(argv: string[]): void {
  const [op, a, b, c] = argv;
  if (op === 'attach' && a && b && c) attach(a, Number(b), c);
  else if (op === 'detach' && a) detach(a);
  else if (op === 'list') list();
  else if (op === 'prepare-host' && a) prepareHost(a);
  else if (op === 'remove-host' && a) rmSync(hostDir(a), { recursive: true, force: true });
  else throw new Error(`disk helper: bad arguments ${JSON.stringify(argv)}`);
}

try {
  main(process.argv.slice(2));
} catch (err) {
  const e = err as Error & { stderr?: string };
  console.error(`disk helper: ${e.stderr?.trim() || e.message}`);
  process.exitCode = 1;
}
