import { CliError } from '../cli-error.js';

/** The results directory cannot be turned into a report (missing or unreadable files). */
export class ReportInputError extends CliError {
  constructor(message: string, exitCode = 1) {
    super(message, exitCode);
    this.name = 'ReportInputError';
  }
}
