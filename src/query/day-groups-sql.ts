import { dimensionSql } from "./cost-filters.js";
import type { ResolvedDimension } from "./dimensions.js";
import { groupingMask, groupingMaskSql, keyDimensions } from "./grouping-sets.js";
import type { SqlParameters } from "./sql-parameters.js";

// The statements of the day groups (migration 0015): reading the groups of the closed local days a
// set has built at their current version, and building the missing ones from raw events.

/**
 * The version a local day's groups must have been built at (an SQL expression): the sum of the
 * versions of the UTC days it overlaps, those starting less than a day before it and before its end.
 */
function versionSql(q: string, day: string, zone: string): string {
  return `(SELECT COALESCE(sum(v.version), 0)::bigint FROM ${q}.llm_cost_day_versions v
            WHERE v.day_start > ${day} - interval '1 day'
              AND v.day_start < ((${day} AT TIME ZONE ${zone}) + interval '1 day') AT TIME ZONE ${zone})`;
}

/**
 * What the day groups hold for a list of requests ($1 set keys, $2 zones, $3 starts, $4 ends, $5
 * filters: aligned arrays), in one statement. A `request` row per request: `a`, its first local
 * midnight at or after the start, and `c`, the last local midnight at or before both its end and the
 * first open day (`daily_through`), so every local day from `a` to `c` is closed (`i` counts requests
 * from 1; times in epoch ms). Then per request and local day in [a, c) a `day` row, `fresh` when the
 * day's groups are built at its current version, with one row per group that passes the request's
 * filter when they are (none for a day without such groups). A filter is null or a JSON object from
 * a key's position (from 1) to the values it may have (null among them: no value).
 */
export function dayGroupReadSql(q: string): string {
  return `WITH requests AS (
      SELECT r.i::int AS i, r.set_key, r.zone, r.start_at, r.end_at, r.filter::jsonb AS filter
        FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::text[])
             WITH ORDINALITY AS r (set_key, zone, start_at, end_at, filter, i)
    ), bounds AS (
      SELECT requests.*,
             CASE WHEN date_trunc('day', start_at, zone) = start_at THEN start_at
                  ELSE ((date_trunc('day', start_at, zone) AT TIME ZONE zone) + interval '1 day') AT TIME ZONE zone
             END AS a,
             date_trunc('day', LEAST(end_at, (SELECT daily_through FROM ${q}.llm_cost_rollup_state)), zone) AS c
        FROM requests
    ), days AS (
      SELECT b.i, b.set_key, b.zone, b.filter, days.day_start,
             ${versionSql(q, "days.day_start", "b.zone")} AS version
        FROM bounds b,
             LATERAL (SELECT local_day AT TIME ZONE b.zone AS day_start
                        FROM generate_series(b.a AT TIME ZONE b.zone, (b.c AT TIME ZONE b.zone) - interval '1 day',
                                             interval '1 day') AS local_day) AS days
    )
    SELECT 'request' AS kind, i, extract(epoch FROM a)::float8 * 1000 AS a, extract(epoch FROM c)::float8 * 1000 AS c,
           NULL::float8 AS day, NULL::boolean AS fresh, NULL::text[] AS keys, NULL::bigint AS events,
           NULL::numeric AS cost_usd
      FROM bounds
    UNION ALL
    SELECT 'day', d.i, NULL, NULL, extract(epoch FROM d.day_start)::float8 * 1000, b.set_key IS NOT NULL,
           g.keys, g.events, g.cost_usd
      FROM days d
      LEFT JOIN ${q}.llm_cost_day_group_builds b
        ON b.set_key = d.set_key AND b.time_zone = d.zone AND b.day_start = d.day_start AND b.version = d.version
      LEFT JOIN ${q}.llm_cost_day_groups g
        ON g.set_key = b.set_key AND g.time_zone = b.time_zone AND g.day_start = b.day_start
       AND g.version = b.version
       AND (d.filter IS NULL OR NOT EXISTS (
             SELECT 1 FROM jsonb_each(d.filter) AS f (position, allowed)
              WHERE NOT f.allowed @> jsonb_build_array(g.keys[f.position::int])))`;
}

