import { queryGroupedReports, type Dimension, type GroupedReport, type QueryStore } from "../query/index.js";
import type { Budget } from "./budget-spec.js";
import { compileScope, rowInScope, type ScopeMatcher } from "./scope-match.js";
import { candidateFinder, unionFilters } from "./spend-groups.js";
import { formatPico, toPico } from "./usd.js";

/** A value that contributed to a budget's spend in the period. */
export interface Contributor {
  value: string | null;
  costUsd: string;
}

/** Whose top contributors to find: a budget (and the value of a `per` budget) since its period's start. */
export interface ContributorRequest {
  budget: Budget;
  /** The `per` value the alert is about; undefined without `per`. */
  value: string | null | undefined;
  /** The period's start (ISO); the spend counted runs from it to `at`. */
  from: string;
}

/** The three largest contributors of a request, by model and by repo. */
export interface TopContributors {
  model: Contributor[];
  repo: Contributor[];
}

const contributorDimensions = ["model", "repo"] as const;
const topCount = 3;

/**
 * The top three models and repos of every request from its `from` to `at`, in one statement (one
 * grouped report per period start, a grouping set per scope and dimension): what a report grouped by
 * the dimension, filtered to the scope (and the `per` value) and limited to three answered one alert
 * at a time. Values with events but no cost count; ties go to the smaller value in the database's
 * byte order ("C"), absent values last, as the report orders them.
 */
export async function topContributors(
  store: QueryStore,
  requests: readonly ContributorRequest[],
  at: Date,
): Promise<TopContributors[]> {
  const sums = requests.map(() => ({
    model: new Map<string | null, bigint>(),
    repo: new Map<string | null, bigint>(),
  }));
  const reports: GroupedReport[] = [];
  const takers: Array<Array<Array<{ matcher: ScopeMatcher; request: number; dimension: "model" | "repo" }>>> =
    [];
  const byFrom = new Map<string, number[]>();
  requests.forEach((request, index) =>
    byFrom.set(request.from, [...(byFrom.get(request.from) ?? []), index]),
  );
  for (const [from, indexes] of byFrom) {
    const sets = new Map<string, { dimensions: Dimension[]; takers: (typeof takers)[number][number] }>();
    for (const index of indexes) {
      const { budget, value } = requests[index]!;
      const scope =
        budget.per && value !== undefined ? { ...budget.scope, [budget.per]: [value] } : budget.scope;
      const matcher = compileScope(scope);
      for (const dimension of contributorDimensions) {
        const dimensions = [...new Set([...matcher.dimensions, dimension])].sort();
        const key = JSON.stringify(dimensions);
        let set = sets.get(key);
        if (!set) sets.set(key, (set = { dimensions, takers: [] }));
        set.takers.push({ matcher, request: index, dimension });
      }
    }
    const list = [...sets.values()];
    reports.push({
      from: new Date(from),
      to: at,
      sets: list.map((set) => ({ dimensions: set.dimensions, filters: unionFilters(set.takers) })),
    });
    takers.push(list.map((set) => set.takers));
  }
  if (reports.length === 0) return [];
  const finders = takers.map((sets) => sets.map((list) => candidateFinder(list)));
  for (const row of await queryGroupedReports(store, reports)) {
    const cost = toPico(row.costUsd);
    finders[row.report]![row.set]!(row.keys, (taker) => {
      if (!rowInScope(taker.matcher, row.keys)) return;
      const totals = sums[taker.request]![taker.dimension];
      const value = row.keys[taker.dimension] ?? null;
      totals.set(value, (totals.get(value) ?? 0n) + cost);
    });
  }
  return sums.map((totals) => ({ model: top(totals.model), repo: top(totals.repo) }));
}

function top(totals: Map<string | null, bigint>): Contributor[] {
  return [...totals]
    .sort(([valueA, costA], [valueB, costB]) =>
      costA === costB ? compareInC(valueA, valueB) : costA > costB ? -1 : 1,
    )
    .slice(0, topCount)
    .map(([value, cost]) => ({ value, costUsd: formatPico(cost) }));
}

/** Text order of the "C" collation (UTF-8 bytes), null last: how the report breaks ties. */
function compareInC(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}
