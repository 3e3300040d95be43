// The server dies in each phase of a point, on command, in Docker: the same words as on the local
// runtime (server-dies.ts holds the cases), and the OOM case under a real container memory limit.
import { describe } from 'vitest';
import { HAVE_DOCKER } from '../docker/engine.js';
import { runtimeSuite } from './server-dies.js';

describe.skipIf(!HAVE_DOCKER)('the server dies in a chosen phase: docker runtime', () => runtimeSuite('docker'));
