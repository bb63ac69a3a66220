// The ledger's write-side machinery: the batch insert with its id claims, the rollups kept in step,
// the closing of ended days, and the month partitions.
export { closeEndedDays, compactRollups } from "./close-days.js";
export { eventsByIdSql } from "./stored-events.js";
export { listPartitions, partitionName, type MonthPartition } from "./partitions.js";
export { rollupUpserts, signedRowColumns, upsertCtes } from "./rollup-upserts.js";
export { updatePrices, type PriceUpdates } from "./update-prices.js";
export { rollupTokenColumns } from "./rollup-columns.js";
export { ledgerTables } from "./ledger-tables.js";
export {
  createKnownRates,
  keepRates,
  readRates,
  rememberRates,
  unknownRates,
  type KnownRates,
} from "./kept-rates.js";
