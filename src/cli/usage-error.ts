import { LedgerError } from "../errors.js";

/** Bad usage of the CLI: a wrong flag or value. Printed as one line; exit code 2. */
export class UsageError extends LedgerError {
  constructor(message: string) {
    super("E_CLI_USAGE", message);
    this.name = "UsageError";
  }
}
