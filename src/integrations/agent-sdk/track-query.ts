import type { UsageTracker } from "../usage-tracker.js";
import type { AgentResultMessage } from "./agent-sdk-result.js";
import { trackAgentSdkResult, type AgentRunContext } from "./track-agent-sdk-result.js";

/**
 * Passes a Claude Agent SDK `query()` through unchanged and records every `result` message it yields
 * with `trackAgentSdkResult`. The returned object is the query itself as seen through a proxy, so its
 * control methods (`interrupt()`, `setPermissionMode()`, …) still work. When the query throws after
 * yielding an error result, that result has already been recorded and the error is rethrown as is.
 * Recording never delays or breaks the stream: await `tracker.flush()` or `close()` before exiting.
 *
 * @example
 * for await (const message of trackQuery(tracker, query({ prompt, options }), { repo: "bot", taskType: "fix" })) {
 *   // the SDK's messages, unchanged
 * }
 */
export function trackQuery<Messages extends AsyncIterable<unknown>>(
  tracker: UsageTracker,
  messages: Messages,
  context: AgentRunContext,
): Messages {
  const observe = (message: unknown): void => {
    if (isResultMessage(message)) {
      // trackAgentSdkResult rejects only for a value that is not a result message, which this is not.
      trackAgentSdkResult(tracker, message, context).catch(() => undefined);
    }
  };
  const source = messages as unknown as Partial<AsyncIterator<unknown>>;
  if (typeof source.next !== "function") return trackedIterable(messages, observe) as Messages;

  const next = source.next.bind(messages);
  const proxy: Messages = new Proxy(messages, {
    get(target, property, receiver) {
      if (property === "next") {
        return async (...values: [] | [unknown]) => {
          const step = await next(...values);
          if (!step.done) observe(step.value);
          return step;
        };
      }
      if (property === Symbol.asyncIterator) return () => proxy;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return proxy;
}

function trackedIterable(
  messages: AsyncIterable<unknown>,
  observe: (message: unknown) => void,
): AsyncIterable<unknown> {
  return {
    async *[Symbol.asyncIterator]() {
      for await (const message of messages) {
        observe(message);
        yield message;
      }
    },
  };
}

function isResultMessage(message: unknown): message is AgentResultMessage {
  return typeof message === "object" && message !== null && (message as { type?: unknown }).type === "result";
}
