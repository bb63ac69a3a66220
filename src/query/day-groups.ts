import { checkFilters, type ResolvedFilters } from "./cost-filters.js";
import { canonicalDecimal } from "./decimal.js";
import { readDayGroups, type DayGroupRequest, type RequestDays } from "./day-group-units.js";
import { resolveDimension, type ResolvedDimension } from "./dimensions.js";
import type { GroupedReport, GroupedRow } from "./grouped-reports.js";
import type { QueryStore } from "./store-handle.js";

// Grouped reports from the day groups (migration 0015): the closed local days of a report's range are
// read from the groups built for each of its sets, building the days not built yet (or stale since)
// from raw events first; what is left of the range (its first partial day, and the days not closed
// yet, today at least) stays a report for the rollups and raw events.

/** Dimensions with about as many values as events: their groups would be as large as the events. */
const unbuilt = new Set(["deliveryId", "sessionId"]);

/** The rows the day groups answered, and the reports (or parts of them) left to read elsewhere. */
export interface DayGroupSplit {
  rows: GroupedRow[];
  residual: GroupedReport[];
  /** Where each residual report came from: its index in the reports asked for, and of each set. */
  residualOf: Array<{ report: number; sets: number[] }>;
}

interface SetShape {
  key: string;
  /** Sorted by name: the order of the groups' `keys`. */
  dimensions: ResolvedDimension[];
  /** The set's dimension names as it lists them, each with its position in `dimensions`. */
  order: Array<[name: string, position: number]>;
  filters: ResolvedFilters;
}

/**
 * Splits `reports` at the closed local days the day groups can answer, and answers those. A report
 * qualifies with no grain or a daily one; of its sets, those whose filters name only their own
 * dimensions (no flags) and no per-event dimension (delivery, session). Their days from `a` (the
 * first local midnight in range) to `c` (the last one before the report's end and the first open
 * day) come from the groups; the edges, and the other sets over the whole range, are left.
 */
export async function splitByDayGroups(
  store: QueryStore,
  reports: readonly GroupedReport[],
): Promise<DayGroupSplit> {
  const asked: Array<{ report: number; set: number; shape: SetShape }> = [];
  const requests: DayGroupRequest[] = [];
  reports.forEach((report, index) => {
    // Without a grain any day will do: UTC days, shared by every zone's reports.
    const zone = report.grain === "day" ? (report.timeZone ?? "UTC") : "UTC";
    setShapes(report).forEach((shape, set) => {
      if (!shape) return;
      asked.push({ report: index, set, shape });
      requests.push({
        setKey: shape.key,
        dimensions: shape.dimensions,
        zone,
        from: report.from,
        to: report.to,
        filter: sqlFilter(shape),
      });
    });
  });
  const reads = requests.length > 0 ? await readDayGroups(store, requests) : [];
  const split: DayGroupSplit = { rows: [], residual: [], residualOf: [] };
  const servedBy = new Map<number, Array<{ set: number; shape: SetShape; read: RequestDays }>>();
  asked.forEach((entry, index) => {
    const read = reads[index]!;
    // Served when it has a closed day and every one was built (one replaced since: read elsewhere).
    if (read.a >= read.c || [...read.days.values()].some((day) => !day.fresh)) return;
    const served = servedBy.get(entry.report);
    if (served) served.push({ ...entry, read });
    else servedBy.set(entry.report, [{ ...entry, read }]);
  });
  reports.forEach((report, index) => {
    const served = servedBy.get(index) ?? [];
    // Sets of one report share its range, so they share [a, c) too.
    const bounds = served[0]?.read;
    const others = report.sets.flatMap((_, set) => (served.some((entry) => entry.set === set) ? [] : [set]));
    leave(split, reports, index, others, report.from, report.to);
    if (!bounds) return;
    for (const { set, shape, read } of served) {
      for (const [day, { groups }] of read.days) {
        const periodStart = report.grain === "day" ? new Date(day) : undefined;
        for (const group of groups) {
          // In the order the set names its dimensions, as the other sources give them.
          const keys: Record<string, string | null> = {};
          for (const [name, at] of shape.order) keys[name] = group.keys[at] ?? null;
          if (!admits(shape.filters, keys)) continue;
          const { events } = group;
          split.rows.push({
            report: index,
            set,
            keys,
            periodStart,
            costUsd: canonicalDecimal(group.costUsd),
            events,
          });
        }
      }
    }
    const sets = served.map((entry) => entry.set);
    leave(split, reports, index, sets, report.from, new Date(bounds.a));
    leave(split, reports, index, sets, new Date(bounds.c), report.to);
  });
  return split;
}

function leave(
  split: DayGroupSplit,
  reports: readonly GroupedReport[],
  index: number,
  sets: number[],
  from: Date,
  to: Date,
) {
  if (sets.length === 0 || from >= to) return;
  const report = reports[index]!;
  split.residual.push({ ...report, from, to, sets: sets.map((set) => report.sets[set]!) });
  split.residualOf.push({ report: index, sets });
}

/** A report's sets as the day groups hold them (undefined: a set they cannot answer). */
function setShapes(report: GroupedReport): Array<SetShape | undefined> {
  const daily = report.grain === undefined || report.grain === "day";
  return report.sets.map((set) => {
    if (!daily || set.dimensions.some((dimension) => unbuilt.has(dimension))) return undefined;
    const dimensions = [...new Set(set.dimensions)].sort().map((name) => resolveDimension(name, "groupBy"));
    const filters = checkFilters(set.filters);
    if (Object.values(filters.flags).some((flag) => flag !== undefined)) return undefined;
    const names = dimensions.map((dimension) => dimension.name);
    if (filters.dimensions.some((entry) => !names.includes(entry.dimension.name))) return undefined;
    const order = [...new Set(set.dimensions)].map((name): [string, number] => [name, names.indexOf(name)]);
    return { key: JSON.stringify(names), dimensions, order, filters };
  });
}

/** The set's filters by key position (from 1), for the read to drop the groups they exclude. */
function sqlFilter(shape: SetShape): Record<number, Array<string | null>> | undefined {
  if (shape.filters.dimensions.length === 0) return undefined;
  const filter: Record<number, Array<string | null>> = {};
  for (const { dimension, values } of shape.filters.dimensions) {
    filter[shape.dimensions.findIndex((known) => known.name === dimension.name) + 1] = values;
  }
  return filter;
}

function admits(filters: ResolvedFilters, keys: Record<string, string | null>): boolean {
  return filters.dimensions.every((entry) => entry.values.includes(keys[entry.dimension.name] ?? null));
}
