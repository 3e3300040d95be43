// The client settings a server needs from the lab (`client:` in an experiment, run.json), as `check` finds them.
import { z } from 'zod';

export const NAME_ALPHABETS = ['alnum', 'alnum-dash-underscore'] as const;
export const CONNECTION_MODES = ['keep-alive', 'close'] as const;
export const BODY_MODES = ['with-head', 'after-head'] as const;

const nameShapeSchema = z.object({ length: z.number().int().min(1).max(27), alphabet: z.enum(NAME_ALPHABETS) });

export const clientSettingsSchema = z.object({
  /** keep-alive: many requests per connection; close: one request per connection, as the course's tests do */
  connection: z.enum(CONNECTION_MODES),
  names: nameShapeSchema,
  /** with-head: a PUT's head and body in one write; after-head: the body in a write of its own */
  body: z.enum(BODY_MODES),
  /** connections the seed and verify passes use at once (never more than the point's connections) */
  seedConnections: z.number().int().min(1).max(1024).default(16),
});

export type ClientSettings = z.output<typeof clientSettingsSchema>;
export type NameShape = ClientSettings['names'];

/** what the lab's clients do unless a server needs otherwise */
export const LAB_DEFAULTS: ClientSettings = {
  connection: 'keep-alive',
  names: { length: 27, alphabet: 'alnum-dash-underscore' },
  body: 'with-head',
  seedConnections: 16,
};

/** the settings in one line, as `check` and `run` print them (seeding only when not the default) */
export function settingsText(s: ClientSettings): string {
  const seeding = s.seedConnections === LAB_DEFAULTS.seedConnections ? '' : `, seeding: ${s.seedConnections} connections`;
  return `connection: ${s.connection}, names: ${s.names.length} × ${s.names.alphabet}, body: ${s.body}${seeding}`;
}
