import type { ModelEntry, ProviderFile } from "./types.js";

/**
 * Where an entry's prices come from, in words: the date they were compared with their source, or
 * the package they were imported from (whose publish date is the newest they can be). Never a date
 * that checked nothing.
 *
 * @example
 * describeProvenance(entry, pricing.describeProvider("aws-bedrock"))
 * // "imported from @pydantic/genai-prices 0.1.8 (published 2026-09-23), not compared with the source"
 */
export function describeProvenance(
  entry: ModelEntry,
  header: Pick<ProviderFile, "checked" | "imported"> | undefined,
): string {
  const checked = entry.checked ?? header?.checked;
  if (checked !== undefined) return `checked ${checked}`;
  const imported = header?.imported;
  if (imported !== undefined) {
    return `imported from ${imported.package} ${imported.version} (published ${imported.published}), not compared with the source`;
  }
  return "never compared with the source";
}
