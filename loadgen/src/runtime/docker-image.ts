// Making sure the speedlab image exists and matches the checkout (DESIGN §3). The base is
// node:20-bookworm-slim when the engine has it or can pull it, otherwise the local base built
// from the host's Node. A context that has not changed since the last build costs no build.
import type Docker from 'dockerode';
import { buildImage, imageLabels } from './docker-build.js';
import { DOCKERFILE, packContext, scanContext } from './docker-context.js';
import { BASE_LABEL, CONTEXT_LABEL, IMAGE, OFFICIAL_BASE_IMAGE } from './docker-labels.js';
import { ensureLocalBase } from './docker-local-base.js';

/** 'auto' (official when it can be had, else local), 'official', 'local', or an image name */
export type BaseChoice = 'auto' | 'official' | 'local' | string;

export interface EnsureImageOptions {
  base?: BaseChoice;
  /** rebuild even when the fingerprint matches */
  force?: boolean;
  onLine?: (line: string) => void;
  pullTimeoutMs?: number;
}

export interface EnsureImageResult {
  image: string;
  base: string;
  built: boolean;
  baseBuilt: boolean;
  seconds: number;
}

async function pull(docker: Docker, image: string, timeoutMs: number): Promise<boolean> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const stream = await docker.pull(image, { abortSignal: abort.signal });
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve()));
    });
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

async function chooseBase(docker: Docker, opts: EnsureImageOptions): Promise<{ base: string; built: boolean }> {
  const choice = opts.base ?? process.env.SPEEDLAB_BASE_IMAGE ?? 'auto';
  const say = opts.onLine ?? (() => {});
  if (choice === 'local') {
    const r = await ensureLocalBase(docker, say, opts.force);
    return { base: r.image, built: r.built };
  }
  if (choice !== 'auto' && choice !== 'official') {
    if (!(await imageLabels(docker, choice)) && !(await pull(docker, choice, opts.pullTimeoutMs ?? 120_000))) {
      throw new Error(`base image ${choice} is not on the engine and cannot be pulled`);
    }
    return { base: choice, built: false };
  }
  if (await imageLabels(docker, OFFICIAL_BASE_IMAGE)) return { base: OFFICIAL_BASE_IMAGE, built: false };
  say(`pulling ${OFFICIAL_BASE_IMAGE}`);
  if (await pull(docker, OFFICIAL_BASE_IMAGE, opts.pullTimeoutMs ?? 120_000)) return { base: OFFICIAL_BASE_IMAGE, built: false };
  if (choice === 'official') throw new Error(`${OFFICIAL_BASE_IMAGE} cannot be pulled (no registry reachable?)`);
  say(`${OFFICIAL_BASE_IMAGE} cannot be pulled; using the local base built from this host's Node`);
  const r = await ensureLocalBase(docker, say, opts.force);
  return { base: r.image, built: r.built };
}

/** the image a rebuild replaced, unless something still uses it (only the tag moved on) */
async function removeIfDangling(docker: Docker, id: string): Promise<void> {
  const info = await docker.getImage(id).inspect();
  if ((info.RepoTags ?? []).length > 0) return;
  await docker.getImage(id).remove({ noprune: false }).catch(() => {}); // in use by a container: keep it
}

export async function ensureImage(docker: Docker, opts: EnsureImageOptions = {}): Promise<EnsureImageResult> {
  const started = performance.now();
  const { base, built: baseBuilt } = await chooseBase(docker, opts);
  const baseInfo = await docker.getImage(base).inspect();
  const ctx = scanContext();
  // the base's id is part of the identity: a rebuilt base means a rebuilt image
  const fingerprint = `${ctx.fingerprint}-${baseInfo.Id.replace(/^sha256:/, '').slice(0, 12)}`;
  const labels = await imageLabels(docker, IMAGE);
  let built = false;
  if (opts.force || labels?.[CONTEXT_LABEL] !== fingerprint) {
    const previous = labels ? (await docker.getImage(IMAGE).inspect()).Id : undefined;
    await buildImage(docker, packContext(ctx), {
      tag: IMAGE,
      dockerfile: DOCKERFILE,
      buildargs: { BASE_IMAGE: base },
      labels: { [CONTEXT_LABEL]: fingerprint, [BASE_LABEL]: base },
      onLine: opts.onLine,
    });
    built = true;
    if (previous) await removeIfDangling(docker, previous);
  }
  return { image: IMAGE, base, built, baseBuilt, seconds: (performance.now() - started) / 1000 };
}
