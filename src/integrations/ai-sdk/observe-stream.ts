import type { AiSdkUsage, StreamPartLike } from "./language-model-shapes.js";
import { providerUsageOf } from "./usage-from-ai-sdk.js";

/** What a model stream showed by the time it ended. */
export interface StreamOutcome {
  /** The usage of the `finish` part, if one came. */
  usage?: AiSdkUsage;
  /** The last usage a raw chunk carried, as the provider sent it (read when `readRawUsage`). */
  providerUsage?: unknown;
  /** Usage known before the end (Anthropic's `message_start`), for a stream that never finished. */
  partialRawUsage?: unknown;
  /** The model id the response reported. */
  modelId?: string;
  /** The `finish` part's provider metadata (the service tier, for OpenAI and Gemini). */
  providerMetadata?: unknown;
  /** An `error` part, a failed read, a cancellation, or the lack of a `finish` part. */
  error?: unknown;
  finished: boolean;
}

/** What `observeStream` does with the provider's raw chunks (`raw` parts). */
export interface RawChunkHandling {
  /** Keep the usage the raw chunks carry (`StreamOutcome.providerUsage`). */
  readRawUsage: boolean;
  /** Leave the raw chunks out of the returned stream: the middleware asked for them, not the caller. */
  hideRawChunks: boolean;
}

/**
 * Returns a stream that passes every part of `source` through unchanged (raw chunks only when they
 * are not hidden) and calls `onEnd` exactly once: when the stream closes, fails, or is cancelled by
 * its reader (an aborted `streamText`).
 */
export function observeStream(
  source: ReadableStream<StreamPartLike>,
  onEnd: (outcome: StreamOutcome) => void,
  rawChunks: RawChunkHandling = { readRawUsage: false, hideRawChunks: false },
): ReadableStream<StreamPartLike> {
  const reader = source.getReader();
  const outcome: StreamOutcome = { finished: false };
  let ended = false;
  const end = (failure?: unknown): void => {
    if (ended) return;
    ended = true;
    if (outcome.error === undefined && !outcome.finished) {
      outcome.error = failure ?? new Error("the stream ended without a finish part");
    }
    onEnd(outcome);
  };
  const observe = (part: StreamPartLike): void => {
    const fields = part as StreamPartLike & Record<string, unknown>;
    switch (part.type) {
      case "finish":
        outcome.finished = true;
        outcome.usage = fields.usage as AiSdkUsage;
        outcome.providerMetadata = fields.providerMetadata;
        break;
      case "error":
        outcome.error ??= fields.error ?? new Error("stream error");
        break;
      case "raw": {
        const usage = rawChunks.readRawUsage ? providerUsageOf(fields.rawValue) : undefined;
        if (usage !== undefined) outcome.providerUsage = usage;
        break;
      }
      case "response-metadata":
        if (typeof fields.modelId === "string") outcome.modelId = fields.modelId;
        break;
      case "custom":
        if (fields.kind === "anthropic.message_start") {
          const metadata = fields.providerMetadata as { anthropic?: { usage?: unknown } } | undefined;
          outcome.partialRawUsage = metadata?.anthropic?.usage;
        }
        break;
    }
  };
  return new ReadableStream<StreamPartLike>({
    async pull(controller) {
      // Reads on past hidden raw chunks: a pull that enqueues nothing would leave the reader waiting.
      for (;;) {
        let step: Awaited<ReturnType<typeof reader.read>>;
        try {
          step = await reader.read();
        } catch (error) {
          end(error);
          controller.error(error);
          return;
        }
        if (step.done) {
          end();
          controller.close();
          return;
        }
        observe(step.value);
        if (step.value.type === "raw" && rawChunks.hideRawChunks) continue;
        controller.enqueue(step.value);
        return;
      }
    },
    async cancel(reason) {
      // A reader that cancels before the finish part stopped the call: an abort (ai 7 cancels this way).
      end(
        reason ?? Object.assign(new Error("the stream was cancelled by its reader"), { name: "AbortError" }),
      );
      await reader.cancel(reason);
    },
  });
}
