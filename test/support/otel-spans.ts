// Spans made by the real OpenTelemetry JS trace SDK (not hand-built payloads), kept in memory so a
// test can export the same spans several times, with either OTLP exporter.
import { AsyncLocalStorage } from "node:async_hooks";
import {
  context as otelContext,
  ROOT_CONTEXT,
  trace,
  type Attributes,
  type Context,
  type ContextManager,
  type Span,
} from "@opentelemetry/api";
import { OTLPTraceExporter as ProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-base";

/** A tracer whose finished spans are kept in memory. */
export function memoryTracer(resource: Attributes = {}) {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(resource),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer("llm-ledger-test");
  return {
    provider,
    /** The tracer to hand to an instrumented library (the AI SDK's `experimental_telemetry.tracer`). */
    tracer,
    /** Runs `body` inside a new span (children created inside nest under it), then ends the span. */
    span<T>(name: string, attributes: Attributes, body?: (span: Span) => T): T | undefined {
      const span = tracer.startSpan(name, { attributes });
      try {
        return body
          ? otelContext.with(trace.setSpan(otelContext.active(), span), () => body(span))
          : undefined;
      } finally {
        span.end();
      }
    },
    finished: (): ReadableSpan[] => memory.getFinishedSpans(),
    reset: () => memory.reset(),
  };
}

/** An OTLP exporter of either encoding to `url` with the ingest key sent as exporters send it. */
export function otlpExporter(
  encoding: "protobuf" | "json",
  url: string,
  key: string,
  options: { timeoutMillis?: number; compression?: "gzip" | "none" } = {},
): SpanExporter {
  const config = {
    url: `${url}/v1/traces`,
    headers: { Authorization: `Bearer ${key}` },
    timeoutMillis: options.timeoutMillis ?? 10_000,
    ...(options.compression ? { compression: options.compression as never } : {}),
  };
  return encoding === "protobuf" ? new ProtoExporter(config) : new JsonExporter(config);
}

/** Exports `spans` once (with the exporter's own retries); resolves with its result. */
export function exportSpans(
  exporter: SpanExporter,
  spans: ReadableSpan[],
): Promise<{ code: number; error?: Error | undefined }> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

/**
 * A context manager on AsyncLocalStorage, as the OTel Node SDK registers one (its package is not a
 * dependency here): with it, `trace.getActiveSpan()` sees the span an instrumentation made active.
 */
export function asyncContextManager(): ContextManager {
  const storage = new AsyncLocalStorage<Context>();
  const manager: ContextManager = {
    active: () => storage.getStore() ?? ROOT_CONTEXT,
    with: (context, fn, thisArg, ...args) => storage.run(context, () => fn.call(thisArg, ...args)),
    bind: (_context, target) => target,
    enable: () => manager,
    disable: () => {
      storage.disable();
      return manager;
    },
  };
  return manager;
}
