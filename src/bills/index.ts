// Bills: what the providers actually charged, imported from their cost report APIs or from files,
// stored by provider, day and source beside the ledger's estimates (query/reconcile-bills.ts compares
// them). Used by the CLI and the server; the store and pricing know nothing of it.
export type { Bill, BillLine, BillSource, ModelResolver } from "./bill-line.js";
export { canonicalAmount } from "./bill-amount.js";
export { isBillDay } from "./bill-days.js";
export { parseBillFile, isJsonlBill, type BillFileOptions } from "./bill-file.js";
export { replaceBill, listBillLines, type ReplaceResult, type StoredBillLine } from "./bill-store.js";
export {
  importProviderBill,
  billingApis,
  type BillingProvider,
  type ImportBillOptions,
  type ImportBillResult,
} from "./import-bills.js";
export type { RequestPolicy } from "./provider-request.js";
