// The words of a point's failure (DESIGN §4, "Death wins over symptom"): when the server died,
// that comes first, with the phase and the request in flight; the client's symptom follows as
// detail, then the server's last output. Built from parts (errors.ts FailureParts) so that a
// later reader (hints, `speedlab check`) can add to them without parsing the sentence.
import { hintFor } from '../check/hints.js';
import { PointFailure, type FailureParts } from '../errors.js';
import { endedHow, ON_STOP_WORDS, type OwnEnd, type ProcessEnd } from '../runtime/death.js';

/** a point's phases, in order */
export type PointPhase = 'start' | 'readiness' | 'seeding' | 'warm-up' | 'window' | 'verify' | 'stop';

/** when, for a death noticed in this phase */
const WHEN: Record<PointPhase, string> = {
  start: 'while starting',
  readiness: 'before it accepted connections',
  seeding: 'during seeding',
  'warm-up': 'during warm-up',
  window: 'during the measured window',
  verify: 'during verification',
  stop: 'after verification, before the lab stopped it',
};

/** the request a client-side line names ("PUT /x: socket hang up" -> "PUT /x") */
export function requestOf(line: string | undefined): string | undefined {
  return line ? /^((?:GET|PUT|HEAD) \/\S*?):? /.exec(line)?.[1] : undefined;
}

function failureMessage(p: FailureParts): string {
  const hint = p.hint ? `. ${p.hint}` : '';
  if (p.kind === 'symptom') return `${p.cause}${p.detail?.length ? `: ${p.detail.join('; ')}` : ''}${hint}`;
  const when = p.when ?? WHEN[p.phase as PointPhase] ?? `during ${p.phase}`;
  // the in-flight request's own symptom reads best beside it; other symptoms follow
  const [first, ...rest] = p.detail ?? [];
  const own = p.inFlight && first?.startsWith(`${p.inFlight}: `) ? first.slice(p.inFlight.length + 2) : undefined;
  const others = own === undefined ? p.detail ?? [] : rest;
  const parts = [
    `${p.cause} ${when}${p.inFlight ? ` (${p.inFlight} in flight${own ? `: ${own}` : ''})` : ''}`,
    ...(others.length ? [`the client saw: ${others.join('; ')}`] : []),
    ...(p.outputTail?.length ? [`its last output: ${p.outputTail.join(' | ')}`] : []),
  ];
  return `${parts.join('; ')}${hint}`;
}

/** the failure's sentence and parts; a hint for the common flaws of course servers when none was given */
function pointFailure(p: FailureParts, options?: ErrorOptions): PointFailure {
  const found = p.hint ? undefined : hintFor(failureMessage(p));
  // check prints its hints under a stage; here one ends the sentence
  const hint = p.hint ?? (found && `${found[0]!.toUpperCase()}${found.slice(1)}`);
  const parts = hint ? { ...p, hint } : p;
  return new PointFailure(failureMessage(parts), parts, options);
}

const OOM_HINT = "Give the server more memory with SPEEDLAB_SERVER_MEMORY_MIB (the server's share of the container's limit), or find what grows";
const LOADGEN_HINT = 'This is a failure of the lab, not of the server: run the point again (run --resume)';

/** the server ended in `phase` (at the stop: before it, or its own way on the lab's SIGTERM); symptom: what the client saw then */
export function serverDied(phase: PointPhase, end: ProcessEnd | OwnEnd, symptom: { inFlight?: string; detail?: string[] } = {}): PointFailure {
  const onStop = 'when' in end && end.when === 'on-stop';
  return pointFailure({
    phase,
    ...(onStop && { when: ON_STOP_WORDS }),
    kind: 'server-died',
    cause: `the server ${endedHow(end.how)}`,
    ...(symptom.inFlight && { inFlight: symptom.inFlight }),
    ...(symptom.detail?.length && { detail: symptom.detail }),
    ...(end.stderrTail.length && { outputTail: end.stderrTail }),
    ...(end.how.kind === 'oom' && { hint: OOM_HINT }),
  });
}

/** the lab's load generator (its process or its container) ended abnormally in `phase` */
export function loadgenDied(phase: PointPhase, end: ProcessEnd, container: boolean): PointFailure {
  return pointFailure({
    phase,
    kind: 'loadgen-died',
    cause: `the lab's load generator${container ? "'s container" : ''} ${endedHow(end.how)}`,
    ...(end.stderrTail.length && { outputTail: end.stderrTail }),
    hint: end.how.kind === 'oom' ? `${LOADGEN_HINT}; it ran out of its own memory` : LOADGEN_HINT,
  });
}

/** the server is alive and the phase failed: the client's symptom is the cause (`options.cause`: the error it came as) */
export function symptom(phase: PointPhase, cause: string, detail?: string[], options?: ErrorOptions): PointFailure {
  return pointFailure({ phase, kind: 'symptom', cause, ...(detail?.length && { detail }) }, options);
}
