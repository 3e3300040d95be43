// `client:` in an experiment: how the lab's clients talk to the server (check/settings.ts), each
// setting given or `auto` (the default). For a user's server, `run` fills the autos from `check`'s
// stages before the first point; for the reference server, auto is the lab's default.
import { z } from 'zod';
import { BODY_MODES, CONNECTION_MODES, LAB_DEFAULTS, NAME_ALPHABETS, type ClientSettings, type NameShape } from '../results/client-settings.js';

const AUTO = 'auto' as const;

export const clientChoiceSchema = z.strictObject({
  connection: z.enum([...CONNECTION_MODES, AUTO], { error: () => 'expected keep-alive, close or auto' }).optional(),
  names: z.union([
    z.literal(AUTO),
    z.strictObject({
      length: z.number({ error: () => 'expected a length of 1 to 27' }).int().min(1).max(27),
      alphabet: z.enum(NAME_ALPHABETS, { error: () => `expected ${NAME_ALPHABETS.join(' or ')}` }),
    }),
  ], { error: () => 'expected auto or { length: N, alphabet: alnum | alnum-dash-underscore }' }).optional(),
  body: z.enum([...BODY_MODES, AUTO], { error: () => 'expected with-head, after-head or auto' }).optional(),
  seedConnections: z.union([z.literal(AUTO), z.number().int().min(1).max(1024)], { error: () => 'expected auto or a number of connections, 1 to 1024' }).optional(),
}, { error: () => 'expected { connection, names, body, seedConnections }, each optional (auto)' });

export const CLIENT_FIELDS = ['connection', 'names', 'body', 'seedConnections'] as const;

export interface ClientChoice {
  connection: ClientSettings['connection'] | typeof AUTO;
  names: NameShape | typeof AUTO;
  body: ClientSettings['body'] | typeof AUTO;
  seedConnections: number | typeof AUTO;
}

export function clientChoice(raw: z.output<typeof clientChoiceSchema> | undefined): ClientChoice {
  return { connection: raw?.connection ?? AUTO, names: raw?.names ?? AUTO, body: raw?.body ?? AUTO, seedConnections: raw?.seedConnections ?? AUTO };
}

/** the settings left to `auto` */
export function autoFields(choice: ClientChoice): (typeof CLIENT_FIELDS)[number][] {
  return CLIENT_FIELDS.filter((f) => choice[f] === AUTO);
}

/** the choice with every auto taken from `learned` (check's findings, or the lab's defaults) */
export function fillChoice(choice: ClientChoice, learned: ClientSettings = LAB_DEFAULTS): ClientSettings {
  return {
    connection: choice.connection === AUTO ? learned.connection : choice.connection,
    names: choice.names === AUTO ? learned.names : choice.names,
    body: choice.body === AUTO ? learned.body : choice.body,
    seedConnections: choice.seedConnections === AUTO ? learned.seedConnections : choice.seedConnections,
  };
}

/** why wrk cannot send as these settings ask, or undefined (wrk writes a request whole, and keeps a connection until an answer says Connection: close) */
export function wrkRefusal(s: ClientSettings): string | undefined {
  const why: string[] = [];
  if (s.connection === 'close') why.push('client connection: close (wrk keeps a connection open until the server\'s answer says Connection: close; it cannot close after each answer itself)');
  if (s.body === 'after-head') why.push('client body: after-head (wrk writes a request\'s head and body in one write)');
  return why.length ? `wrk cannot send as this server needs: ${why.join('; ')}; use engine: autocannon` : undefined;
}
