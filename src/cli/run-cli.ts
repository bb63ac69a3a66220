import { parseArgs } from "node:util";
import { isLedgerError } from "../errors.js";
import type { CliIo, CommandDefinition, OptionValues } from "./command.js";
import { UsageError } from "./usage-error.js";
import { formatHelp } from "./help.js";
import { didYouMean } from "./nearest-name.js";

/**
 * Runs the CLI on `argv` (without `node` and the script) and returns the exit code: 0 success,
 * 1 failure, 2 bad usage. Errors are printed here, in one place, as one line each; stack traces only
 * with LLM_LEDGER_DEBUG=1.
 */
export async function runCli(root: CommandDefinition, argv: readonly string[], io: CliIo): Promise<number> {
  const path: CommandDefinition[] = [root];
  let rest = [...argv];
  // Walk down the command tree while the next word names a subcommand.
  for (;;) {
    const current = path.at(-1)!;
    const next = rest[0];
    const child =
      next === undefined ? undefined : current.subcommands?.find((command) => command.name === next);
    if (!child) break;
    path.push(child);
    rest = rest.slice(1);
  }
  const command = path.at(-1)!;
  const commandName = path.map((part) => part.name).join(" ");
  try {
    if (rest.includes("--help") || rest.includes("-h")) {
      io.stdout.write(formatHelp(path));
      return 0;
    }
    if (rest[0] === "--version" && root.version && path.length === 1) {
      io.stdout.write(`${root.version}\n`);
      return 0;
    }
    if (!command.run) {
      if (rest.length === 0) {
        io.stdout.write(formatHelp(path));
        return path.length === 1 ? 0 : 2;
      }
      const names = command.subcommands?.map((subcommand) => subcommand.name) ?? [];
      throw new UsageError(
        `unknown command '${rest[0]}' for '${commandName}'${didYouMean(rest[0]!, names)}; commands: ${names.join(", ")}`,
      );
    }
    const { options, positionals } = parseCommandLine(command, rest);
    const exitCode = await command.run({ options, positionals, io });
    return exitCode ?? 0;
  } catch (error) {
    return reportError(error, commandName, io);
  }
}

function parseCommandLine(
  command: CommandDefinition,
  argv: string[],
): { options: OptionValues; positionals: string[] } {
  const definitions = command.options ?? {};
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: Object.fromEntries(
        Object.entries(definitions).map(([name, definition]) => [
          name,
          {
            type: definition.type,
            multiple: definition.multiple ?? false,
            ...(definition.short ? { short: definition.short } : {}),
          },
        ]),
      ),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(describeParseError(error as Error, command));
  }
  const options = parsed.values as OptionValues;
  for (const [name, definition] of Object.entries(definitions)) {
    const value = options[name];
    if (definition.choices && value !== undefined) {
      for (const item of Array.isArray(value) ? value : [value]) {
        if (typeof item === "string" && !definition.choices.includes(item)) {
          throw new UsageError(
            `--${name} must be one of ${definition.choices.join(", ")}, got '${item}'${didYouMean(item, definition.choices)}`,
          );
        }
      }
    }
  }
  const { min = 0, max = 0 } = command.positionals ?? {};
  if (parsed.positionals.length < min) {
    throw new UsageError(`'${command.name}' needs ${command.usage ?? `${min} argument(s)`}`);
  }
  if (parsed.positionals.length > max) {
    throw new UsageError(`unexpected argument '${parsed.positionals[max]}' for '${command.name}'`);
  }
  return { options, positionals: parsed.positionals };
}

function describeParseError(error: Error, command: CommandDefinition): string {
  const known = Object.keys(command.options ?? {}).map((name) => `--${name}`);
  const unknown = /Unknown option '([^']+)'/.exec(error.message)?.[1];
  if (unknown) {
    const suggestion = unknown.startsWith("--") ? didYouMean(unknown, known) : "";
    return `unknown option '${unknown}' for '${command.name}'${suggestion}; options: ${[...known, "--help"].join(", ")}`;
  }
  const missingValue = /Option '(?:-\w, )?(--[\w-]+)[^']*' argument missing/.exec(error.message)?.[1];
  if (missingValue) return `${missingValue} needs a value`;
  const ambiguous = /Option '(?:-\w, )?(--[\w-]+)[^']*' argument is ambiguous/.exec(error.message)?.[1];
  if (ambiguous) return `${ambiguous} needs a value; for a value starting with '-' write ${ambiguous}=VALUE`;
  const noValue = /Option '(--[\w-]+)' does not take an argument/.exec(error.message)?.[1];
  if (noValue) return `${noValue} takes no value`;
  return error.message.split("\n")[0] ?? error.message;
}

function reportError(error: unknown, commandName: string, io: CliIo): number {
  if (error instanceof UsageError) {
    io.stderr.write(`${commandName}: ${error.message} (see '${commandName} --help')\n`);
    return 2;
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = isLedgerError(error) ? ` [${error.code}]` : "";
  io.stderr.write(`${commandName}: error${code}: ${message}\n`);
  if (io.env.LLM_LEDGER_DEBUG === "1" && error instanceof Error && error.stack)
    io.stderr.write(`${error.stack}\n`);
  return 1;
}
