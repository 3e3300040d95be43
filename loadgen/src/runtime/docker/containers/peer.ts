// The network path's far end with two engines (network/peer.ts): one container per run on the
// server's engine, on its host network beside where the servers listen, hardened like the rest.
import type { ContainerRef, DockerEngine } from '../engine/engine.js';
import { IMAGE, labels, safeName } from '../engine/labels.js';
import { HARDENED, USER } from './hardening.js';
import { demuxBuffer } from './run.js';

const READY = 'net peer: listening';

export class PathPeer {
  private constructor(readonly container: ContainerRef) {}

  /** started and listening on bind:port, or rejects with why not (its own words: a port in use, say) */
  static async start(docker: DockerEngine, o: { runId: string; cpuset: string; bind: string; port: number; timeoutMs?: number }): Promise<PathPeer> {
    const container = await docker.createContainer({
      name: safeName('speedlab', o.runId, 'peer'),
      Image: IMAGE,
      Cmd: ['node', 'dist/loadgen/src/cli.js', 'net', 'peer', '--host', o.bind, '--port', String(o.port)],
      User: USER,
      WorkingDir: '/app',
      Labels: labels(o.runId, 'peer'),
      HostConfig: { ...HARDENED, NetworkMode: 'host', CpusetCpus: o.cpuset, Memory: 256 * 1024 ** 2 },
    });
    try {
      await container.start();
      const deadline = Date.now() + (o.timeoutMs ?? 15_000);
      for (;;) {
        const { stdout, stderr } = demuxBuffer(await container.logs());
        const logs = stdout + stderr;
        if (logs.includes(READY)) return new PathPeer(container);
        const state = await container.inspect();
        if (!state?.running) {
          const hint = logs.includes('EADDRINUSE') ? `; port ${o.port} (engines.port + 1) is taken on the server's machine: choose another engines.port` : '';
          throw new Error(`the network peer on the server's engine ended: ${logs.trim().split('\n').slice(-2).join(' | ') || 'no output'}${hint}`);
        }
        if (Date.now() > deadline) throw new Error(`the network peer on the server's engine did not listen on ${o.bind}:${o.port} within ${o.timeoutMs ?? 15_000} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    } catch (err) {
      await container.remove();
      throw err;
    }
  }

  async remove(): Promise<void> {
    await this.container.remove();
  }
}
