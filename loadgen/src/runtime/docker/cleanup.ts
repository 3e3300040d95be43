// Removing what runs leave behind: a run's own containers, volumes and loop devices at its end
// (or on Ctrl-C), and at the start of a run the leftovers of runs whose owner process is gone.
import type { z } from 'zod';
import { helperResult, loopEntriesSchema, runHelper } from './disk/helper.js';
import type { DockerEngine, Labelled } from './engine/engine.js';
import { RUN_LABEL } from './engine/labels.js';
import { OWNER_LABEL, ownerAlive, parseOwner } from './engine/owner.js';

type LoopEntry = z.output<typeof loopEntriesSchema>[number];

async function loopEntries(docker: DockerEngine, runId: string): Promise<LoopEntry[]> {
  return helperResult(docker, ['list'], { runId }, loopEntriesSchema);
}

/** containers first (they hold the volumes), then volumes, then loop devices */
async function removeAll(docker: DockerEngine, runId: string, containers: Labelled[], volumes: Labelled[], loops: LoopEntry[]): Promise<void> {
  await Promise.all(containers.map((c) => docker.container(c.id).remove()));
  for (const v of volumes) await docker.removeVolume(v.id);
  for (const l of loops) await runHelper(docker, ['detach', l.name], { runId });
}

/** loops: false on an engine that makes no disks (the load generator's, with two engines) */
interface Scope { loops?: boolean }

export async function removeRun(docker: DockerEngine, runId: string, scope: Scope = {}): Promise<void> {
  const filter = [`${RUN_LABEL}=${runId}`];
  const [containers, volumes] = await Promise.all([docker.listContainers(filter), docker.listVolumes(filter)]);
  await Promise.all(containers.map((c) => docker.container(c.id).remove()));
  for (const v of volumes) await docker.removeVolume(v.id);
  if (scope.loops === false) return;
  const loops = (await loopEntries(docker, runId)).filter((l) => l.owner?.runId === runId);
  await removeAll(docker, runId, [], [], loops);
}

/** leftovers of runs whose owner process has ended; returns how many resources went */
export async function removeStale(docker: DockerEngine, currentRunId: string, scope: Scope = {}): Promise<number> {
  const [containers, volumes, loops] = await Promise.all([
    docker.listContainers([RUN_LABEL]),
    docker.listVolumes([RUN_LABEL]),
    scope.loops === false ? Promise.resolve([]) : loopEntries(docker, currentRunId),
  ]);
  const verdicts = new Map<string, Promise<boolean>>();
  const alive = (owner: string | undefined): Promise<boolean> => {
    const key = owner ?? '';
    if (!verdicts.has(key)) verdicts.set(key, ownerAlive(docker, parseOwner(owner)));
    return verdicts.get(key)!;
  };
  const staleOf = async <T>(items: T[], ownerOf: (t: T) => string | undefined): Promise<T[]> => {
    const flags = await Promise.all(items.map(async (t) => !(await alive(ownerOf(t)))));
    return items.filter((_, i) => flags[i]);
  };
  const staleContainers = await staleOf(containers, (c) => c.labels[OWNER_LABEL]);
  const staleVolumes = await staleOf(volumes, (v) => v.labels[OWNER_LABEL]);
  const staleLoops = await staleOf(loops, (l) => (l.owner?.host ? `${l.owner.host}:${l.owner.pid}` : undefined));
  await removeAll(docker, currentRunId, staleContainers, staleVolumes, staleLoops);
  return staleContainers.length + staleVolumes.length + staleLoops.length;
}
