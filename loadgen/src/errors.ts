// Every error the lab raises on purpose, in one place. Each has a stable `code` (to recognise it
// without matching its words) and the `exitCode` the CLI ends with when it reaches the top
// (cli.ts), which prints its message alone, without a stack trace. This module imports nothing,
// so any module may use it: api/runtime-choice.ts recognises the Docker engine's errors
// without loading dockerode.

export abstract class SpeedlabError extends Error {
  abstract readonly code: string;
  abstract readonly exitCode: number;

  /** `options.cause`: the error this one wraps, when it wraps one */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** a message meant for the user; exit 2 for a usage error, 1 for anything else */
export class CliError extends SpeedlabError {
  readonly code: string = 'cli';

  constructor(message: string, readonly exitCode = 1, options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * a run refused before its first point (a host disk not allowed, a disk the engine did not
 * throttle, wrk missing, two engines misused): what to change, in the user's words
 */
export class RunRefused extends CliError {
  override readonly code: string = 'run-refused';
}

/** the results directory cannot be turned into a report (missing or unreadable files) */
export class ReportInputError extends CliError {
  override readonly code: string = 'report-input';
}

/** a results file (points.jsonl, run.json) that is not what the lab writes: which file, line and field */
export class ResultsFormatError extends SpeedlabError {
  readonly code = 'results-format';
  readonly exitCode = 1;
}

export class EngineUnreachableError extends SpeedlabError {
  readonly code = 'engine-unreachable';
  readonly exitCode = 1;

  constructor(where: string, readonly reason: string, options?: ErrorOptions) {
    super(
      `no Docker engine answers at ${where} (${reason}); start one with 'bash docker/engine.sh' ` +
        `(Debian, as root), or set DOCKER_HOST`,
      options,
    );
  }
}

export class UnknownDiskError extends SpeedlabError {
  readonly code = 'unknown-disk';
  readonly exitCode = 2;

  constructor(name: string, known: readonly string[]) {
    super(`unknown disk profile '${name}': expected one of ${known.join(', ')} or a name defined under disks:`);
  }
}

/** how every wrk-missing message starts, also when it comes back from a loadgen process or container */
export const WRK_MISSING = 'engine: wrk needs the wrk program';

export class WrkMissingError extends SpeedlabError {
  readonly code = 'wrk-missing';
  readonly exitCode = 1;

  constructor(detail: string) {
    super(process.env.SPEEDLAB_IN_IMAGE
      ? `${WRK_MISSING} (${detail}): install wrk on the machine that builds the image (apt-get install wrk), then rebuild it with speedlab image`
      : `${WRK_MISSING} (${detail}): install it (Debian/Ubuntu: apt-get install wrk; macOS: brew install wrk) or set SPEEDLAB_WRK=/path/to/wrk`);
  }
}

/** wrk ran but failed, or printed no usable result */
export class WrkFailed extends SpeedlabError {
  readonly code = 'wrk-failed';
  readonly exitCode = 1;
}

/**
 * the runtime went away mid-sweep (the Docker engine stopped answering): the point is not
 * recorded; `runDir`, once the run has one, is what to resume
 */
export class RuntimeLost extends SpeedlabError {
  readonly code = 'runtime-lost';
  readonly exitCode = 1;

  constructor(message: string, readonly runDir?: string) {
    super(message);
  }
}

/** the shell's code for a run stopped by SIGINT (128 + 2) */
export const EXIT_INTERRUPTED = 130;

/** the run was stopped (SIGINT, SIGTERM): the unfinished point is discarded */
export class Interrupted extends SpeedlabError {
  readonly code = 'interrupted';
  readonly exitCode = EXIT_INTERRUPTED;

  constructor() {
    super('interrupted');
  }
}

/**
 * the parts of a point's failure (sweep/failure.ts words them): at which phase, what failed first
 * (the server's death wins over the client's symptom), the request in flight, what the client
 * saw, and the dead process's last output
 */
export interface FailureParts {
  /** start, readiness, seeding, warm-up, window, verify, stop */
  phase: string;
  /** server-died and loadgen-died: `cause` is how the process ended; symptom: what the client saw */
  kind: 'server-died' | 'loadgen-died' | 'symptom';
  cause: string;
  /** when in the phase, where the phase's own words do not say it ("when the lab stopped it with SIGTERM") */
  when?: string;
  /** "PUT /name", when one request was in flight */
  inFlight?: string;
  /** what the client saw (after the cause) */
  detail?: string[];
  /** the last lines the dead process wrote */
  outputTail?: string[];
  /** what to do about it, when the lab knows */
  hint?: string;
}

/** a point that could not be measured: why, and at which phase (recorded as the point's failure) */
export class PointFailure extends SpeedlabError {
  readonly code = 'point-failed';
  readonly exitCode = 1;

  constructor(message: string, readonly parts?: FailureParts, options?: ErrorOptions) {
    super(message, options);
  }
}
