// What the filters offer: the values of each dimension seen in the range, whatever the filters, and
// the metadata keys present in it (GET /v1/metadata-keys: counted by the server over the range's
// newest events, most frequent first). Asked once a minute per range, not on every filter change.
import { costParams, fetchCosts, getJson } from "./api.js";
import { filterDimensions } from "./filters.js";

/** A filter offers the 200 values with the most spend (sessions can be many). */
export const topValues = { orderBy: "costUsd:desc", limit: 200 };

const keptFor = 60_000;
/** Metadata keys offered: the 100 most frequent. */
const metadataKeysShown = 100;

/**
 * The metadata keys present in a range, most frequent first.
 * @param {{ from: Date, to: Date }} range
 * @returns {Promise<string[]>}
 */
export async function fetchMetadataKeys(range) {
  const params = costParams(range);
  params.set("limit", String(metadataKeysShown));
  const answer = await getJson("/v1/metadata-keys", params);
  return answer.keys.map((entry) => entry.key);
}

/**
 * Creates the cache. `options({ from, to }, endsNow)` resolves with `{ reports, metadataKeys }`:
 * `reports` in `filterDimensions` order, `metadataKeys` most frequent first. A range that `endsNow`
 * (last N days) is the same range while its start is.
 */
export function createFilterOptions() {
  let cached;
  return function options(range, endsNow) {
    const key = `${range.from.toISOString()}/${endsNow ? "now" : range.to.toISOString()}`;
    if (!cached || cached.key !== key || Date.now() - cached.at > keptFor) {
      const answer = Promise.all([
        Promise.all(
          filterDimensions.map(({ dimension }) =>
            fetchCosts({ ...range, groupBy: [dimension], ...topValues }),
          ),
        ),
        fetchMetadataKeys(range),
      ]).then(([reports, metadataKeys]) => ({ reports, metadataKeys }));
      cached = { key, at: Date.now(), answer };
      answer.catch(() => (cached = undefined));
    }
    return cached.answer;
  };
}
