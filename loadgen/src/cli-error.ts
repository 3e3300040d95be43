/** An error meant for the user: printed as one clear message, no stack trace, non-zero exit. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}
