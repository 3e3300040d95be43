// docker-compose.yml with Debian's docker-compose 1.29: valid, EXPERIMENT picks the experiment,
// `run lab …` is the CLI, and the lab creates sibling containers through the socket (here: a
// calibration, which also provisions a disk through the helper) that are gone afterwards.
import { execFileSync, spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { engine, ensureTestImage, HAVE_DOCKER } from './engine.js';

const COMPOSE = 'docker-compose';
const haveCompose = spawnSync(COMPOSE, ['version'], { stdio: 'ignore' }).status === 0;
const project = `speedlabtest${process.pid}`;

function compose(args: string[], env: Record<string, string> = {}): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(COMPOSE, ['-p', project, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!HAVE_DOCKER)('docker-compose.yml (compose 1.29)', () => {
  beforeAll(async () => {
    if (!haveCompose) throw new Error('docker-compose is not installed (bash docker/engine.sh installs it)');
    await ensureTestImage();
  });

  it('is valid and runs experiments/quick.yaml unless EXPERIMENT says otherwise', () => {
    const plain = compose(['config']);
    expect(plain.status, plain.stderr).toBe(0);
    const lab = YAML.parse(plain.stdout).services.lab;
    expect(lab.command).toEqual(['run', 'experiments/quick.yaml']);
    expect(lab.network_mode).toBe('none');
    expect(lab.volumes.map((v: string | { target: string }) => (typeof v === 'string' ? v : v.target)).join(' ')).toMatch(/docker\.sock/);
    const other = compose(['config'], { EXPERIMENT: 'experiments/other.yaml' });
    expect(YAML.parse(other.stdout).services.lab.command).toEqual(['run', 'experiments/other.yaml']);
  });

  it('gives the CLI with run lab, and the lab\'s sibling containers are cleaned up', async () => {
    const networks = (await engine().listNetworks()).map((n) => n.Name).sort();
    const help = compose(['run', '--rm', 'lab', '--help']);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/usage: speedlab <command>/);

    const cal = compose(['run', '--rm', 'lab', 'calibrate', '--disk', 'ram', '--disk', 'sd-card', '--mib', '8']);
    expect(cal.status, cal.stderr).toBe(0);
    expect(cal.stdout).toMatch(/^ram\s/m);
    expect(cal.stdout).toMatch(/^sd-card\s.*\s9\.5\s/m);

    // the lab is pid 1 in its container, so its runs are calibrate-1-…
    const left = await engine().listContainers({ all: true, filters: { label: ['speedlab.run'] } });
    expect(left.filter((c) => c.Labels['speedlab.run']?.startsWith('calibrate-1-'))).toEqual([]);
    const vols = await engine().listVolumes({ filters: { label: ['speedlab.run'] } });
    expect((vols.Volumes ?? []).filter((v) => v.Labels?.['speedlab.run']?.startsWith('calibrate-1-'))).toEqual([]);
    expect(execFileSync('losetup', ['-l'], { encoding: 'utf8' })).not.toMatch(/calibrate-1-/);
    // no bridge (or any) network was created
    expect((await engine().listNetworks()).map((n) => n.Name).sort()).toEqual(networks);
    compose(['down', '--remove-orphans']);
  });
});
