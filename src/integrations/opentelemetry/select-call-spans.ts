// Which spans of a batch are provider calls. Instrumentations put usage on the call and often again on
// what wraps it (the AI SDK's generateText span sums its steps; agent and workflow spans sum their
// calls): counting both would bill a call twice, so a span is a call only when it is one by its own
// convention and no span below it in the batch is one too.
import { hasAttributeWithPrefix } from "./span-attributes.js";
import type { OtlpSpan } from "./otlp-spans.js";

/** GenAI operations that are not a provider call themselves, though they may carry summed usage. */
const wrapperOperations: ReadonlySet<string> = new Set([
  "invoke_agent",
  // ai 7's step span (@ai-sdk/otel): the calls of one step sit below it.
  "agent_step",
  "create_agent",
  "execute_tool",
  "invoke_workflow",
]);

/** OpenInference span kinds that are provider calls. */
const callKinds: ReadonlySet<string> = new Set(["LLM", "EMBEDDING"]);

const usagePrefixes = ["ai.usage.", "gen_ai.usage.", "llm.token_count."];

/** The AI SDK's call steps: ai.generateText.doGenerate, ai.streamText.doStream, ai.embed.doEmbed … */
function isAiSdkCallStep(operationId: string): boolean {
  return (
    operationId.endsWith(".doGenerate") ||
    operationId.endsWith(".doStream") ||
    operationId.endsWith(".doEmbed")
  );
}

/** Whether the span claims to be one provider call carrying its usage, by its own attributes. */
function isCallByConvention(span: OtlpSpan): boolean {
  if (!hasAttributeWithPrefix(span, usagePrefixes)) return false;
  const aiOperation = span.attributes.get("ai.operationId");
  if (typeof aiOperation === "string") return isAiSdkCallStep(aiOperation);
  const kind = span.attributes.get("openinference.span.kind");
  if (typeof kind === "string") return callKinds.has(kind.toUpperCase());
  const operation = span.attributes.get("gen_ai.operation.name");
  return typeof operation !== "string" || !wrapperOperations.has(operation);
}

/** The spans of a batch by trace id, then span id. */
function spansById(spans: readonly OtlpSpan[]): Map<string, Map<string, OtlpSpan>> {
  const byTrace = new Map<string, Map<string, OtlpSpan>>();
  for (const span of spans) {
    let trace = byTrace.get(span.traceId);
    if (trace === undefined) {
      trace = new Map<string, OtlpSpan>();
      byTrace.set(span.traceId, trace);
    }
    trace.set(span.spanId, span);
  }
  return byTrace;
}

/** The call spans of a batch, in batch order, and how many spans were not calls. */
export function selectCallSpans(spans: readonly OtlpSpan[]): { calls: OtlpSpan[]; ignored: number } {
  const candidates: OtlpSpan[] = [];
  let anyParent = false;
  for (const span of spans) {
    if (!isCallByConvention(span)) continue;
    candidates.push(span);
    if (span.parentSpanId !== "") anyParent = true;
  }
  // A batch of root calls (no candidate has a parent) wraps nothing: no lookups to make.
  if (!anyParent) return { calls: candidates, ignored: spans.length - candidates.length };
  const byTrace = spansById(spans);
  // Every ancestor (within the batch) of a candidate wraps a call: it is not one itself.
  const wrappers = new Set<OtlpSpan>();
  for (const span of candidates) {
    const trace = byTrace.get(span.traceId)!;
    // A span without a parent id is a root: "" names no parent.
    let parentId = span.parentSpanId;
    for (let depth = 0; parentId !== "" && depth < 1_000; depth++) {
      const parent = trace.get(parentId);
      if (parent === undefined || wrappers.has(parent)) break;
      wrappers.add(parent);
      parentId = parent.parentSpanId;
    }
  }
  const calls = candidates.filter((span) => !wrappers.has(span));
  return { calls, ignored: spans.length - calls.length };
}
