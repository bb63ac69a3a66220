import { field } from "./token-usage.js";

// OpenAI bills its web search tool per call, and reports the calls as output items of a Responses API
// response, not in `usage`: this counts them for `usage.webSearchRequests`.

/**
 * The web search calls of an OpenAI Responses API response (`output` items of type
 * `web_search_call`, each billed once); 0 when it has none or is not a response.
 *
 * @example
 * const response = await openai.responses.create({ model: "gpt-5", tools: [{ type: "web_search" }], input });
 * const usage = { ...usageFromOpenAI(response.usage), webSearchRequests: webSearchCallsOf(response) };
 */
export function webSearchCallsOf(response: unknown): number {
  const output = field(response, "output");
  if (!Array.isArray(output)) return 0;
  let calls = 0;
  for (const item of output as unknown[]) if (field(item, "type") === "web_search_call") calls++;
  return calls;
}
