import { quoteSchema } from "../store/schema-name.js";
import { countValue } from "./decimal.js";
import { buildDayGroupsSql, dayGroupReadSql, type SetToBuild } from "./day-groups-sql.js";
import type { ResolvedDimension } from "./dimensions.js";
import { createSqlParameters } from "./sql-parameters.js";
import type { QueryStore } from "./store-handle.js";
import { isUnknownTimeZoneError, timeZoneError } from "./time-zone.js";

// Reading and building the day groups (migration 0015) of a list of requests: one set's closed local
// days in one zone over one range.

/** The longest local day (a day that leaves summer time) and then some: a build's scan bound. */
const longestDayMs = 25 * 3_600_000;

/** One set over a range, in one zone; `filter` maps a key position (from 1) to the values wanted. */
export interface DayGroupRequest {
  setKey: string;
  dimensions: readonly ResolvedDimension[];
  zone: string;
  from: Date;
  to: Date;
  filter: Record<number, Array<string | null>> | undefined;
}

/** A group of a built day: its keys in the set's (sorted) dimension order. */
export interface DayGroup {
  keys: Array<string | null>;
  events: number;
  costUsd: string;
}

/** What the day groups hold for a request: its closed days [a, c) (ms), each fresh or not. */
export interface RequestDays {
  a: number;
  c: number;
  days: Map<number, { fresh: boolean; groups: DayGroup[] }>;
}

/** Reads the requests' days; builds the stale or missing ones first, then reads again. */
export async function readDayGroups(
  store: QueryStore,
  requests: readonly DayGroupRequest[],
): Promise<RequestDays[]> {
  const first = await readRequests(store, requests);
  const stale = new Map<string, { request: DayGroupRequest; day: number }>();
  first.forEach((read, index) => {
    for (const [day, entry] of read.days) {
      const request = requests[index]!;
      if (!entry.fresh) stale.set(`${request.zone}\u0000${request.setKey}\u0000${day}`, { request, day });
    }
  });
  if (stale.size === 0) return first;
  await buildDays(store, [...stale.values()]);
  return readRequests(store, requests);
}

async function readRequests(store: QueryStore, requests: readonly DayGroupRequest[]): Promise<RequestDays[]> {
  let rows: Array<Record<string, unknown>>;
  try {
    rows = await store.database.query(dayGroupReadSql(quoteSchema(store.schema)), [
      requests.map((request) => request.setKey),
      requests.map((request) => request.zone),
      requests.map((request) => request.from.toISOString()),
      requests.map((request) => request.to.toISOString()),
      requests.map((request) => (request.filter ? JSON.stringify(request.filter) : null)),
    ]);
  } catch (error) {
    if (!isUnknownTimeZoneError(error)) throw error;
    throw timeZoneError(requests.find((request) => request.zone !== "UTC")?.zone, error);
  }
  const reads = requests.map((): RequestDays => ({ a: 0, c: 0, days: new Map() }));
  for (const row of rows) {
    const read = reads[Number(row.i) - 1]!;
    if (row.kind === "request") {
      read.a = Number(row.a);
      read.c = Number(row.c);
      continue;
    }
    const day = Number(row.day);
    let entry = read.days.get(day);
    if (!entry) read.days.set(day, (entry = { fresh: row.fresh === true, groups: [] }));
    if (row.keys !== null && row.keys !== undefined) {
      entry.groups.push({
        keys: row.keys as Array<string | null>,
        events: countValue(row.events as string),
        costUsd: row.cost_usd as string,
      });
    }
  }
  return reads;
}

/** Builds the given days, one statement per zone for all the sets stale there. */
async function buildDays(
  store: QueryStore,
  stale: ReadonlyArray<{ request: DayGroupRequest; day: number }>,
): Promise<void> {
  const q = quoteSchema(store.schema);
  for (const zone of new Set(stale.map((entry) => entry.request.zone))) {
    const own = stale.filter((entry) => entry.request.zone === zone);
    const sets = new Map<string, SetToBuild>();
    for (const { request } of own) {
      sets.set(request.setKey, { key: request.setKey, dimensions: request.dimensions });
    }
    const times = own.map((entry) => entry.day);
    const parameters = createSqlParameters();
    const sql = buildDayGroupsSql(q, [...sets.values()], parameters, {
      zone,
      setKeys: own.map((entry) => entry.request.setKey),
      days: times.map((time) => new Date(time)),
      from: new Date(Math.min(...times)),
      to: new Date(Math.max(...times) + longestDayMs),
    });
    await store.database.query(sql, parameters.values);
  }
}
