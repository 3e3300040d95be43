// Which code a run measured: the lab checkout's commit, whether it had uncommitted changes, and
// the git tree hashes of the two paths whose changes can change a result (the server and the load
// path). Without git or a checkout (the Docker image runs from /app, no .git) there is nothing to
// record, unless SPEEDLAB_CODE_COMMIT (and SPEEDLAB_CODE_DIRTY) pass it in.
import { execFileSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CodeVersion } from './record.js';

export const SERVER_PATH = 'server';
export const LOAD_PATH = 'loadgen/src/workload';
/** where an uncommitted change makes a run `dirty` */
export const DIRTY_PATHS = ['server', 'loadgen/src'];

const GIT_HASH = /^[0-9a-f]{7,64}$/i;

export function isGitHash(value: unknown): value is string {
  return typeof value === 'string' && GIT_HASH.test(value);
}

function git(cwd: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
      // `git status` would otherwise refresh the index and take its lock: another git command
      // running at the same time in the checkout must not fail because of a benchmark
      env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' },
    }).trim();
  } catch {
    return undefined;
  }
}

/**
 * The top of the git checkout this module runs from, when it is a speedlab checkout (its HEAD
 * has the server and the load path); undefined without git or a checkout.
 */
export function checkoutRoot(from = dirname(fileURLToPath(import.meta.url))): string | undefined {
  const root = git(from, ['rev-parse', '--show-toplevel']);
  if (!root) return undefined;
  return treeAt(root, 'HEAD', SERVER_PATH) && treeAt(root, 'HEAD', LOAD_PATH) ? root : undefined;
}

/** the git tree hash of `path` at `rev` in the checkout at `root` */
export function treeAt(root: string, rev: string, path: string): string | undefined {
  if (rev !== 'HEAD' && !isGitHash(rev)) return undefined;
  const tree = git(root, ['rev-parse', '--verify', '--quiet', `${rev}:${path}`]);
  return tree && isGitHash(tree) ? tree : undefined;
}

export function gitCodeVersion(root: string): CodeVersion | undefined {
  const commit = git(root, ['rev-parse', '--verify', 'HEAD']);
  const server = treeAt(root, 'HEAD', SERVER_PATH);
  const load = treeAt(root, 'HEAD', LOAD_PATH);
  const status = git(root, ['status', '--porcelain', '--', ...DIRTY_PATHS]);
  if (!isGitHash(commit) || !server || !load || status === undefined) return undefined;
  return { commit, dirty: status !== '', paths: { server, load } };
}

/** SPEEDLAB_CODE_COMMIT: the tree hashes are left out (the index resolves them from the commit) */
export function envCodeVersion(env: NodeJS.ProcessEnv): CodeVersion | undefined {
  const commit = env.SPEEDLAB_CODE_COMMIT?.trim();
  if (!commit) return undefined;
  if (!GIT_HASH.test(commit)) throw new Error(`SPEEDLAB_CODE_COMMIT: got '${commit}'; expected a git commit hash (7 to 64 hex digits)`);
  const dirty = env.SPEEDLAB_CODE_DIRTY?.trim().toLowerCase() ?? '';
  if (!['', '0', '1', 'true', 'false'].includes(dirty)) {
    throw new Error(`SPEEDLAB_CODE_DIRTY: got '${env.SPEEDLAB_CODE_DIRTY}'; expected 1, 0, true or false`);
  }
  return { commit: commit.toLowerCase(), dirty: dirty === '1' || dirty === 'true' };
}

/** What this process runs: SPEEDLAB_CODE_COMMIT when set, otherwise its git checkout's state. */
export function currentCodeVersion(env: NodeJS.ProcessEnv = process.env): CodeVersion | undefined {
  const fromEnv = envCodeVersion(env);
  if (fromEnv) return fromEnv;
  const root = checkoutRoot();
  return root ? gitCodeVersion(root) : undefined;
}

function sameCode(a: CodeVersion, b: CodeVersion): boolean {
  return a.commit === b.commit && a.dirty === b.dirty && a.paths?.server === b.paths?.server && a.paths?.load === b.paths?.load;
}

/**
 * run.json's `code` for a session: a resumed run keeps the code of the session that started it
 * (absent if that session could not tell), and a session whose code differs from it and from every
 * earlier resume is added to `resumedWith`.
 */
export function sessionCode(previous: { code?: CodeVersion } | undefined, now: CodeVersion | undefined): CodeVersion | undefined {
  if (!previous) return now;
  const first = previous.code;
  if (!first || !now) return first;
  const seen = [first, ...(first.resumedWith ?? [])];
  if (seen.some((c) => sameCode(c, now))) return first;
  const { resumedWith: _ignored, ...session } = now;
  return { ...first, resumedWith: [...(first.resumedWith ?? []), session] };
}
