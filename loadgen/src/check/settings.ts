// The client settings a server needs from the lab (`client:` in an experiment), as `check` finds them.
import { z } from 'zod';

export const NAME_ALPHABETS = ['alnum', 'alnum-dash-underscore'] as const;

export const clientSettingsSchema = z.object({
  /** keep-alive: many requests per connection; close: one request per connection, as the course's tests do */
  connection: z.enum(['keep-alive', 'close']),
  names: z.object({ length: z.number().int().min(1).max(27), alphabet: z.enum(NAME_ALPHABETS) }),
  /** with-head: a PUT's head and body in one write; after-head: the body in a write of its own */
  body: z.enum(['with-head', 'after-head']),
});

export type ClientSettings = z.infer<typeof clientSettingsSchema>;

/** what the lab's clients do unless a server needs otherwise */
export const LAB_DEFAULTS: ClientSettings = {
  connection: 'keep-alive',
  names: { length: 27, alphabet: 'alnum-dash-underscore' },
  body: 'with-head',
};

/** the settings in one line, as `check` and `run` print them */
export function settingsText(s: ClientSettings): string {
  return `connection: ${s.connection}, names: ${s.names.length} × ${s.names.alphabet}, body: ${s.body}`;
}
