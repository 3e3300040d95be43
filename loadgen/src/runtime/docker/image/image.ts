// Making sure the speedlab image exists and matches the checkout (DESIGN §3). The base is
// node:20-bookworm-slim when the engine has it or can pull it, otherwise the local base built
// from the host's Node. A context that has not changed since the last build costs no build.
import type { DockerEngine, ImageSummary } from '../engine/engine.js';
import { hostBinaryMismatch, THIS_HOST } from '../../platform.js';
import { BASE_LABEL, CONTEXT_LABEL, IMAGE, OFFICIAL_BASE_IMAGE, STAGE_LABEL, WRK_LABEL } from '../engine/labels.js';
import { buildImage, imageLabels } from './build.js';
import { DOCKERFILE, packContext, projectRoot, scanContext } from './context.js';
import { ensureLocalBase } from './local-base.js';
import { stageWrkBundle, type WrkBundle } from './wrk-bundle.js';

/** 'auto' (official when it can be had, else local), 'official', 'local', or an image name */
type BaseChoice = 'auto' | 'official' | 'local' | (string & {});

interface EnsureImageOptions {
  base?: BaseChoice;
  /** rebuild even when the fingerprint matches */
  force?: boolean;
  onLine?: (line: string) => void;
  pullTimeoutMs?: number;
}

interface EnsureImageResult {
  image: string;
  base: string;
  built: boolean;
  baseBuilt: boolean;
  /** the host wrk the image carries, or why it has none */
  wrk: WrkBundle;
  seconds: number;
}

async function pull(docker: DockerEngine, image: string, timeoutMs: number): Promise<boolean> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    await docker.pullImage(image, abort.signal);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** the local base copies this host's Node and libraries into the image: only where the engine can run them */
async function localBase(docker: DockerEngine, engine: { os: string; arch: string }, say: (line: string) => void, force?: boolean): Promise<{ base: string; built: boolean }> {
  const mismatch = hostBinaryMismatch(THIS_HOST, engine);
  if (mismatch) {
    throw new Error(`cannot build the local base image: ${mismatch}, so this host's Node cannot run in its containers; let the engine pull ${OFFICIAL_BASE_IMAGE} (it needs a registry), or build on a host of the engine's OS and architecture`);
  }
  const r = await ensureLocalBase(docker, say, force);
  return { base: r.image, built: r.built };
}

async function chooseBase(docker: DockerEngine, engine: { os: string; arch: string }, opts: EnsureImageOptions): Promise<{ base: string; built: boolean }> {
  const choice = opts.base ?? process.env.SPEEDLAB_BASE_IMAGE ?? 'auto';
  const say = opts.onLine ?? (() => {});
  if (choice === 'local') return localBase(docker, engine, say, opts.force);
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
  return localBase(docker, engine, say, opts.force);
}

/** the id of the build stage's image (deps): the last " ---> ID" before the second stage's FROM */
export function buildStageId(lines: string[]): string | undefined {
  let froms = 0;
  let last: string | undefined;
  for (const line of lines) {
    if (/^Step \d+\/\d+ : FROM /i.test(line) && ++froms === 2) return last;
    const m = /^\s*---> ([0-9a-f]{12,64})\s*$/.exec(line);
    if (m) last = m[1];
  }
  return undefined;
}

/**
 * Untagged images the project built and no longer uses: speedlab images a rebuild replaced,
 * build stages of older builds, replaced local bases. Only images by the project's labels, older
 * than this build (a concurrent build's are left alone), never `keep` (the current build stage:
 * the build cache), and never one a container still uses (then a later build removes it).
 */
export async function removeReplacedImages(
  docker: DockerEngine,
  keep: Set<string>,
  createdBefore: number,
  byLabels = [CONTEXT_LABEL, STAGE_LABEL, BASE_LABEL],
): Promise<number> {
  const seen = new Map<string, ImageSummary>();
  for (const label of byLabels) {
    for (const img of await docker.listImages({ dangling: true, label })) seen.set(img.id, img);
  }
  const kept = [...keep].map((k) => k.replace(/^sha256:/, ''));
  // newest first: children before the images they were built on
  const doomed = [...seen.values()]
    .filter((img) => img.created < createdBefore && !kept.some((k) => img.id.replace(/^sha256:/, '').startsWith(k)))
    .sort((a, b) => b.created - a.created);
  let removed = 0;
  // an image in use (by a container, or other images built on it) stays
  for (const img of doomed) if ((await docker.removeImage(img.id)) === 'removed') removed++;
  return removed;
}

export async function ensureImage(docker: DockerEngine, opts: EnsureImageOptions = {}): Promise<EnsureImageResult> {
  const started = performance.now();
  // the engine's OS and CPU come first: they decide whether this host's binaries can go in the image
  const engine = await docker.info();
  const { base, built: baseBuilt } = await chooseBase(docker, engine, opts);
  const baseInfo = await docker.inspectImage(base);
  if (!baseInfo) throw new Error(`base image ${base} is not on the engine`);
  const root = projectRoot();
  const wrk = stageWrkBundle(root, engine);
  (opts.onLine ?? (() => {}))('wrk' in wrk ? `wrk for the image: ${wrk.wrk} and its libraries` : `the image will have no wrk (engine: wrk needs it): ${wrk.none}`);
  const ctx = scanContext(root);
  // the base's id is part of the identity: a rebuilt base means a rebuilt image
  const fingerprint = `${ctx.fingerprint}-${baseInfo.id.replace(/^sha256:/, '').slice(0, 12)}`;
  const labels = await imageLabels(docker, IMAGE);
  let built = false;
  if (opts.force || labels?.[CONTEXT_LABEL] !== fingerprint) {
    const buildStarted = Math.floor(Date.now() / 1000) - 1;
    const lines: string[] = [];
    await buildImage(docker, packContext(ctx), {
      tag: IMAGE,
      dockerfile: DOCKERFILE,
      buildargs: { BASE_IMAGE: base },
      labels: { [CONTEXT_LABEL]: fingerprint, [BASE_LABEL]: base, [WRK_LABEL]: 'wrk' in wrk ? wrk.wrk : `none: ${wrk.none}` },
      onLine: (line) => {
        lines.push(line);
        opts.onLine?.(line);
      },
    });
    built = true;
    const stage = buildStageId(lines);
    // without the current build stage's id (the cache of the node_modules layers) it cannot be
    // told from older stages: then only replaced speedlab images go
    await removeReplacedImages(docker, stage ? new Set([stage]) : new Set(), buildStarted, stage ? undefined : [CONTEXT_LABEL]);
  }
  return { image: IMAGE, base, built, baseBuilt, wrk, seconds: (performance.now() - started) / 1000 };
}
