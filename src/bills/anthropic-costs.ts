import { canonicalAmount, shiftLeft } from "./bill-amount.js";
import { dayOf } from "./bill-days.js";
import { attributeModel, type BillLine } from "./bill-line.js";
import { field, joinBase, readCursor, type CostApi } from "./cost-api.js";

// Anthropic's Admin API cost report (https://platform.claude.com/docs/en/api/admin/cost_report):
// GET /v1/organizations/cost_report?starting_at=<RFC 3339>&ending_at=…&bucket_width=1d&
// group_by[]=description&limit=…&page=<next_page>, headers x-api-key (an admin key) and
// anthropic-version. Buckets `{ starting_at, ending_at, results: [{ amount: "<cents, a decimal
// string>", currency: "USD", description, model, cost_type, token_type, workspace_id, … }] }`.

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

export const anthropicCosts: CostApi = {
  provider: "anthropic",
  keyVariable: "ANTHROPIC_ADMIN_KEY",
  defaultBase: "https://api.anthropic.com",
  keyHelp: "an Admin API key (sk-ant-admin…, console → Settings → Admin keys)",
  pageUrl(base, window, page) {
    const url = joinBase(base, "/v1/organizations/cost_report");
    url.searchParams.set("starting_at", window.from.toISOString());
    url.searchParams.set("ending_at", window.to.toISOString());
    url.searchParams.set("bucket_width", "1d");
    url.searchParams.append("group_by[]", "description");
    url.searchParams.append("group_by[]", "workspace_id");
    url.searchParams.set("limit", "31");
    if (page !== undefined) url.searchParams.set("page", page);
    return url;
  },
  headers: (key) => ({ "x-api-key": key, "anthropic-version": "2023-06-01" }),
  parsePage(body, resolveModel) {
    const cursor = readCursor(body);
    if (typeof cursor === "string") return cursor;
    const data = field(body, "data");
    if (!Array.isArray(data)) return "data is not a list of buckets";
    const days: string[] = [];
    const lines: BillLine[] = [];
    for (const [index, bucket] of data.entries()) {
      const start = field(bucket, "starting_at");
      const results = field(bucket, "results");
      const startTime = typeof start === "string" ? new Date(start) : undefined;
      if (!startTime || Number.isNaN(startTime.getTime()))
        return `data[${index}].starting_at is not an RFC 3339 time`;
      if (!Array.isArray(results)) return `data[${index}].results is not a list`;
      const day = dayOf(startTime);
      days.push(day);
      for (const [position, result] of results.entries()) {
        const where = `data[${index}].results[${position}]`;
        const cents = field(result, "amount");
        const amount = typeof cents === "string" ? canonicalAmount(cents) : undefined;
        if (amount === undefined) return `${where}.amount is not a decimal string of cents`;
        const currency = field(result, "currency");
        if (typeof currency !== "string" || !/^[a-z]{3}$/i.test(currency))
          return `${where}.currency is not a currency code`;
        const model = text(field(result, "model"));
        lines.push({
          provider: "anthropic",
          day,
          lineItem: text(field(result, "description")) ?? text(field(result, "cost_type")) ?? "(all costs)",
          model: model === undefined ? null : attributeModel(resolveModel, model, "anthropic"),
          account: text(field(result, "workspace_id")) ?? null,
          amount: shiftLeft(amount, 2),
          currency: currency.toUpperCase(),
        });
      }
    }
    return { days, lines, ...cursor };
  },
};
