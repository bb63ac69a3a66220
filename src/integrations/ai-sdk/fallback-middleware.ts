import { fallbackReason } from "./fallback-reason.js";
import type { CallParamsLike, StreamPartLike, StreamResultLike } from "./language-model-shapes.js";
import { withLedgerOptions } from "./ledger-call-options.js";

/** A wrapped model as the fallback chain calls it. */
export interface CallableModel<Params, GenerateResult, StreamResult> {
  doGenerate(params: Params): PromiseLike<GenerateResult>;
  doStream(params: Params): PromiseLike<StreamResult>;
}

interface AttemptParams extends CallParamsLike {
  abortSignal?: AbortSignal | undefined;
}

// Parts a stream sends before its content: a failure among them still allows a fallback.
const PREAMBLE_PARTS = new Set(["stream-start", "response-metadata", "raw", "custom"]);

/**
 * A middleware that ignores the wrapped model's own call and tries `models` in order (the primary
 * first): a transient failure (`fallbackReason`) moves on to the next model, whose call carries
 * `usedFallback` and `fallbackReason` in `providerOptions.llmLedger`; any other failure, or the
 * last model's, is thrown as is. A stream falls back only before its first content part.
 * `timeoutMs` bounds each attempt (a generate call whole, a stream until its first content part).
 */
export function createFallbackMiddleware<
  Params extends AttemptParams,
  GenerateResult,
  StreamResult extends StreamResultLike,
>(models: readonly CallableModel<Params, GenerateResult, StreamResult>[], timeoutMs?: number) {
  async function attemptAll<Result>(
    params: Params,
    attempt: (
      model: CallableModel<Params, GenerateResult, StreamResult>,
      params: Params,
      disarm: () => void,
    ) => Promise<Result>,
  ): Promise<Result> {
    let reason: string | undefined;
    for (const [index, model] of models.entries()) {
      const timer = attemptTimer(params.abortSignal, timeoutMs);
      const attemptParams = {
        ...params,
        ...(timer ? { abortSignal: timer.signal } : {}),
        ...(index > 0
          ? {
              providerOptions: withLedgerOptions(params.providerOptions, {
                usedFallback: true,
                fallbackReason: reason,
              }),
            }
          : {}),
      };
      try {
        return await attempt(model, attemptParams, () => timer?.disarm());
      } catch (error) {
        const timedOut = timer?.timedOut() ?? false;
        timer?.disarm();
        reason = timedOut ? "timeout" : params.abortSignal?.aborted ? undefined : fallbackReason(error);
        if (reason === undefined || index === models.length - 1) throw error;
      }
    }
    throw new Error("a route needs at least one model");
  }

  return {
    specificationVersion: "v3" as const,

    wrapGenerate({ params }: { params: Params }): Promise<GenerateResult> {
      return attemptAll(params, async (model, attemptParams, disarm) => {
        try {
          return await model.doGenerate(attemptParams);
        } finally {
          disarm();
        }
      });
    },

    wrapStream({ params }: { params: Params }): Promise<StreamResult> {
      return attemptAll(params, async (model, attemptParams, disarm) => {
        const result = await model.doStream(attemptParams);
        const reader = result.stream.getReader();
        const buffered: StreamPartLike[] = [];
        for (;;) {
          const step = await reader.read().catch(async (error: unknown) => {
            await reader.cancel().catch(() => undefined);
            throw error;
          });
          if (step.done) break;
          if (
            step.value.type === "error" &&
            fallbackReason((step.value as { error?: unknown }).error) !== undefined
          ) {
            await reader.cancel().catch(() => undefined);
            throw (step.value as { error?: unknown }).error;
          }
          buffered.push(step.value);
          if (!PREAMBLE_PARTS.has(step.value.type)) break;
        }
        disarm();
        return { ...result, stream: replay(buffered, reader) };
      });
    },
  };
}

function replay(
  buffered: StreamPartLike[],
  reader: ReadableStreamDefaultReader<StreamPartLike>,
): ReadableStream<StreamPartLike> {
  return new ReadableStream<StreamPartLike>({
    async pull(controller) {
      const part = buffered.shift();
      if (part !== undefined) {
        controller.enqueue(part);
        return;
      }
      try {
        const step = await reader.read();
        if (step.done) controller.close();
        else controller.enqueue(step.value);
      } catch (error) {
        controller.error(error);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

function attemptTimer(callerSignal: AbortSignal | undefined, timeoutMs: number | undefined) {
  if (timeoutMs === undefined) return undefined;
  const controller = new AbortController();
  let timedOut = false;
  const timeout = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException(`the attempt took longer than ${timeoutMs} ms`, "TimeoutError"));
  }, timeoutMs);
  const forward = () => controller.abort(callerSignal?.reason);
  callerSignal?.addEventListener("abort", forward, { once: true });
  if (callerSignal?.aborted) forward();
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    disarm() {
      clearTimeout(timeout);
    },
  };
}
