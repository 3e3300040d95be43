// `client:` auto for a run: before the first point of a user's server, check's stages learn what
// the experiment left to auto (connection, names, body); explicit settings win. The reference
// server needs nothing learned: its autos are the lab's defaults. A resumed run keeps its settings.
import { autoFields, fillChoice, type ClientChoice } from '../experiment/client.js';
import type { Experiment } from '../experiment/experiment.js';
import type { RunInfo } from '../results/record.js';
import type { Runtime } from '../runtime/types.js';
import { experimentProbe, probeServer } from './probe.js';
import { LAB_DEFAULTS, settingsText } from '../results/client-settings.js';
import { verdict } from './verdict.js';

type ClientRecord = NonNullable<RunInfo['client']>;

/** the settings check's stages can learn (seedConnections is the lab's choice, not the server's) */
const LEARNABLE = ['connection', 'names', 'body'] as const;

function learnable(choice: ClientChoice): (typeof LEARNABLE)[number][] {
  return autoFields(choice).filter((f): f is (typeof LEARNABLE)[number] => (LEARNABLE as readonly string[]).includes(f));
}

export async function resolveClient(exp: Experiment, runtime: Runtime, runId: string, previous: ClientRecord | undefined, say: (line: string) => void): Promise<ClientRecord> {
  if (previous) return previous;
  const autos = learnable(exp.client);
  if (exp.server.impl.kind === 'reference' || autos.length === 0) {
    return { settings: exp.clientSettings, learned: [], checkS: 0, blocking: [] };
  }
  const started = performance.now();
  say(`client: ${autos.join(', ')} ${autos.length === 1 ? 'is' : 'are'} auto: checking what your server needs (speedlab check's stages)…`);
  const { spec, threads } = experimentProbe(exp, runId);
  const found = structuredClone(exp.clientSettings);
  const v = verdict(await probeServer(runtime, spec, threads, found));
  const settings = fillChoice(exp.client, v.settings);
  const learned = autos.filter((f) => JSON.stringify(settings[f]) !== JSON.stringify(LAB_DEFAULTS[f]));
  const checkS = Number(((performance.now() - started) / 1000).toFixed(1));
  const what = learned.length ? `check set ${learned.join(', ')}` : "the lab's defaults suit it";
  say(`client: ${settingsText(settings)} (${what}; check took ${checkS} s)`);
  for (const b of v.blocking) say(`client: check found what may fail the points: ${b} (speedlab check prints the whole checklist)`);
  return { settings, learned, checkS, blocking: v.blocking };
}
