import { LedgerError } from "../errors.js";

/** The fixed dimensions a query can group and filter by; `metadata.<key>` comes on top of these. */
export const dimensionNames = [
  "repo",
  "taskType",
  "model",
  "provider",
  "sdk",
  "deliveryId",
  "userId",
  "sessionId",
  "environment",
  "project",
  "serviceTier",
] as const;

export type FixedDimension = (typeof dimensionNames)[number];

/** A dimension: one of `dimensionNames`, or `metadata.<key>` for a custom property. */
export type Dimension = FixedDimension | `metadata.${string}`;

/** A dimension resolved to SQL: its column in the raw events and, when rolled up, in the hourly table. */
export interface ResolvedDimension {
  name: Dimension;
  /** SQL over `llm_cost_events`; `$key` stands for the metadata key's parameter. */
  rawSql: string;
  /** SQL over the full rollups (`llm_cost_hourly`, `llm_cost_daily`), or null when they do not carry it. */
  rollupSql: string | null;
  /** True when the summary rollups (`llm_cost_*_summary`: repo, task type, model, provider) carry it too. */
  inSummary: boolean;
  /** True when the one-dimension rollup carries it (the summary's four, userId and serviceTier). */
  inByDimension: boolean;
  /**
   * True for `project`, a key column of every table (the one-dimension rollup's too, beside the
   * dimension it holds): it never decides which rollup a query reads.
   */
  everyTable?: boolean;
  /** The metadata key, bound as a parameter, for `metadata.<key>`. */
  metadataKey?: string;
}

interface FixedColumns {
  raw: string;
  rollup: string | null;
  inSummary: boolean;
  /** Set where the one-dimension rollup carries a dimension the summaries do not. */
  inByDimension?: true;
}

const fixedColumns: Record<FixedDimension, FixedColumns> = {
  // Every table leads its key with the project, the one-dimension rollup too (see dimensionSql).
  project: { raw: "project", rollup: "project", inSummary: true },
  repo: { raw: "repo", rollup: "repo", inSummary: true },
  taskType: { raw: "task_type", rollup: "task_type", inSummary: true },
  // The catalog's id, so one model's dated spellings are one row; the raw id when unpriced.
  model: { raw: "COALESCE(resolved_model, model)", rollup: "model", inSummary: true },
  provider: { raw: "provider", rollup: "provider", inSummary: true },
  sdk: { raw: "sdk", rollup: "sdk", inSummary: false },
  deliveryId: { raw: "delivery_id", rollup: null, inSummary: false },
  // Only the one-dimension rollup carries users (its per-user rows): the full keys would multiply.
  userId: { raw: "user_id", rollup: null, inSummary: false, inByDimension: true },
  sessionId: { raw: "session_id", rollup: null, inSummary: false },
  environment: { raw: "environment", rollup: "environment", inSummary: false },
  // In the full rollups' keys and the one-dimension rollup (migration 0012), not in the summaries.
  serviceTier: { raw: "service_tier", rollup: "service_tier", inSummary: false, inByDimension: true },
};

const metadataPrefix = "metadata.";
const maxMetadataKeyLength = 200;

/**
 * Resolves a dimension name, or throws `E_QUERY_DIMENSION` naming what is accepted. `where` names the
 * option it came from (`groupBy`, `filters`), for the message.
 */
export function resolveDimension(name: unknown, where: string): ResolvedDimension {
  if (typeof name === "string") {
    if ((dimensionNames as readonly string[]).includes(name)) {
      const columns = fixedColumns[name as FixedDimension];
      return {
        name: name as FixedDimension,
        rawSql: columns.raw,
        rollupSql: columns.rollup,
        inSummary: columns.inSummary,
        inByDimension: columns.inSummary || columns.inByDimension === true,
        everyTable: name === "project",
      };
    }
    if (name.startsWith(metadataPrefix)) {
      const key = name.slice(metadataPrefix.length);
      if (key.length === 0 || key.length > maxMetadataKeyLength) {
        throw new LedgerError(
          "E_QUERY_DIMENSION",
          `${where}: metadata dimension ${JSON.stringify(name)} needs a key of 1 to ${maxMetadataKeyLength} characters after "metadata."`,
        );
      }
      return {
        name: name as Dimension,
        rawSql: "(metadata ->> $key::text)",
        rollupSql: null,
        inSummary: false,
        inByDimension: false,
        metadataKey: key,
      };
    }
  }
  throw new LedgerError(
    "E_QUERY_DIMENSION",
    `${where}: unknown dimension ${JSON.stringify(name)}; accepted: ${dimensionNames.join(", ")}, metadata.<key>`,
  );
}
