import type { CommandDefinition } from "./command.js";

/** `--help` text for the last command of `path` (the root first). */
export function formatHelp(path: readonly CommandDefinition[]): string {
  const command = path.at(-1)!;
  const name = path.map((part) => part.name).join(" ");
  const lines: string[] = [];
  const usageTail = command.subcommands
    ? "<command>"
    : [command.usage, command.options ? "[options]" : ""].filter(Boolean).join(" ");
  lines.push(`Usage: ${name} ${usageTail}`.trimEnd(), "", command.summary);
  if (command.description) lines.push("", command.description);
  if (command.subcommands?.length) {
    lines.push("", "Commands:");
    const width = Math.max(...command.subcommands.map((subcommand) => subcommand.name.length));
    for (const subcommand of command.subcommands)
      lines.push(`  ${subcommand.name.padEnd(width)}  ${subcommand.summary}`);
    lines.push("", `Run '${name} <command> --help' for a command's options.`);
  }
  const options = Object.entries(command.options ?? {}).map(([optionName, definition]) => {
    const short = definition.short ? `-${definition.short}, ` : "";
    const value = definition.type === "string" ? ` ${definition.valueName ?? "VALUE"}` : "";
    return [`${short}--${optionName}${value}`, definition.description] as const;
  });
  options.push(["-h, --help", "show this help"]);
  if (command.run) {
    lines.push("", "Options:");
    const width = Math.max(...options.map(([flag]) => flag.length));
    for (const [flag, description] of options) lines.push(`  ${flag.padEnd(width)}  ${description}`);
  }
  return lines.join("\n") + "\n";
}
