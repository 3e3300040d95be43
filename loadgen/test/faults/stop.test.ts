// The lab's stop on the local runtime: SIGTERM to the server's process group, SIGKILL after the
// grace, and whose end it was (stop.ts holds the cases).
import { afterAll, describe } from 'vitest';
import { LocalRuntime } from '../../src/runtime/local/runtime.js';
import { uniqueSeed } from '../fixtures/cli.js';
import { stopSuite } from './stop.js';

describe('the lab stops a server: local runtime', () => {
  const rt = new LocalRuntime({ readyTimeoutS: 20 });
  const runId = `stop${uniqueSeed()}`;
  afterAll(() => rt.cleanup(runId));
  stopSuite({
    runtime: 'local',
    start: (spec) => rt.startServer(spec),
    get: async (server, name) => (await fetch(`http://127.0.0.1:${server.port}/${name}`)).status,
  }, runId);
});
