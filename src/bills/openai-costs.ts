import { numberToAmount } from "./bill-amount.js";
import { dayOf } from "./bill-days.js";
import { attributeModel, type BillLine } from "./bill-line.js";
import { field, joinBase, readCursor, type CostApi } from "./cost-api.js";

// OpenAI's organization Costs API (https://platform.openai.com/docs/api-reference/usage/costs):
// GET /v1/organization/costs?start_time=<unix s>&end_time=…&bucket_width=1d&group_by=line_item&
// group_by=project_id&limit=…&page=<next_page>, Bearer admin key. Buckets `{ start_time, end_time,
// results: [{ amount: { value: <dollars, a JSON number>, currency: "usd" }, line_item, project_id }] }`.

/** The model a line item names: "gpt-4o-mini, input" → "gpt-4o-mini". */
function modelOfLineItem(lineItem: string): string | undefined {
  const comma = lineItem.lastIndexOf(", ");
  return comma > 0 ? lineItem.slice(0, comma).trim() : undefined;
}

export const openaiCosts: CostApi = {
  provider: "openai",
  keyVariable: "OPENAI_ADMIN_KEY",
  defaultBase: "https://api.openai.com",
  keyHelp:
    "an organization admin key (sk-admin-…, platform.openai.com → Settings → Organization → Admin keys)",
  pageUrl(base, window, page) {
    const url = joinBase(base, "/v1/organization/costs");
    url.searchParams.set("start_time", String(Math.floor(window.from.getTime() / 1000)));
    url.searchParams.set("end_time", String(Math.ceil(window.to.getTime() / 1000)));
    url.searchParams.set("bucket_width", "1d");
    url.searchParams.append("group_by", "line_item");
    url.searchParams.append("group_by", "project_id");
    url.searchParams.set("limit", "31");
    if (page !== undefined) url.searchParams.set("page", page);
    return url;
  },
  headers: (key) => ({ authorization: `Bearer ${key}` }),
  parsePage(body, resolveModel) {
    const cursor = readCursor(body);
    if (typeof cursor === "string") return cursor;
    const data = field(body, "data");
    if (!Array.isArray(data)) return "data is not a list of buckets";
    const days: string[] = [];
    const lines: BillLine[] = [];
    for (const [index, bucket] of data.entries()) {
      const start = field(bucket, "start_time");
      const results = field(bucket, "results");
      if (typeof start !== "number" || !Number.isSafeInteger(start))
        return `data[${index}].start_time is not Unix seconds`;
      if (!Array.isArray(results)) return `data[${index}].results is not a list`;
      const day = dayOf(new Date(start * 1000));
      days.push(day);
      for (const [position, result] of results.entries()) {
        const where = `data[${index}].results[${position}]`;
        const value = field(field(result, "amount"), "value");
        const currency = field(field(result, "amount"), "currency");
        const amount = typeof value === "number" ? numberToAmount(value) : undefined;
        if (amount === undefined) return `${where}.amount.value is not a number of dollars`;
        if (typeof currency !== "string" || !/^[a-z]{3}$/i.test(currency))
          return `${where}.amount.currency is not a currency code`;
        const lineItem = field(result, "line_item");
        const project = field(result, "project_id");
        const named = typeof lineItem === "string" ? modelOfLineItem(lineItem) : undefined;
        lines.push({
          provider: "openai",
          day,
          lineItem: typeof lineItem === "string" && lineItem !== "" ? lineItem : "(all line items)",
          model: named === undefined ? null : attributeModel(resolveModel, named, "openai"),
          account: typeof project === "string" && project !== "" ? project : null,
          amount,
          currency: currency.toUpperCase(),
        });
      }
    }
    return { days, lines, ...cursor };
  },
};
