// An in-test HTTP server speaking the providers' cost report APIs (OpenAI organization Costs,
// Anthropic Admin cost report) from the fixtures in test/fixtures/bills: admin-key checks with the
// providers' error bodies, pagination by `page`, and scripted faults (429/503 with Retry-After,
// pagination that goes round or never ends).
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

const fixtures = new URL("../fixtures/bills/", import.meta.url);
export function billFixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(name, fixtures), "utf8")) as Record<string, unknown>;
}

export const fakeKeys = { openai: "sk-admin-fake-openai-key", anthropic: "sk-ant-admin01-fake-key" };

export interface BillingFaults {
  /** Answer this many requests with `status` (and `Retry-After: 0`) before the real answer. */
  failures?: number;
  status?: number;
  /** The last page points back to the first one. */
  loop?: boolean;
  /** Every page is empty and has more, with a fresh cursor. */
  endless?: boolean;
  /** The second page repeats the first page's days. */
  repeat?: boolean;
}

export interface FakeBillingServer {
  url: string;
  requests: Array<{ path: string; query: URLSearchParams; headers: IncomingMessage["headers"] }>;
  faults: BillingFaults;
  close(): Promise<void>;
}

const routes = {
  "/v1/organization/costs": {
    pages: ["openai-costs-page-1.json", "openai-costs-page-2.json"],
    authorized: (request: IncomingMessage) => request.headers.authorization === `Bearer ${fakeKeys.openai}`,
    refusal: "openai-error-401.json",
  },
  "/v1/organizations/cost_report": {
    pages: ["anthropic-cost-report-page-1.json", "anthropic-cost-report-page-2.json"],
    authorized: (request: IncomingMessage) =>
      request.headers["x-api-key"] === fakeKeys.anthropic &&
      request.headers["anthropic-version"] === "2023-06-01",
    refusal: "anthropic-error-401.json",
  },
} as const;

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  response.writeHead(status, { "content-type": "application/json", ...headers });
  response.end(JSON.stringify(body));
}

/** Starts the fake on a loopback port. */
export async function startFakeBillingServer(faults: BillingFaults = {}): Promise<FakeBillingServer> {
  const requests: FakeBillingServer["requests"] = [];
  let endlessCount = 0;
  const fake = { faults };
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://fake");
    requests.push({ path: url.pathname, query: url.searchParams, headers: request.headers });
    const route = routes[url.pathname as keyof typeof routes];
    if (!route) return send(response, 404, { error: { message: "not found" } });
    if (!route.authorized(request)) return send(response, 401, billFixture(route.refusal));
    // Counted down on the faults object, so a test that sets new faults sets a new count.
    if ((fake.faults.failures ?? 0) > 0) {
      fake.faults.failures = fake.faults.failures! - 1;
      return send(
        response,
        fake.faults.status ?? 429,
        { error: { message: "slow down" } },
        { "retry-after": "0" },
      );
    }
    const first = billFixture(route.pages[0]);
    const token = url.searchParams.get("page");
    if (fake.faults.endless) {
      endlessCount++;
      return send(response, 200, {
        ...first,
        data: [],
        has_more: true,
        next_page: `page_endless_${endlessCount}`,
      });
    }
    if (token === null) return send(response, 200, first);
    if (token !== first.next_page)
      return send(response, 400, { error: { message: `unknown page ${token}` } });
    const last = billFixture(route.pages[1]);
    if (fake.faults.loop) return send(response, 200, { ...last, has_more: true, next_page: first.next_page });
    if (fake.faults.repeat) return send(response, 200, { ...first, has_more: false, next_page: null });
    return send(response, 200, last);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get faults() {
      return fake.faults;
    },
    set faults(value) {
      fake.faults = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
