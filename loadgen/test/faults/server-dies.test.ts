// The server dies in each phase of a point, on command, on the local runtime: the point's failure
// names the death first, with the phase, the request in flight and the server's last output
// (server-dies.ts holds the cases; server-dies-docker.test.ts: the same words in Docker).
import { describe } from 'vitest';
import { runtimeSuite } from './server-dies.js';

describe('the server dies in a chosen phase: local runtime', () => runtimeSuite('local'));
