// An in-test HTTP server that speaks the providers' real wire formats — Anthropic Messages, OpenAI
// Chat Completions and Responses, Gemini generateContent; JSON and SSE streams — and answers each
// request with the next reply the test scripted, carrying the usage the test chose in the provider's
// own format. The real AI SDK provider packages are pointed at it with `baseURL`.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type ProviderApi = "anthropic" | "openai-chat" | "openai-responses" | "gemini";

/** One scripted answer. */
export interface FakeReply {
  /** An HTTP error status: the body is the provider's error format. */
  status?: number;
  errorMessage?: string;
  headers?: Record<string, string>;
  /** The answer's text (default "Hello from the fake provider."). */
  text?: string;
  /** Answer with a tool call instead of text. */
  toolCall?: { name: string; input: Record<string, unknown> };
  /** The provider's own usage object (Anthropic `usage`, OpenAI `usage`, Gemini `usageMetadata`). */
  usage?: Record<string, unknown>;
  /** The model id the response reports (default: the one requested). */
  model?: string;
  /** OpenAI: the `service_tier` the response reports (JSON answers of Chat Completions and Responses). */
  serviceTier?: string;
  /** OpenAI Responses (JSON answers): this many `web_search_call` output items before the answer. */
  webSearchCalls?: number;
  /** Streams: after this many events, send the provider's error event (Anthropic, OpenAI) and end. */
  streamErrorAfter?: number;
  /** Streams: after this many events, destroy the connection. */
  destroyAfter?: number;
  /** Streams: after this many events, stop sending and keep the connection open. */
  hangAfter?: number;
  /** Wait this long before answering. */
  delayMs?: number;
}

export interface RecordedRequest {
  api: ProviderApi;
  path: string;
  stream: boolean;
  body: Record<string, unknown>;
}

