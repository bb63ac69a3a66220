import type { GroupedRow, QueryStore } from "../query/index.js";
import type { Budget } from "./budget-spec.js";
import { buildKind, runKinds } from "./grouped-takers.js";
import { compileScope } from "./scope-match.js";
import { formatPico } from "./usd.js";

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
 * The top three models and repos of every request from its `from` to `at`, from one call of grouped
 * reports (`grouped-takers.ts`: a report per period start, a grouping set per scope and dimension): what a report grouped by
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
  const members = requests.map(({ budget, value, from }, index) => {
    const scope =
      budget.per && value !== undefined ? { ...budget.scope, [budget.per]: [value] } : budget.scope;
    return { index, from, matcher: compileScope(scope) };
  });
  const kind = buildKind(
    members,
    (member) => member.from,
    (first) => ({ from: new Date(first.from), to: at }),
    (member) =>
      contributorDimensions.map((dimension) => ({
        dimensions: [...member.matcher.dimensions, dimension],
        take(row: GroupedRow, cost: bigint) {
          const totals = sums[member.index]![dimension];
          const value = row.keys[dimension] ?? null;
          totals.set(value, (totals.get(value) ?? 0n) + cost);
        },
      })),
  );
  await runKinds(store, [kind]);
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
