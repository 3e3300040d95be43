// The lab's stop on the Docker runtime: SIGTERM through the engine's init to the server, SIGKILL
// after the grace, and whose end it was (stop.ts holds the cases).
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { createDockerRuntime, type DockerRuntime } from '../../src/runtime/docker/runtime.js';
import { ensureTestImage, HAVE_DOCKER, leftovers, uniqueRunId } from '../docker/engine.js';
import { stopSuite } from './stop.js';

describe.skipIf(!HAVE_DOCKER)('the lab stops a server: docker runtime', () => {
  const runId = uniqueRunId('stop');
  let rt: DockerRuntime;
  beforeAll(async () => {
    await ensureTestImage();
    rt = (await createDockerRuntime({ note: () => {}, buildImage: false })) as DockerRuntime;
  });
  afterAll(async () => {
    await rt?.cleanup(runId);
    expect(await leftovers(runId)).toEqual({ containers: [], volumes: [] });
  });
  stopSuite({
    runtime: 'docker',
    start: (spec) => rt.startServer(spec),
    get: async (server, name) => {
      const r = await rt.runInNetns(server, ['node', '-e', `fetch('http://127.0.0.1:${server.port}/${name}').then((r) => console.log(r.status))`]);
      return Number(r.stdout.trim().split('\n').pop());
    },
  }, runId);
});
