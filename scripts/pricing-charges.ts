// Service tiers and per-unit fees from data/pricing/corrections.json (`charges`), applied to the
// imported files by the refresh: the imported package has no tiers or fees, so they are ours to keep.
import type {
  FeeKind,
  ProviderCharges,
  ProviderFile,
  Provider,
  ServiceTier,
  ServiceTierPrices,
} from "../src/pricing/types.js";

/** One entry of `charges` in corrections.json: a provider's charges, or one model's. */
export type ChargeCorrection =
  | { provider: Provider; charges: ProviderCharges }
  | {
      provider: Provider;
      model: string;
      service_tiers?: Partial<Record<ServiceTier, ServiceTierPrices | string>>;
      fees?: Partial<Record<FeeKind, string>>;
      source: string;
      checked: string;
    };

/** Sets each provider's charges and each model's tier prices and fees (on its latest price period). */
export function applyCharges(
  files: Map<Provider, ProviderFile>,
  charges: readonly ChargeCorrection[],
  out: { applied: string[] },
): void {
  for (const correction of charges) {
    const file = files.get(correction.provider);
    if (!file) throw new Error(`corrections.json: charges for ${correction.provider}, which has no file`);
    if ("charges" in correction) {
      // Before `models`, where a reader of the file looks for what applies to every model.
      const { models, ...header } = file;
      files.set(correction.provider, { ...header, charges: correction.charges, models });
      out.applied.push(`${correction.provider}: charges (${Object.keys(correction.charges).join(", ")})`);
      continue;
    }
    const model = file.models.find((entry) => entry.id === correction.model);
    const period = model?.prices.at(-1);
    if (!model || !period) {
      throw new Error(
        `corrections.json: charges for ${correction.provider}/${correction.model}, which has no price`,
      );
    }
    if (correction.service_tiers)
      period.service_tiers = { ...period.service_tiers, ...correction.service_tiers };
    if (correction.fees) period.fees = { ...period.fees, ...correction.fees };
    const what = [...Object.keys(correction.service_tiers ?? {}), ...Object.keys(correction.fees ?? {})];
    const note = `${what.join(", ")} prices: ${correction.source} (compared ${correction.checked})`;
    model.notes = model.notes ? `${model.notes} ${note}` : note;
    out.applied.push(`${correction.provider}/${correction.model}: ${what.join(", ")}`);
  }
}
