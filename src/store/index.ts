// The store's public surface: the ledger store, its record types, and the database it runs on.
export { createTelemetryStore } from "./telemetry-store.js";
export type { TelemetryStore, TelemetryStoreOptions } from "./telemetry-store.js";
export type {
  CostSdk,
  CostSource,
  LlmCostRecord,
  LlmCostRecordInput,
  NewLlmCostRecord,
} from "./cost-record.js";
export { costSdks, isEventId } from "./cost-record.js";
export { defaultProject } from "./cost-record-encoding.js";
export type { RecordCostsResult, RecordRejection } from "./record-costs.js";
export type { PurgeOptions } from "./purge-events.js";
export { StoreWriteError } from "./store-write-error.js";
export type { LedgerLogger } from "../logger.js";
export type { Database, DatabaseEngine, Queryable } from "./database.js";
export { openDatabase } from "./engines/index.js";
export type { OpenDatabaseOptions } from "./engines/index.js";
export { migrateDown, migrateUp, migrationStatus } from "./migrator.js";
export { compactRollups } from "./ledger/index.js";
export type { MigrationReport, MigrationStatus } from "./migrator.js";
