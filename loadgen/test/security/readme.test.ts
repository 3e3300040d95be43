// The README says plainly what the compose lab service holds (the engine's socket) and what that
// means, and what an experiment file can and cannot ask of a server container.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../fixtures/cli.js';

const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const safety = /^## Safety\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1] ?? '';
const flat = safety.replace(/\s+/g, ' ');

describe('README: Safety', () => {
  it('states that the compose lab service holds the Docker socket, and what that means', () => {
    const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: { lab: { volumes: string[]; user?: string } } };
    expect(compose.services.lab.volumes).toContain('/var/run/docker.sock:/var/run/docker.sock');
    expect(flat).toContain('The compose `lab` service mounts `/var/run/docker.sock`');
    expect(flat).toContain('controls the Docker engine, which is root on the host');
    expect(compose.services.lab.user).toBe('0:0');
    expect(flat).toContain('runs as root in its container');
    // the one container the lab starts that is not hardened is named, with what it gets
    expect(flat).toMatch(/helper container .* root with `CAP_SYS_ADMIN`, the host's `\/dev`/);
    expect(flat).toContain('only with experiment files you trust');
  });

  it('states what an experiment file cannot give a server container', () => {
    expect(flat).toContain('`USER root`');
    for (const field of ['privileged', 'capAdd', 'volumes', 'network', 'devices', 'user']) expect(flat).toContain(`\`${field}\``);
    expect(flat).toContain('`NetworkMode: none`');
    expect(flat).toContain('`host` disk profile');
  });
});
