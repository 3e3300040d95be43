// docker-compose.yml with Debian's docker-compose 1.29: valid, EXPERIMENT picks the experiment,
// `run lab …` is the CLI, and the lab creates sibling containers through the socket (here: a
// calibration, which also provisions a disk through the helper) that are gone afterwards.
// Why its time (~40 s): docker-compose starts the lab's container, which runs a real experiment
// (calibration, ceiling, one point) through the engine's socket.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { helperResult, loopEntriesSchema } from '../../src/runtime/docker/disk/helper.js';
import { OWNER_LABEL } from '../../src/runtime/docker/engine/owner.js';
import { docker, engine, ensureTestImage, HAVE_DOCKER } from './engine.js';

const COMPOSE = 'docker-compose';

interface LabService { command: string[]; network_mode: string; volumes: (string | { target: string })[] }

/** the lab service of `compose config`'s output */
function labService(config: string): LabService {
  return (YAML.parse(config) as { services: { lab: LabService } }).services.lab;
}
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
    const lab = labService(plain.stdout);
    expect(lab.command).toEqual(['run', 'experiments/quick.yaml']);
    expect(lab.network_mode).toBe('none');
    expect(lab.volumes.map((v) => (typeof v === 'string' ? v : v.target)).join(' ')).toMatch(/docker\.sock/);
    const other = compose(['config'], { EXPERIMENT: 'experiments/other.yaml' });
    expect(labService(other.stdout).command).toEqual(['run', 'experiments/other.yaml']);
  });

  it('gives the CLI with run lab, and the lab\'s sibling containers are cleaned up', async () => {
    const networks = (await docker().listNetworks()).map((n) => n.Name).sort();
    const help = compose(['run', '--rm', 'lab', '--help']);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/usage: speedlab <command>/);

    const cal = compose(['run', '--rm', 'lab', 'calibrate', '--disk', 'ram', '--disk', 'sd-card', '--mib', '8']);
    expect(cal.status, cal.stderr).toBe(0);
    expect(cal.stdout).toMatch(/^ram\s/m);
    expect(cal.stdout).toMatch(/^sd-card\s.*\s9\.5\s/m);

    // the lab is pid 1 in its container, so its runs are calibrate-1-…
    const left = await docker().listContainers({ all: true, filters: { label: ['speedlab.run'] } });
    expect(left.filter((c) => c.Labels['speedlab.run']?.startsWith('calibrate-1-'))).toEqual([]);
    const vols = await docker().listVolumes({ filters: { label: ['speedlab.run'] } });
    expect((vols.Volumes ?? []).filter((v) => v.Labels?.['speedlab.run']?.startsWith('calibrate-1-'))).toEqual([]);
    expect(execFileSync('losetup', ['-l'], { encoding: 'utf8' })).not.toMatch(/calibrate-1-/);
    // no bridge (or any) network was created
    expect((await docker().listNetworks()).map((n) => n.Name).sort()).toEqual(networks);
    compose(['down', '--remove-orphans']);
  });

  it('docker-compose up runs an experiment end to end and leaves nothing behind', async () => {
    // a tiny experiment, mounted where the lab looks for files (an override adds the mount)
    const fixtures = mkdtempSync(path.join(tmpdir(), 'speedlab-compose-'));
    const name = `compose-e2e-${process.pid}`;
    writeFileSync(path.join(fixtures, 'tiny.yaml'), [
      `name: ${name}`,
      'server: { impl: reference, lock: file, logWrite: reserved, sync: fsync }',
      'sweep: { threads: [1], disk: [small] }',
      'workload: { mix: put, files: distinct, fileSize: 4KiB, connections: 2, warmup: 0s, duration: 1s, repetitions: 1 }',
      'disks: { small: { kind: throttled, size: 64MiB, writeBps: 50MB } }',
      '',
    ].join('\n'));
    const override = path.join(fixtures, 'override.yml');
    writeFileSync(override, `version: "2.4"\nservices:\n  lab:\n    volumes:\n      - ${fixtures}:/app/fixtures:ro\n`);
    const files = ['-f', 'docker-compose.yml', '-f', override];
    const networks = (await docker().listNetworks()).map((n) => n.Name).sort();
    const results = () => (existsSync('results') ? readdirSync('results').filter((d) => d.startsWith(`${name}-`)) : []);
    expect(results()).toEqual([]);
    try {
      const t0 = Date.now();
      const up = compose([...files, 'up', '--no-build', '--abort-on-container-exit', '--exit-code-from', 'lab'], { EXPERIMENT: 'fixtures/tiny.yaml' });
      console.log(`docker-compose up: exit ${up.status} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      expect(up.status, `${up.stdout}\n${up.stderr}`).toBe(0);
      expect(up.stdout).toMatch(/calibrated disk 'small'/);
      const lab = compose([...files, 'ps', '-q', 'lab']).stdout.trim();
      expect(lab).toMatch(/^[0-9a-f]{64}$/);

      const [dir] = results();
      expect(dir).toBeDefined();
      const run = path.join('results', dir!);
      for (const f of ['points.jsonl', 'report.html', 'run.json', 'summary.csv']) expect(existsSync(path.join(run, f)), f).toBe(true);
      // written by root in the container, owned like the results directory it sits in
      const owner = statSync('results');
      for (const f of [run, path.join(run, 'points.jsonl'), path.join(run, 'report.html')]) {
        expect([statSync(f).uid, statSync(f).gid]).toEqual([owner.uid, owner.gid]);
      }

      // the lab's own resources carry its owner label: <its hostname (short id)>:<pid 1>
      const labOwner = `${lab.slice(0, 12)}:1`;
      const filters = { label: [`${OWNER_LABEL}=${labOwner}`] };
      expect(await docker().listContainers({ all: true, filters })).toEqual([]);
      expect((await docker().listVolumes({ filters })).Volumes ?? []).toEqual([]);
      const loops = await helperResult(engine(), ['list'], { runId: `compose-check-${process.pid}` }, loopEntriesSchema);
      expect(loops.filter((l) => l.owner?.host === lab.slice(0, 12))).toEqual([]);
    } finally {
      compose([...files, 'down', '--remove-orphans']);
      for (const d of results()) rmSync(path.join('results', d), { recursive: true, force: true });
      rmSync(fixtures, { recursive: true, force: true });
    }
    expect(await docker().listContainers({ all: true, filters: { label: [`com.docker.compose.project=${project}`] } })).toEqual([]);
    expect((await docker().listNetworks()).map((n) => n.Name).sort()).toEqual(networks);
  });
});
