// Every error the server raises on purpose, in one place: a stable `code`, and the `exitCode`
// its command line ends with (cli.ts), after printing the message alone.

export abstract class ServerError extends Error {
  abstract readonly code: string;
  abstract readonly exitCode: number;

  /** `options.cause`: the error this one wraps, when it wraps one */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** the command line is wrong: printed with the usage */
export class UsageError extends ServerError {
  readonly code = 'usage';
  readonly exitCode = 2;
}

/** the server cannot start: no data directory, no log file, the port taken */
export class StartupError extends ServerError {
  readonly code = 'startup';
  readonly exitCode = 1;
}
