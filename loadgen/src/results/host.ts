// What run.json records about the machine and the tools.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import type { RunInfo } from './record.js';

const require = createRequire(import.meta.url);

function packageVersion(name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function ownVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function hostInfo(): RunInfo['host'] {
  return {
    hostname: os.hostname(),
    kernel: os.release(),
    cgroupVersion: existsSync('/sys/fs/cgroup/cgroup.controllers') ? 2 : 1,
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memBytes: os.totalmem(),
    node: process.version,
  };
}

export function toolVersions(): Record<string, string> {
  return {
    speedlab: ownVersion(),
    autocannon: packageVersion('autocannon'),
    'hdr-histogram-js': packageVersion('hdr-histogram-js'),
    node: process.version,
  };
}
