// The code a run measured (run.json's `code`), in words, and whether it still matches the checkout.
import { DIRTY_PATHS, LOAD_PATH, SERVER_PATH, checkoutRoot, gitCodeVersion, isGitHash, treeAt } from '../results/code.js';
import type { CodeVersion, RunInfo } from '../results/record.js';

type SessionCode = Omit<CodeVersion, 'resumedWith'>;

/** the checkout to compare runs with: its root and HEAD's state */
export interface Checkout {
  root: string;
  code: CodeVersion & { paths: NonNullable<CodeVersion['paths']> };
}

/** the checkout the lab runs from, when there is one and git can read it */
export function currentCheckout(): Checkout | undefined {
  const root = checkoutRoot();
  const code = root ? gitCodeVersion(root) : undefined;
  return root && code?.paths ? { root, code: { ...code, paths: code.paths } } : undefined;
}

export type CodeStatus =
  | { kind: 'current' }
  | { kind: 'changed'; server: boolean; load: boolean }
  | { kind: 'unknown'; why: string };

/** run.json's `code` when well-formed: it is read back from a file anyone could have edited */
export function recordedCode(info: RunInfo | null): CodeVersion | undefined {
  const code = sessionOf(info?.code);
  if (!code) return undefined;
  const resumed = Array.isArray(info?.code?.resumedWith) ? info.code.resumedWith.map(sessionOf) : [];
  const resumedWith = resumed.filter((c): c is SessionCode => c !== undefined);
  return { ...code, ...(resumedWith.length > 0 && { resumedWith }) };
}

function sessionOf(value: unknown): SessionCode | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Partial<CodeVersion>;
  if (!isGitHash(v.commit)) return undefined;
  const paths = v.paths && isGitHash(v.paths.server) && isGitHash(v.paths.load) ? { server: v.paths.server, load: v.paths.load } : undefined;
  return { commit: v.commit, dirty: v.dirty === true, ...(paths && { paths }) };
}

export function shortCommit(commit: string): string {
  return commit.slice(0, 7);
}

/** "commit 2b31f37, with uncommitted changes under server/ or loadgen/src/; resumed with 0a1b2c3" */
export function codeWords(code: CodeVersion | undefined): string {
  if (!code) return 'not recorded';
  const session = (c: SessionCode) => `${shortCommit(c.commit)}${c.dirty ? ` with ${dirtyWords()}` : ''}`;
  const resumed = code.resumedWith?.length ? `; resumed with ${code.resumedWith.map(session).join(', ')}` : '';
  return `commit ${session(code)}${resumed}`;
}

export function dirtyWords(): string {
  return `uncommitted changes under ${DIRTY_PATHS.map((p) => `${p}/`).join(' or ')}`;
}

/**
 * Compares the run's tree hashes of the server and the load path with the checkout's HEAD. A run
 * whose commit was passed in without them (SPEEDLAB_CODE_COMMIT) has them resolved from the commit.
 */
export function codeStatus(code: CodeVersion | undefined, checkout: Checkout | undefined): CodeStatus {
  if (!code) return { kind: 'unknown', why: 'no commit recorded' };
  if (!checkout) return { kind: 'unknown', why: 'no git checkout to compare with' };
  const server = code.paths?.server ?? treeAt(checkout.root, code.commit, SERVER_PATH);
  const load = code.paths?.load ?? treeAt(checkout.root, code.commit, LOAD_PATH);
  if (!server || !load) return { kind: 'unknown', why: `commit ${shortCommit(code.commit)} is not in this checkout` };
  const changed = { server: server !== checkout.code.paths.server, load: load !== checkout.code.paths.load };
  return changed.server || changed.load ? { kind: 'changed', ...changed } : { kind: 'current' };
}
