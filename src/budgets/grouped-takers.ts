import {
  queryGroupedReports,
  type Dimension,
  type GroupedReport,
  type GroupedRow,
  type QueryStore,
} from "../query/index.js";
import { rowInScope, type ScopeMatcher } from "./scope-match.js";
import { candidateFinder, unionFilters } from "./spend-groups.js";
import { toPico } from "./usd.js";

// How budget spend and alert contributors read many scopes at once: scopes that share a report (a
// period) share its grouping sets, each set filtered to the union of the values they accept, and each
// row of the statement is credited in memory to the scopes that hold it.

/** What credits one scope with a row of one grouping set. */
export interface Taker {
  matcher: ScopeMatcher;
  take: (row: GroupedRow, cost: bigint) => void;
}

/** Reports, and per report and grouping set, who takes its rows. */
export interface Kind {
  reports: GroupedReport[];
  takers: Taker[][][];
}

/** The reports of `members`, one per `reportKey`; each groups its members by the dimension sets `needs` names. */
export function buildKind<Member extends { matcher: ScopeMatcher }>(
  members: readonly Member[],
  reportKey: (member: Member) => string,
  report: (first: Member, all: readonly Member[]) => Omit<GroupedReport, "sets">,
  needs: (member: Member) => Array<{ dimensions: Dimension[]; take: Taker["take"] }>,
): Kind {
  const byReport = new Map<string, Member[]>();
  for (const member of members) {
    const key = reportKey(member);
    const group = byReport.get(key);
    if (group) group.push(member);
    else byReport.set(key, [member]);
  }
  const kind: Kind = { reports: [], takers: [] };
  for (const group of byReport.values()) {
    const sets = new Map<string, { dimensions: Dimension[]; takers: Taker[] }>();
    for (const member of group) {
      for (const need of needs(member)) {
        const dimensions = [...new Set(need.dimensions)].sort();
        const key = JSON.stringify(dimensions);
        let set = sets.get(key);
        if (!set) sets.set(key, (set = { dimensions, takers: [] }));
        set.takers.push({ matcher: member.matcher, take: need.take });
      }
    }
    if (sets.size === 0) continue;
    const list = [...sets.values()];
    kind.reports.push({
      ...report(group[0]!, group),
      sets: list.map((set) => ({ dimensions: set.dimensions, filters: unionFilters(set.takers) })),
    });
    kind.takers.push(list.map((set) => set.takers));
  }
  return kind;
}

/** Answers every kind's reports in one call and credits each row to the takers whose scope holds it. */
export async function runKinds(
  store: QueryStore,
  kinds: readonly Kind[],
  source: "auto" | "raw" = "auto",
): Promise<void> {
  const reports = kinds.flatMap((kind) => kind.reports);
  if (reports.length === 0) return;
  const finders = kinds
    .flatMap((kind) => kind.takers)
    .map((sets) => sets.map((takers) => candidateFinder(takers)));
  for (const row of await queryGroupedReports(store, reports, source)) {
    const cost = toPico(row.costUsd);
    finders[row.report]![row.set]!(row.keys, (taker) => {
      if (rowInScope(taker.matcher, row.keys)) taker.take(row, cost);
    });
  }
}
