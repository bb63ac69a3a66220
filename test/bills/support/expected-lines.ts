// The bill lines the fixtures of test/fixtures/bills stand for, written out by hand: OpenAI's dollars
// as given, Anthropic's cents divided by 100, models through the catalog's resolver.
import type { StoredBillLine } from "../../../src/bills/index.js";

const openai = { provider: "openai", source: "api", currency: "USD" } as const;
export const openaiLines: StoredBillLine[] = [
  {
    ...openai,
    day: "2026-11-01",
    lineItem: "gpt-4o, cached input",
    model: "gpt-4o",
    account: null,
    amount: "0.0000015",
  },
  {
    ...openai,
    day: "2026-11-01",
    lineItem: "gpt-4o-mini, input",
    model: "gpt-4o-mini",
    account: "proj_abc",
    amount: "0.06",
  },
  {
    ...openai,
    day: "2026-11-01",
    lineItem: "gpt-4o-mini, output",
    model: "gpt-4o-mini",
    account: "proj_abc",
    amount: "1.2345",
  },
  {
    ...openai,
    day: "2026-11-02",
    lineItem: "gpt-4o, output",
    model: "gpt-4o",
    account: "proj_abc",
    amount: "2.5",
  },
  {
    ...openai,
    day: "2026-11-02",
    lineItem: "web search tool calls",
    model: null,
    account: "proj_abc",
    amount: "0.1",
  },
];

const anthropic = { provider: "anthropic", source: "api", currency: "USD" } as const;
export const anthropicLines: StoredBillLine[] = [
  {
    ...anthropic,
    day: "2026-11-01",
    lineItem: "Claude Sonnet 4.5 Usage - Input Tokens",
    model: "claude-sonnet-4-5",
    account: "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ",
    amount: "1.2345",
  },
  {
    ...anthropic,
    day: "2026-11-01",
    lineItem: "Web Search Usage",
    model: null,
    account: null,
    amount: "0.005",
  },
  {
    ...anthropic,
    day: "2026-11-02",
    lineItem: "Claude Haiku 4.5 Usage - Output Tokens",
    model: "claude-haiku-4-5",
    account: null,
    amount: "10.000001",
  },
];
