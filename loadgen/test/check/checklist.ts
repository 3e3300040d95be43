// What `speedlab check` prints, for the gallery tests (gallery.test.ts locally,
// gallery-docker.test.ts in Docker): the checklist's marks and the stages all passed.
import path from 'node:path';
import { ROOT } from '../fixtures/cli.js';

export const GALLERY = path.join(ROOT, 'loadgen/test/fixtures/servers');

/** the checklist's marks, one per stage line: "✓ GET of a missing file on a fresh connection" */
export function marks(out: string): string[] {
  return out.split('\n').filter((l) => /^(with -N| {2}[✓!✗] )/.test(l)).map((l) => l.trim());
}

export const ALL_PASS = [
  '✓ GET of a missing file on a fresh connection',
  '✓ PUT, the body in a write after the head',
  '✓ PUT, head and body in one write',
  '✓ GET and HEAD of what was put',
  '✓ GET /healthcheck',
  '✓ a second request on a kept-alive connection',
  '✓ two connections at once',
  '✓ a connection closed without a request',
  '✓ a client that closes mid-response',
];

/** every stage passed but `title`, which got `mark` */
export const withMark = (title: string, mark: string) => ALL_PASS.map((l) => (l.endsWith(title) ? `${mark} ${title}` : l));
