// Removing what runs leave behind: a run's own containers, volumes and loop devices at its end
// (or on Ctrl-C), and at the start of a run the leftovers of runs whose owner process is gone.
import type Docker from 'dockerode';
import { runHelper } from '../disk/helper.js';
import { removeVolumeQuietly } from '../disk/provision.js';
import { RUN_LABEL } from './docker-labels.js';
import { OWNER_LABEL, ownerAlive, parseOwner } from './docker-owner.js';
import { removeQuietly } from './docker-run.js';

interface Labelled {
  id: string;
  labels: Record<string, string>;
}

async function labelledContainers(docker: Docker, filter: string): Promise<Labelled[]> {
  const list = await docker.listContainers({ all: true, filters: { label: [filter] } });
  return list.map((c) => ({ id: c.Id, labels: c.Labels ?? {} }));
}

async function labelledVolumes(docker: Docker, filter: string): Promise<Labelled[]> {
  const list = await docker.listVolumes({ filters: { label: [filter] } });
  return (list.Volumes ?? []).map((v) => ({ id: v.Name, labels: (v.Labels ?? {}) as Record<string, string> }));
}

interface LoopEntry {
  name: string;
  owner: { runId?: string; host?: string; pid?: number } | null;
  devices: string[];
}

async function loopEntries(docker: Docker, runId: string): Promise<LoopEntry[]> {
  return JSON.parse(await runHelper(docker, ['list'], { runId })) as LoopEntry[];
}

/** containers first (they hold the volumes), then volumes, then loop devices */
async function removeAll(docker: Docker, runId: string, containers: Labelled[], volumes: Labelled[], loops: LoopEntry[]): Promise<void> {
  await Promise.all(containers.map((c) => removeQuietly(docker.getContainer(c.id))));
  for (const v of volumes) await removeVolumeQuietly(docker, v.id);
  for (const l of loops) await runHelper(docker, ['detach', l.name], { runId });
}

export async function removeRun(docker: Docker, runId: string): Promise<void> {
  const filter = `${RUN_LABEL}=${runId}`;
  const [containers, volumes] = await Promise.all([labelledContainers(docker, filter), labelledVolumes(docker, filter)]);
  await Promise.all(containers.map((c) => removeQuietly(docker.getContainer(c.id))));
  for (const v of volumes) await removeVolumeQuietly(docker, v.id);
  const loops = (await loopEntries(docker, runId)).filter((l) => l.owner?.runId === runId);
  await removeAll(docker, runId, [], [], loops);
}

/** leftovers of runs whose owner process has ended; returns how many resources went */
export async function removeStale(docker: Docker, currentRunId: string): Promise<number> {
  const [containers, volumes, loops] = await Promise.all([
    labelledContainers(docker, RUN_LABEL),
    labelledVolumes(docker, RUN_LABEL),
    loopEntries(docker, currentRunId),
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
