// Which spans of a batch are provider calls. Instrumentations put usage on the call and often again on
// what wraps it (the AI SDK's generateText span sums its steps; agent and workflow spans sum their
// calls): counting both would bill a call twice, so a span is a call only when it is one by its own
// convention and no span below it in the batch is one too.
import { hasAttributeWithPrefix } from "./span-attributes.js";
import type { OtlpSpan } from "./otlp-spans.js";

/** GenAI operations that are not a provider call themselves, though they may carry summed usage. */
const wrapperOperations: ReadonlySet<string> = new Set([
  "invoke_agent",
  "create_agent",
  "execute_tool",
  "invoke_workflow",
]);

/** OpenInference span kinds that are provider calls. */
const callKinds: ReadonlySet<string> = new Set(["LLM", "EMBEDDING"]);

const usagePrefixes = ["ai.usage.", "gen_ai.usage.", "llm.token_count."];

/** Whether the span claims to be one provider call carrying its usage, by its own attributes. */
function isCallByConvention(span: OtlpSpan): boolean {
  if (!hasAttributeWithPrefix(span, usagePrefixes)) return false;
  const aiOperation = span.attributes.get("ai.operationId");
  // The AI SDK: ai.generateText.doGenerate, ai.streamText.doStream, ai.embed.doEmbed … are the calls.
  if (typeof aiOperation === "string") return /\.do(Generate|Stream|Embed)$/.test(aiOperation);
  const kind = span.attributes.get("openinference.span.kind");
  if (typeof kind === "string") return callKinds.has(kind.toUpperCase());
  const operation = span.attributes.get("gen_ai.operation.name");
  return typeof operation !== "string" || !wrapperOperations.has(operation);
}

/** The call spans of a batch, in batch order, and how many spans were not calls. */
export function selectCallSpans(spans: readonly OtlpSpan[]): { calls: OtlpSpan[]; ignored: number } {
  const candidates = spans.filter(isCallByConvention);
  const byId = new Map<string, OtlpSpan>();
  for (const span of spans) byId.set(`${span.traceId}/${span.spanId}`, span);
  // Every ancestor (within the batch) of a candidate wraps a call: it is not one itself.
  const wrappers = new Set<OtlpSpan>();
  for (const span of candidates) {
    let parent = byId.get(`${span.traceId}/${span.parentSpanId}`);
    for (let depth = 0; parent && depth < 1_000 && !wrappers.has(parent); depth++) {
      wrappers.add(parent);
      parent = byId.get(`${parent.traceId}/${parent.parentSpanId}`);
    }
  }
  const calls = candidates.filter((span) => !wrappers.has(span));
  return { calls, ignored: spans.length - calls.length };
}
