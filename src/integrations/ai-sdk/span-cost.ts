// The computed cost on the call's OpenTelemetry span, so trace UIs show it beside the AI SDK's own
// attributes. `@opentelemetry/api` is an optional peer dependency: it is required inside a try, and
// without it (or without a span in the active context) nothing is annotated.
import { createRequire } from "node:module";
import { estimateCost, extractProvider } from "../../pricing/index.js";
import type { TrackerPricing } from "../../events/index.js";
import type { TrackUsageInput } from "../usage-tracker.js";

/** The parts of an OpenTelemetry span used here (`@opentelemetry/api`'s `Span`). */
export interface SpanLike {
  isRecording(): boolean;
  setAttribute(key: string, value: string | number | boolean): unknown;
}

/** Annotates the span that was active when a call started with the call's cost, once it is known. */
export interface SpanCostAnnotator {
  /** The active span, read when the call starts (the AI SDK's `doGenerate` / `doStream` span). */
  capture(): SpanLike | undefined;
  annotate(span: SpanLike | undefined, call: TrackUsageInput): void;
}

function activeSpanReader(): () => SpanLike | undefined {
  try {
    const api = createRequire(import.meta.url)("@opentelemetry/api") as {
      trace: { getActiveSpan(): SpanLike | undefined };
    };
    return () => api.trace.getActiveSpan();
  } catch {
    return () => undefined;
  }
}

/**
 * `llm_ledger.cost.usd` (the estimate as a number, for display: the ledger keeps the exact figure) and
 * `llm_ledger.pricing_version` on a priced call's span; `llm_ledger.priced` false on an unpriced one.
 * Priced with `pricing` (give the tracker's, so overrides apply alike), else the shipped catalog.
 */
export function createSpanCostAnnotator(pricing?: TrackerPricing): SpanCostAnnotator {
  const readActiveSpan = activeSpanReader();
  const estimate = pricing ? pricing.estimateCost.bind(pricing) : estimateCost;
  const providerOf = pricing ? pricing.extractProvider.bind(pricing) : extractProvider;
  return {
    capture: readActiveSpan,
    annotate(span, call) {
      if (span === undefined || !span.isRecording()) return;
      try {
        const result = estimate({
          model: call.model,
          provider: call.provider ?? providerOf(call.model),
          usage: call.usage,
          serviceTier: call.serviceTier,
        });
        if (result.priced) {
          span.setAttribute("llm_ledger.cost.usd", Number(result.costUsd));
          span.setAttribute("llm_ledger.pricing_version", result.pricingVersion);
        } else {
          span.setAttribute("llm_ledger.priced", false);
        }
      } catch {
        // Usage the pricer refuses is the tracker's to report; the span is left as it is.
      }
    },
  };
}
