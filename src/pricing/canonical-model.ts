import type { CompiledEntry, ProviderIndex } from "./compile-catalog.js";
import { BEDROCK_REGION } from "./model-spellings.js";
import type { Provider } from "./types.js";

// A host's catalog key is how the host's price list spells a model (`regional.anthropic.claude-
// sonnet-4-5-20250929-v1:0`, `anthropic/claude-sonnet-4.5`, Vertex's `claude-4-sonnet`), not the
// model: reports grouped by it would show one model under as many names as there are hosts and
// regions. The canonical id is the model's own vendor's id (`claude-sonnet-4-5`); the host stays
// in `provider`, the catalog key in `catalogId`, the id the application sent in the event's `model`.

/** Vendors selling their own models: their catalog ids are canonical. */
export const VENDORS: readonly Provider[] = [
  "anthropic",
  "openai",
  "google",
  "mistral",
  "deepseek",
  "xai",
  "cohere",
  "perplexity",
  "meta",
];
const OWN_IDS = new Set<Provider>([...VENDORS, "unknown"]);

/**
 * The vendor entry listing a lower-cased id as its id or an alias (decorations stripped as the
 * resolver strips them, same version). Patterns are not consulted: a vendor's pattern is loose
 * enough (`^deepseek-r1`) to claim a different model (`deepseek-r1-distill-llama-70b`).
 */
export type ExactSearch = (index: ProviderIndex, lower: string) => CompiledEntry | undefined;

// What is left of a host's key once the host's own decorations are gone: Bedrock's catalog-only
// region groups (`regional.`, `global.`), region profiles, vendor and API version
// (`amazon.nova-pro-v1:0` → `nova-pro`); a path (`deepseek/…`); OpenRouter variants (`:free`).
// The host's case is kept (Together's `Llama-3.3-70B-Instruct-Turbo`).
function withoutHostDecorations(id: string, provider: Provider): string {
  if (provider === "aws-bedrock") {
    return id
      .replace(/^regional\./i, "")
      .replace(BEDROCK_REGION, "")
      .replace(/^[a-z0-9-]+\.(?=[a-z])/i, "")
      .replace(/-v\d+:\d+$/i, "")
      .replace(/:\d+$/, "");
  }
  return id.replace(/^.*\//, "").replace(/:[a-z]+$/i, "");
}

/**
 * The canonical model id of a compiled entry: its own id for a vendor's entry (and overrides of no
 * provider); for a host's entry, the id of the vendor entry listing the same model, else the host's
 * key without its decorations. Computed once per entry.
 */
export function canonicalModelId(
  compiled: CompiledEntry,
  indexes: ReadonlyMap<Provider, ProviderIndex>,
  search: ExactSearch,
): string {
  if (compiled.canonical !== undefined) return compiled.canonical;
  let canonical = compiled.entry.id;
  if (!OWN_IDS.has(compiled.provider)) {
    const spellings = [compiled.entry.id, ...(compiled.entry.aliases ?? [])].map((id) => id.toLowerCase());
    canonical =
      firstVendorId(spellings, indexes, search) ?? withoutHostDecorations(canonical, compiled.provider);
  }
  compiled.canonical = canonical;
  return canonical;
}

// Vertex lists `claude-4-sonnet` with the alias `claude-sonnet-4`: an alias may be the vendor's name.
function firstVendorId(
  spellings: readonly string[],
  indexes: ReadonlyMap<Provider, ProviderIndex>,
  search: ExactSearch,
): string | undefined {
  for (const spelling of spellings) {
    for (const vendor of VENDORS) {
      const index = indexes.get(vendor);
      const match = index ? search(index, spelling.replace(/^regional\./, "")) : undefined;
      if (match) return match.entry.id;
    }
  }
  return undefined;
}
