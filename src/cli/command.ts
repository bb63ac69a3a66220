/** Where a command reads its environment and writes its output; the real process or a test's buffers. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean | undefined };
  stderr: { write(text: string): unknown; isTTY?: boolean | undefined };
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /**
   * Resolves with the signal's name when the user asks the process to stop (SIGINT/SIGTERM). Only
   * long-running commands call it: calling it takes over those signals from the default (exit at once).
   */
  waitForStop?: (() => Promise<string>) | undefined;
}

export interface OptionDefinition {
  type: "string" | "boolean";
  description: string;
  /** Placeholder shown in help, e.g. `N` or `URL`. */
  valueName?: string;
  short?: string;
  multiple?: boolean;
  /** Accepted values; anything else is a usage error naming them. */
  choices?: readonly string[];
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface CommandContext {
  options: OptionValues;
  positionals: string[];
  io: CliIo;
}

/**
 * One command or command group of the `llm-ledger` CLI. A group has `subcommands`; a leaf has `run`,
 * which returns the exit code (default 0) and throws `UsageError` for bad usage (exit 2) or any other
 * error for a failure (exit 1).
 */
export interface CommandDefinition {
  name: string;
  /** One line, shown in the parent's command list. */
  summary: string;
  /** Arguments after the command name, e.g. `MODEL` or `<up|down|status>`. */
  usage?: string;
  /** More text for `--help`. */
  description?: string;
  options?: Readonly<Record<string, OptionDefinition>>;
  /** How many positional arguments `run` accepts (default 0). */
  positionals?: { min?: number; max?: number };
  subcommands?: readonly CommandDefinition[];
  /** The root's version, printed by `--version`. */
  version?: string;
  run?(context: CommandContext): Promise<number | void>;
}