export interface FakeProviderServer {
  readonly url: string;
  /** The `baseURL` to give each provider package. */
  readonly baseUrls: { anthropic: string; openai: string; google: string };
  /** Queues replies; each request takes the next one (a request with none left gets a 500). */
  reply(...replies: FakeReply[]): void;
  readonly requests: RecordedRequest[];
  /** Forgets queued replies and recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_TEXT = "Hello from the fake provider.";

export async function startFakeProviderServer(): Promise<FakeProviderServer> {
  const queue: FakeReply[] = [];
  const requests: RecordedRequest[] = [];
  const open = new Set<ServerResponse>();

  const server = createServer((request, response) => {
    open.add(response);
    response.on("close", () => open.delete(response));
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: { message: String(error) } }));
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = JSON.parse((await readBody(request)) || "{}") as Record<string, unknown>;
    const path = request.url ?? "/";
    const route = routeOf(path, body);
    if (!route) {
      response.writeHead(404, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: { message: `no fake route for ${path}` } }));
      return;
    }
    requests.push({ api: route.api, path, stream: route.stream, body });
    const reply = queue.shift();
    if (!reply) {
      response.writeHead(500, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: { message: "the test scripted no reply for this request" } }));
      return;
    }
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    if (response.destroyed) return;
    const model = reply.model ?? route.model;
    if (reply.status && reply.status >= 400) {
      response.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
      response.end(
        JSON.stringify(errorBody(route.api, reply.status, reply.errorMessage ?? "fake provider error")),
      );
      return;
    }
    if (!route.stream) {
      response.writeHead(200, { "content-type": "application/json", ...reply.headers });
      response.end(JSON.stringify(jsonBody(route.api, reply, model)));
      return;
    }
    response.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      ...reply.headers,
    });
    const events = streamEvents(route.api, reply, model);
    for (const [index, event] of events.entries()) {
      if (reply.destroyAfter === index) {
        response.destroy();
        return;
      }
      if (reply.hangAfter === index) return;
      if (reply.streamErrorAfter === index) {
        response.end(streamErrorEvent(route.api, reply.errorMessage ?? "Overloaded"));
        return;
      }
      response.write(event);
      // Let each event arrive in its own read, as from a real server.
      await new Promise((resolve) => setImmediate(resolve));
    }
    response.end();
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    baseUrls: {
      anthropic: `${url}/anthropic/v1`,
      openai: `${url}/openai/v1`,
      google: `${url}/google/v1beta`,
    },
    reply: (...replies) => queue.push(...replies),
    requests,
    reset() {
      queue.length = 0;
      requests.length = 0;
    },
    async close() {
      for (const response of open) response.destroy();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

function routeOf(
  path: string,
  body: Record<string, unknown>,
): { api: ProviderApi; stream: boolean; model: string } | undefined {
  const model = typeof body.model === "string" ? body.model : "unknown-model";
  if (path.startsWith("/anthropic/v1/messages"))
    return { api: "anthropic", stream: body.stream === true, model };
  if (path.startsWith("/openai/v1/chat/completions"))
    return { api: "openai-chat", stream: body.stream === true, model };
  if (path.startsWith("/openai/v1/responses"))
    return { api: "openai-responses", stream: body.stream === true, model };
  const gemini = /^\/google\/v1beta\/models\/([^:]+):(generateContent|streamGenerateContent)/.exec(path);
  if (gemini) return { api: "gemini", stream: gemini[2] === "streamGenerateContent", model: gemini[1]! };
  return undefined;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function errorBody(api: ProviderApi, status: number, message: string): unknown {
  switch (api) {
    case "anthropic": {
      const type =
        status === 429
          ? "rate_limit_error"
          : status === 529
            ? "overloaded_error"
            : status >= 500
              ? "api_error"
              : "invalid_request_error";
      return { type: "error", error: { type, message } };
    }
    case "openai-chat":
    case "openai-responses":
      return {
        error: {
          message,
          type: status === 429 ? "rate_limit_exceeded" : "invalid_request_error",
          param: null,
          code: null,
        },
      };
    case "gemini":
      return {
        error: { code: status, message, status: status === 429 ? "RESOURCE_EXHAUSTED" : "INVALID_ARGUMENT" },
      };
  }
}

function jsonBody(api: ProviderApi, reply: FakeReply, model: string): unknown {
  const text = reply.text ?? DEFAULT_TEXT;
  const tool = reply.toolCall;
  switch (api) {
    case "anthropic":
      return {
        id: "msg_fake_1",
        type: "message",
        role: "assistant",
        model,
        content: tool
          ? [{ type: "tool_use", id: "toolu_fake_1", name: tool.name, input: tool.input }]
          : [{ type: "text", text }],
        stop_reason: tool ? "tool_use" : "end_turn",
        stop_sequence: null,
        usage: reply.usage ?? { input_tokens: 10, output_tokens: 5 },
      };
    case "openai-chat":
      return {
        id: "chatcmpl-fake-1",
        object: "chat.completion",
        created: 1_750_000_000,
        model,
        choices: [
          {
            index: 0,
            message: tool
              ? {
                  role: "assistant",
                  content: null,
                  tool_calls: [
                    {
                      id: "call_fake_1",
                      type: "function",
                      function: { name: tool.name, arguments: JSON.stringify(tool.input) },
                    },
                  ],
                }
              : { role: "assistant", content: text },
            finish_reason: tool ? "tool_calls" : "stop",
          },
        ],
        usage: reply.usage ?? { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
        ...(reply.serviceTier === undefined ? {} : { service_tier: reply.serviceTier }),
      };
    case "openai-responses":
      return {
        id: "resp_fake_1",
        object: "response",
        created_at: 1_750_000_000,
        status: "completed",
        model,
        output: [
          ...Array.from({ length: reply.webSearchCalls ?? 0 }, (_, index) => ({
            type: "web_search_call",
            id: `ws_fake_${index + 1}`,
            status: "completed",
            action: { type: "search", query: "llm ledger" },
          })),
          responsesItem(reply),
        ],
        incomplete_details: null,
        usage: reply.usage ?? { input_tokens: 10, output_tokens: 5, total_tokens: 15 },
        ...(reply.serviceTier === undefined ? {} : { service_tier: reply.serviceTier }),
      };
    case "gemini":
      return {
        candidates: [
          {
            content: {
              parts: [tool ? { functionCall: { name: tool.name, args: tool.input } } : { text }],
              role: "model",
            },
            finishReason: "STOP",
            index: 0,
          },
        ],
        usageMetadata: reply.usage ?? { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 },
        modelVersion: model,
        responseId: "gemini-fake-1",
      };
  }
}

function responsesItem(reply: FakeReply): Record<string, unknown> {
  const tool = reply.toolCall;
  if (tool) {
    return {
      type: "function_call",
      id: "fc_fake_1",
      call_id: "call_fake_1",
      name: tool.name,
      arguments: JSON.stringify(tool.input),
      status: "completed",
    };
  }
  return {
    type: "message",
    id: "msg_fake_1",
    status: "completed",
    role: "assistant",
    content: [{ type: "output_text", text: reply.text ?? DEFAULT_TEXT, annotations: [] }],
  };
}

function sse(data: unknown, event?: string): string {
  return `${event ? `event: ${event}\n` : ""}data: ${JSON.stringify(data)}\n\n`;
}

function halves(text: string): string[] {
  const middle = Math.ceil(text.length / 2);
  return [text.slice(0, middle), text.slice(middle)];
}

function streamEvents(api: ProviderApi, reply: FakeReply, model: string): string[] {
  const text = reply.text ?? DEFAULT_TEXT;
  const tool = reply.toolCall;
  switch (api) {
    case "anthropic": {
      const usage = reply.usage ?? { input_tokens: 10, output_tokens: 5 };
      const { output_tokens: outputTokens, ...startUsage } = usage;
      const block = tool
        ? [
            sse(
              {
                type: "content_block_start",
                index: 0,
                content_block: { type: "tool_use", id: "toolu_fake_1", name: tool.name, input: {} },
              },
              "content_block_start",
            ),
            sse(
              {
                type: "content_block_delta",
                index: 0,
                delta: { type: "input_json_delta", partial_json: JSON.stringify(tool.input) },
              },
              "content_block_delta",
            ),
          ]
        : [
            sse(
              { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
              "content_block_start",
            ),
            ...halves(text).map((part) =>
              sse(
                { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: part } },
                "content_block_delta",
              ),
            ),
          ];
      return [
        sse(
          {
            type: "message_start",
            message: {
              id: "msg_fake_1",
              type: "message",
              role: "assistant",
              model,
              content: [],
              stop_reason: null,
              stop_sequence: null,
              usage: { ...startUsage, output_tokens: 1 },
            },
          },
          "message_start",
        ),
        ...block,
        sse({ type: "content_block_stop", index: 0 }, "content_block_stop"),
        sse(
          {
            type: "message_delta",
            delta: { stop_reason: tool ? "tool_use" : "end_turn", stop_sequence: null },
            usage: { output_tokens: outputTokens },
          },
          "message_delta",
        ),
        sse({ type: "message_stop" }, "message_stop"),
      ];
    }
    case "openai-chat": {
      const base = { id: "chatcmpl-fake-1", object: "chat.completion.chunk", created: 1_750_000_000, model };
      const deltas = tool
        ? [
            {
              role: "assistant",
              content: null,
              tool_calls: [
                {
                  index: 0,
                  id: "call_fake_1",
                  type: "function",
                  function: { name: tool.name, arguments: JSON.stringify(tool.input) },
                },
              ],
            },
          ]
        : halves(text).map((part, index) =>
            index === 0 ? { role: "assistant", content: part } : { content: part },
          );
      return [
        ...deltas.map((delta) => sse({ ...base, choices: [{ index: 0, delta, finish_reason: null }] })),
        sse({ ...base, choices: [{ index: 0, delta: {}, finish_reason: tool ? "tool_calls" : "stop" }] }),
        sse({
          ...base,
          choices: [],
          usage: reply.usage ?? { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
        }),
        "data: [DONE]\n\n",
      ];
    }
    case "openai-responses": {
      const response = { id: "resp_fake_1", object: "response", created_at: 1_750_000_000, model };
      const item = responsesItem(reply);
      const body = tool
        ? [
            sse({
              type: "response.output_item.added",
              output_index: 0,
              item: { ...item, arguments: "", status: "in_progress" },
              sequence_number: 1,
            }),
            sse({ type: "response.output_item.done", output_index: 0, item, sequence_number: 2 }),
          ]
        : [
            sse({
              type: "response.output_item.added",
              output_index: 0,
              item: {
                type: "message",
                id: "msg_fake_1",
                status: "in_progress",
                role: "assistant",
                content: [],
              },
              sequence_number: 1,
            }),
            ...halves(text).map((delta, index) =>
              sse({
                type: "response.output_text.delta",
                item_id: "msg_fake_1",
                output_index: 0,
                content_index: 0,
                delta,
                sequence_number: 2 + index,
              }),
            ),
            sse({ type: "response.output_item.done", output_index: 0, item, sequence_number: 4 }),
          ];
      return [
        sse({
          type: "response.created",
          response: { ...response, status: "in_progress" },
          sequence_number: 0,
        }),
        ...body,
        sse({
          type: "response.completed",
          response: {
            ...response,
            status: "completed",
            incomplete_details: null,
            output: [item],
            usage: reply.usage ?? { input_tokens: 10, output_tokens: 5, total_tokens: 15 },
          },
          sequence_number: 9,
        }),
      ];
    }
    case "gemini": {
      const usage = reply.usage ?? { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 };
      const chunk = (parts: unknown[], last: boolean) =>
        sse({
          candidates: [
            { content: { parts, role: "model" }, ...(last ? { finishReason: "STOP" } : {}), index: 0 },
          ],
          usageMetadata: last ? usage : { promptTokenCount: usage.promptTokenCount },
          modelVersion: model,
          responseId: "gemini-fake-1",
        });
      if (tool) return [chunk([{ functionCall: { name: tool.name, args: tool.input } }], true)];
      const [first, second] = halves(text);
      return [chunk([{ text: first }], false), chunk([{ text: second }], true)];
    }
  }
}

function streamErrorEvent(api: ProviderApi, message: string): string {
  switch (api) {
    case "anthropic":
      return sse({ type: "error", error: { type: "overloaded_error", message } }, "error");
    case "openai-chat":
      return sse({ error: { message, type: "server_error", param: null, code: null } });
    case "openai-responses":
      return sse({ type: "error", sequence_number: 5, code: "server_error", message, param: null });
    case "gemini":
      return sse({ error: { code: 500, message, status: "INTERNAL" } });
  }
}
