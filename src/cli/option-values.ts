import type { CommandContext } from "./command.js";
import { UsageError } from "./usage-error.js";

/** The string value of `--name`, if given. */
export function stringOption(context: CommandContext, name: string): string | undefined {
  const value = context.options[name];
  if (value === undefined || typeof value === "boolean") return undefined;
  return Array.isArray(value) ? value.at(-1) : value;
}

/** The string value of `--name`, or a usage error saying it is required. */
export function requiredStringOption(context: CommandContext, name: string): string {
  const value = stringOption(context, name);
  if (value === undefined || value === "") throw new UsageError(`--${name} is required`);
  return value;
}

/** An integer flag within bounds, or a usage error naming the flag and what it accepts. */
export function integerOption(
  context: CommandContext,
  name: string,
  bounds: { min?: number; max?: number } = {},
): number | undefined {
  const raw = stringOption(context, name);
  return raw === undefined ? undefined : parseIntegerValue(name, raw, bounds);
}

/** Parses a whole number given for `--name` (from a flag or its environment variable). */
export function parseIntegerValue(
  name: string,
  raw: string,
  bounds: { min?: number; max?: number } = {},
): number {
  const min = bounds.min ?? 0;
  const max = bounds.max ?? Number.MAX_SAFE_INTEGER;
  const value = /^-?\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got '${raw}'`);
  }
  return value;
}

/** A comma-separated list flag (also accepted repeated), trimmed, without empty items. */
export function listOption(context: CommandContext, name: string): string[] | undefined {
  const value = context.options[name];
  if (value === undefined || typeof value === "boolean") return undefined;
  const items = (Array.isArray(value) ? value : [value]).flatMap((item) => item.split(","));
  return items.map((item) => item.trim()).filter((item) => item !== "");
}

/** A boolean flag. */
export function booleanOption(context: CommandContext, name: string): boolean {
  return context.options[name] === true;
}
