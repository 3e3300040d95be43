// The compose lab runs as root in its container (it needs the engine's socket), so what it
// writes into the bind-mounted ./results would belong to root on the host. When this process is
// root and the directory holding the run directory belongs to someone else (the user who owns
// the checkout's results/), the run directory goes to that owner.
import { chownSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export function giveToParentOwner(dir: string): void {
  if (process.getuid?.() !== 0) return;
  const parent = statSync(path.dirname(path.resolve(dir)));
  if (parent.uid === 0 && parent.gid === 0) return;
  const entries = readdirSync(dir, { recursive: true }) as string[];
  for (const p of [dir, ...entries.map((e) => path.join(dir, e))]) chownSync(p, parent.uid, parent.gid);
}
