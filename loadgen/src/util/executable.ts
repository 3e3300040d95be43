// Finding a program: the first executable file of that name in a list of directories, PATH's
// (as a shell searches it) or a fixed list.
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/** PATH's directories, in order (empty entries dropped) */
export function pathDirectories(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.PATH ?? '').split(path.delimiter).filter(Boolean);
}

/** true when `file` is a regular file this process may execute */
export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** the first `dir/name` of `dirs` that is an executable file, or undefined */
export function findExecutable(name: string, dirs: readonly string[]): string | undefined {
  return dirs.map((dir) => path.join(dir, name)).find(isExecutable);
}
