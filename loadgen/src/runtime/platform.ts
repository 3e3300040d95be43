// Where the lab's parts can run: the local runtime needs Linux (/proc, /dev/shm, process groups);
// a host binary (wrk, or Node for the local base image) runs in the engine's containers only when
// host and engine share OS and CPU architecture. The platform and arch are parameters, so that
// each answer can be checked for every value Node and the engine report.

const OS_NAMES: Partial<Record<NodeJS.Platform, string>> = { darwin: 'macOS', win32: 'Windows' };

/** why the local runtime cannot run on this platform, or undefined on Linux */
export function localRuntimeRefusal(platform: NodeJS.Platform): string | undefined {
  if (platform === 'linux') return undefined;
  const name = platformName(platform);
  return `the local runtime runs only on Linux (it reads /proc and keeps its disks in /dev/shm), and this is ${name}: use Docker (Docker Desktop or colima; README "Your machine") with --runtime docker, or run on Linux (on Windows: inside WSL2)`;
}

/** the platform's name in a sentence: macOS, Windows, linux… */
export function platformName(platform: NodeJS.Platform): string {
  return OS_NAMES[platform] ?? platform;
}

/** Node's process.arch as the engine's info names CPUs (uname -m) */
export function engineArch(nodeArch: string): string {
  const names: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', arm: 'armv7l', ia32: 'i386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return names[nodeArch] ?? nodeArch;
}

export interface HostKind { platform: NodeJS.Platform; arch: string }
export interface EngineKind { os: string; arch: string }

export const THIS_HOST: HostKind = { platform: process.platform, arch: process.arch };

/** undefined when a binary of this host runs in the engine's containers; else why not, in words */
export function hostBinaryMismatch(host: HostKind, engine: EngineKind): string | undefined {
  const hostOs = platformName(host.platform);
  const hostArch = engineArch(host.arch);
  if (hostOs === engine.os && hostArch === engine.arch) return undefined;
  return `this host is ${hostOs}/${hostArch} and the Docker engine runs ${engine.os || 'an unknown OS'}/${engine.arch || 'an unknown CPU'}`;
}
