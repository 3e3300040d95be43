// speedlab image removes what a rebuild replaces: untagged images with the project's labels (an
// old speedlab image, an old build stage), never the current build stage (the build cache),
// never an image a container still uses, never an unlabelled one, never one newer than the build.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tar from 'tar-fs';
import { afterAll, describe, expect, it } from 'vitest';
import { CONTEXT_LABEL, STAGE_LABEL } from '../../../../src/runtime/docker/engine/labels.js';
import { buildImage } from '../../../../src/runtime/docker/image/build.js';
import { buildStageId, removeReplacedImages } from '../../../../src/runtime/docker/image/image.js';
import { docker, engine, HAVE_DOCKER } from '../../../docker/engine.js';

describe('the build stage\'s image id from the classic builder\'s output', () => {
  it('is the last id before the second FROM', () => {
    const lines = [
      'Step 1/6 : ARG BASE_IMAGE=x', 'Step 2/6 : FROM ${BASE_IMAGE} AS deps', ' ---> 06d4280ee4c8',
      'Step 3/6 : COPY a b', ' ---> Using cache', ' ---> 0b20efc83c3d',
      'Step 4/6 : FROM ${BASE_IMAGE}', ' ---> 06d4280ee4c8', 'Step 5/6 : COPY --from=deps a b', ' ---> 1a24b4ee04d0',
    ];
    expect(buildStageId(lines)).toBe('0b20efc83c3d');
    expect(buildStageId(lines.slice(0, 6))).toBeUndefined();
  });
});

describe.skipIf(!HAVE_DOCKER)('removing replaced images', () => {
  const tag = `speedlab-test-replaced-${process.pid}`;
  const made: string[] = [];
  const containers: string[] = [];

  /** a layerless image from scratch with these labels, tagged `tag` (the previous one loses the tag) */
  const build = async (labels: Record<string, string>): Promise<string> => {
    const dir = mkdtempSync(path.join(tmpdir(), 'speedlab-img-'));
    try {
      writeFileSync(path.join(dir, 'Dockerfile'), `FROM scratch\nLABEL speedlab.test=${process.pid}-${made.length}\n`);
      const id = await buildImage(engine(), tar.pack(dir), { tag, dockerfile: 'Dockerfile', labels });
      made.push(id);
      return id;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const exists = async (id: string) => docker().getImage(id).inspect().then(() => true, () => false);

  afterAll(async () => {
    for (const c of containers) await docker().getContainer(c).remove({ force: true });
    for (const id of [...made].reverse()) await docker().getImage(id).remove({ force: true }).catch(() => {});
  });

  it('removes the project\'s untagged images, and keeps the current stage, used, foreign and newer ones', async () => {
    const oldImage = await build({ [CONTEXT_LABEL]: 'old' });
    const oldStage = await build({ [STAGE_LABEL]: 'deps' });
    const currentStage = await build({ [STAGE_LABEL]: 'deps' });
    const used = await build({ [CONTEXT_LABEL]: 'used' });
    const c = await docker().createContainer({ Image: used, Cmd: ['none'], HostConfig: { NetworkMode: 'none' } });
    containers.push(c.id);
    const foreign = await build({ 'someone.else': 'yes' });
    const cutoff = Math.floor(Date.now() / 1000) + 1;
    await new Promise((r) => setTimeout(r, 1100));
    const newer = await build({ [CONTEXT_LABEL]: 'newer' });
    await build({ [CONTEXT_LABEL]: 'tagged' }); // takes the tag: `newer` is untagged now

    await removeReplacedImages(engine(), new Set([currentStage.replace(/^sha256:/, '').slice(0, 12)]), cutoff);

    expect(await exists(oldImage)).toBe(false);
    expect(await exists(oldStage)).toBe(false);
    expect(await exists(currentStage)).toBe(true);
    expect(await exists(used)).toBe(true);
    expect(await exists(foreign)).toBe(true);
    expect(await exists(newer)).toBe(true);
  });
});