/** A set to build: its key and its dimensions, in the key's order. */
export interface SetToBuild {
  key: string;
  dimensions: readonly ResolvedDimension[];
}

/**
 * Builds the groups of the given (set, local day) pairs of one zone from raw events, in one statement:
 * each pair's header is claimed at the day's current version (computed in this statement, so the
 * events read and the version are of one snapshot; a late event after it raises the version and so
 * marks this build stale), and only the claimed pairs get their groups, one scan of the events with
 * a grouping set per set. Headers of older versions of the same days are dropped with their groups.
 * Parameters: `zone`, then aligned arrays of set keys and day starts, then the scan's range.
 */
export function buildDayGroupsSql(
  q: string,
  sets: readonly SetToBuild[],
  parameters: SqlParameters,
  pairs: { setKeys: string[]; days: Date[]; from: Date; to: Date; zone: string },
): string {
  const zone = `${parameters.add(pairs.zone)}::text`;
  const setKeys = `${parameters.add(pairs.setKeys)}::text[]`;
  const days = `${parameters.add(pairs.days.map((day) => day.toISOString()))}::timestamptz[]`;
  const from = `${parameters.add(pairs.from.toISOString())}::timestamptz`;
  const to = `${parameters.add(pairs.to.toISOString())}::timestamptz`;
  const keys = keyDimensions(sets.map((set) => set.dimensions));
  const column = (dimension: ResolvedDimension) => `k${keys.findIndex((key) => key.name === dimension.name)}`;
  const columns = keys.map(
    (dimension, index) => `${dimensionSql(dimension, "raw", parameters)} AS k${index}`,
  );
  const mask = (set: SetToBuild) => groupingMask(keys, set.dimensions);
  const groupingSets = sets.map((set) => `(${[...set.dimensions.map(column), "day"].join(", ")})`);
  const keyOf = sets.map((set) => `WHEN ${mask(set)} THEN ${parameters.add(set.key)}::text`).join(" ");
  const arrayOf = sets
    .map((set) => `WHEN ${mask(set)} THEN ARRAY[${set.dimensions.map(column).join(", ")}]::text[]`)
    .join(" ");
  return `WITH wanted AS (
      SELECT w.set_key, w.day_start, ${versionSql(q, "w.day_start", zone)} AS version
        FROM unnest(${setKeys}, ${days}) AS w (set_key, day_start)
    ), headers AS (
      INSERT INTO ${q}.llm_cost_day_group_builds (set_key, time_zone, day_start, version)
      SELECT set_key, ${zone}, day_start, version FROM wanted ORDER BY 1, 3, 4
      ON CONFLICT DO NOTHING RETURNING set_key, day_start, version
    ), superseded AS (
      DELETE FROM ${q}.llm_cost_day_group_builds b USING headers h
       WHERE b.set_key = h.set_key AND b.time_zone = ${zone} AND b.day_start = h.day_start
         AND b.version <> h.version
    ), grouped AS (
      SELECT ${groupingMaskSql(keys.length)} AS mask, ${[...keys.map((_, index) => `k${index}`), "day"].join(", ")},
             sum(cost) AS cost, count(*) AS events
        FROM (SELECT ${[...columns, `date_trunc('day', created_at, ${zone}) AS day`, "estimated_cost_usd AS cost"].join(", ")}
                FROM ${q}.llm_cost_events WHERE created_at >= ${from} AND created_at < ${to}) AS e
       WHERE day IN (SELECT day_start FROM headers)
       GROUP BY GROUPING SETS (${groupingSets.join(", ")})
    )
    INSERT INTO ${q}.llm_cost_day_groups (set_key, time_zone, day_start, version, keys, events, cost_usd)
    SELECT h.set_key, ${zone}, h.day_start, h.version, CASE g.mask ${arrayOf} END, g.events, g.cost
      FROM grouped g JOIN headers h ON h.day_start = g.day AND h.set_key = CASE g.mask ${keyOf} END`;
}
