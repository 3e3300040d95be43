// The speedlab image: built offline (local base from the host's Node when node:20-bookworm-slim
// cannot be had), reused when nothing changed, runs as uid 1000 with no network, and carries the
// disk helper's tools.
import { describe, expect, it, beforeAll } from 'vitest';
import { runToCompletion } from '../../../../src/runtime/docker/containers/run.js';
import { IMAGE } from '../../../../src/runtime/docker/engine/labels.js';
import { ensureImage } from '../../../../src/runtime/docker/image/image.js';
import { parseLdd } from '../../../../src/runtime/docker/image/local-base.js';
import { docker, engine, ensureTestImage, HAVE_DOCKER } from '../../../docker/engine.js';

describe('ldd parsing', () => {
  it('keeps resolved libraries and the loader, drops the vdso', () => {
    const out = [
      '\tlinux-vdso.so.1 (0x00007ffd)',
      '\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f36)',
      '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f36)',
      '\t/lib64/ld-linux-x86-64.so.2 (0x00007f36)',
    ].join('\n');
    expect(parseLdd(out)).toEqual([
      '/lib/x86_64-linux-gnu/libstdc++.so.6',
      '/lib/x86_64-linux-gnu/libc.so.6',
      '/lib64/ld-linux-x86-64.so.2',
    ]);
  });
});

describe.skipIf(!HAVE_DOCKER)('speedlab image', () => {
  beforeAll(async () => {
    await ensureTestImage();
  });

  it('is reused without a build when the checkout has not changed', async () => {
    await ensureImage(engine()); // catches up with any build output written since
    const before = (await docker().getImage(IMAGE).inspect()).Id;
    const again = await ensureImage(engine());
    expect(again.built).toBe(false);
    expect((await docker().getImage(IMAGE).inspect()).Id).toBe(before);
  });

  it('runs node as uid 1000 with no network, with the CLI, production packages and disk tools', async () => {
    const check = `
      const fs = require('fs');
      const has = (p) => fs.existsSync(p);
      console.log(JSON.stringify({
        uid: process.getuid(), node: process.version,
        cli: has('/app/dist/loadgen/src/cli.js'), server: has('/app/dist/server/src/cli.js'),
        dockerode: has('/app/node_modules/dockerode'), vitest: has('/app/node_modules/vitest'),
        ifaces: Object.keys(require('os').networkInterfaces()),
      }));`;
    const r = await runToCompletion(engine(), { Image: IMAGE, Cmd: ['node', '-e', check], HostConfig: { NetworkMode: 'none' } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      uid: 1000, node: process.version, cli: true, server: true, dockerode: true, vitest: false, ifaces: ['lo'],
    });
    for (const tool of [['mke2fs', '-V'], ['losetup', '--version'], ['dd', '--version']]) {
      const t = await runToCompletion(engine(), { Image: IMAGE, Cmd: tool, HostConfig: { NetworkMode: 'none' } });
      expect(t.exitCode, `${tool[0]}: ${t.stderr}`).toBe(0);
    }
  });
});
