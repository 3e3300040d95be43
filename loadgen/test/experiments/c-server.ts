// The C server tests' shared part (c-server.test.ts: local; c-server-docker.test.ts: its image):
// examples/c-server built by its Makefile, in a work directory removed afterwards.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { ROOT, tempDir } from '../fixtures/cli.js';

export const C_DIR = path.join(ROOT, 'examples/c-server');
export const work = tempDir('speedlab-c-server-');
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(() => {
  execFileSync('make', ['-s', '-C', C_DIR], { stdio: 'inherit' });
});

