// What the filters offer: the values of each dimension seen in the range, whatever the filters, and
// the metadata keys of its latest calls. Asked once a minute per range, not on every filter change.
import { fetchCosts, fetchEvents } from "./api.js";
import { filterDimensions } from "./filters.js";
import { metadataKeysOf } from "./metadata-filter.js";

/** A filter offers the 200 values with the most spend (sessions can be many). */
export const topValues = { orderBy: "costUsd:desc", limit: 200 };

const keptFor = 60_000;
const callsSampled = 500;

/**
 * Creates the cache. `options({ from, to }, endsNow)` resolves with `{ reports, metadataKeys }`:
 * `reports` in `filterDimensions` order, `metadataKeys` most frequent first among the range's latest
 * 500 calls. A range that `endsNow` (last N days) is the same range while its start is.
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
        fetchEvents({ ...range, limit: callsSampled }),
      ]).then(([reports, page]) => ({ reports, metadataKeys: metadataKeysOf(page.events) }));
      cached = { key, at: Date.now(), answer };
      answer.catch(() => (cached = undefined));
    }
    return cached.answer;
  };
}
