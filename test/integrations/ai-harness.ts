// The same operations written once against `ai` 6 with the 3.x providers and once against `ai` 7 with
// the 4.x providers (from the test package test/ai7, which the root install leaves out), so every
// middleware test runs under both majors. Each harness is typed against its own `ai`: that the
// middleware is accepted by both `wrapLanguageModel`s is checked by the compiler here.
import { createAnthropic } from "@ai-sdk/anthropic";
import { createGoogleGenerativeAI } from "@ai-sdk/google";
import { createOpenAI } from "@ai-sdk/openai";
import * as ai6 from "ai";
import type { CostTrackingMiddleware } from "../../src/integrations/ai-sdk/index.js";
import { ai7, createAnthropic7, createGoogle7, createOpenAI7 } from "../ai7/index.js";
import type { ProviderApi } from "../support/fake-provider-server.js";

export interface BaseUrls {
  anthropic: string;
  openai: string;
  google: string;
}

/** Options every operation takes. */
export interface CallExtras {
  providerOptions?: Record<string, Record<string, unknown>>;
  maxRetries?: number;
  abortSignal?: AbortSignal;
}

export interface StreamOutcome {
  text: string;
  error?: unknown;
}

/** An opaque model of the harness's own `ai` major. */
export type HarnessModel = { readonly harnessModel: unique symbol } | object;

export interface AiHarness {
  readonly name: "ai 6" | "ai 7";
  /** The bare provider model for `api` (not wrapped). */
  bare(api: ProviderApi, modelId: string): HarnessModel;
  /** `model` wrapped with `middleware` by this major's `wrapLanguageModel`. */
  wrap(model: HarnessModel, middleware: CostTrackingMiddleware): HarnessModel;
  generateText(model: HarnessModel, extras?: CallExtras): Promise<string>;
  /** Streams to the end, or, with `abortAfterFirstChunk`, aborts after the first text chunk. */
  streamText(
    model: HarnessModel,
    extras?: CallExtras & { abortAfterFirstChunk?: boolean },
  ): Promise<StreamOutcome>;
  generateObject(model: HarnessModel, extras?: CallExtras): Promise<unknown>;
  streamObject(model: HarnessModel, extras?: CallExtras): Promise<unknown>;
  /** A tool loop of up to three steps with one `weather` tool; returns the number of steps and the text. */
  toolLoop(model: HarnessModel, extras?: CallExtras): Promise<{ steps: number; text: string }>;
  /** This major's `generateText`, `streamText` and `wrapLanguageModel`, for the task router. */
  readonly functions: typeof ai6 | typeof ai7;
}

const prompt = "Say hello.";

async function drain(textStream: AsyncIterable<string>, abort?: AbortController): Promise<string> {
  let text = "";
  for await (const chunk of textStream) {
    text += chunk;
    if (abort && chunk.length > 0) abort.abort();
  }
  return text;
}

export function aiHarnesses(baseUrls: BaseUrls): AiHarness[] {
  const apiKey = "test-key";
  const anthropic6 = createAnthropic({ baseURL: baseUrls.anthropic, apiKey });
  const openai6 = createOpenAI({ baseURL: baseUrls.openai, apiKey });
  const google6 = createGoogleGenerativeAI({ baseURL: baseUrls.google, apiKey });
  const anthropic7 = createAnthropic7({ baseURL: baseUrls.anthropic, apiKey });
  const openai7 = createOpenAI7({ baseURL: baseUrls.openai, apiKey });
  const google7 = createGoogle7({ baseURL: baseUrls.google, apiKey });

  type Model6 = ai6.LanguageModel;
  const as6 = (model: HarnessModel) => model as Model6;
  const settings6 = (extras: CallExtras) =>
    extras as Omit<CallExtras, "providerOptions"> & { providerOptions?: ai6.ProviderMetadata };
  const harness6: AiHarness = {
    name: "ai 6",
    functions: ai6,
    bare(api, modelId) {
      switch (api) {
        case "anthropic":
          return anthropic6(modelId);
        case "openai-chat":
          return openai6.chat(modelId);
        case "openai-responses":
          return openai6.responses(modelId);
        case "gemini":
          return google6(modelId);
      }
    },
    wrap: (model, middleware) =>
      ai6.wrapLanguageModel({
        model: model as Parameters<typeof ai6.wrapLanguageModel>[0]["model"],
        middleware,
      }),
    async generateText(model, extras = {}) {
      return (await ai6.generateText({ model: as6(model), prompt, ...settings6(extras) })).text;
    },
    async streamText(model, extras = {}) {
      const { abortAfterFirstChunk, ...rest } = extras;
      const abort = abortAfterFirstChunk ? new AbortController() : undefined;
      let error: unknown;
      const result = ai6.streamText({
        model: as6(model),
        prompt,
        ...settings6(rest),
        ...(abort ? { abortSignal: abort.signal } : {}),
        onError: ({ error: failure }) => {
          error = failure;
        },
      });
      try {
        return { text: await drain(result.textStream, abort), error };
      } catch (failure) {
        return { text: "", error: failure };
      }
    },
    async generateObject(model, extras = {}) {
      return (
        await ai6.generateObject({
          model: as6(model),
          prompt,
          schema: ai6.jsonSchema({
            type: "object",
            properties: { title: { type: "string" } },
            required: ["title"],
            additionalProperties: false,
          }),
          ...settings6(extras),
        })
      ).object;
    },
    async streamObject(model, extras = {}) {
      const result = ai6.streamObject({
        model: as6(model),
        prompt,
        schema: ai6.jsonSchema({
          type: "object",
          properties: { title: { type: "string" } },
          required: ["title"],
          additionalProperties: false,
        }),
        ...settings6(extras),
      });
      for await (const _partial of result.partialObjectStream) {
        // consume
      }
      return result.object;
    },
    async toolLoop(model, extras = {}) {
      const result = await ai6.generateText({
        model: as6(model),
        prompt: "What is the weather in Paris?",
        tools: {
          weather: ai6.tool({
            description: "The weather in a city",
            inputSchema: ai6.jsonSchema<{ city: string }>({
              type: "object",
              properties: { city: { type: "string" } },
              required: ["city"],
              additionalProperties: false,
            }),
            execute: ({ city }) => Promise.resolve(`sunny in ${city}`),
          }),
        },
        stopWhen: ai6.stepCountIs(3),
        ...settings6(extras),
      });
      return { steps: result.steps.length, text: result.text };
    },
  };

  type Model7 = ai7.LanguageModel;
  const as7 = (model: HarnessModel) => model as Model7;
  const settings7 = (extras: CallExtras) =>
    extras as Omit<CallExtras, "providerOptions"> & { providerOptions?: ai7.ProviderMetadata };
  const harness7: AiHarness = {
    name: "ai 7",
    functions: ai7,
    bare(api, modelId) {
      switch (api) {
        case "anthropic":
          return anthropic7(modelId);
        case "openai-chat":
          return openai7.chat(modelId);
        case "openai-responses":
          return openai7.responses(modelId);
        case "gemini":
          return google7(modelId);
      }
    },
    wrap: (model, middleware) =>
      ai7.wrapLanguageModel({
        model: model as Parameters<typeof ai7.wrapLanguageModel>[0]["model"],
        middleware,
      }),
    async generateText(model, extras = {}) {
      return (await ai7.generateText({ model: as7(model), prompt, ...settings7(extras) })).text;
    },
    async streamText(model, extras = {}) {
      const { abortAfterFirstChunk, ...rest } = extras;
      const abort = abortAfterFirstChunk ? new AbortController() : undefined;
      let error: unknown;
      const result = ai7.streamText({
        model: as7(model),
        prompt,
        ...settings7(rest),
        ...(abort ? { abortSignal: abort.signal } : {}),
        onError: ({ error: failure }) => {
          error = failure;
        },
      });
      try {
        return { text: await drain(result.textStream, abort), error };
      } catch (failure) {
        return { text: "", error: failure };
      }
    },
    async generateObject(model, extras = {}) {
      return (
        await ai7.generateObject({
          model: as7(model),
          prompt,
          schema: ai7.jsonSchema({
            type: "object",
            properties: { title: { type: "string" } },
            required: ["title"],
            additionalProperties: false,
          }),
          ...settings7(extras),
        })
      ).object;
    },
    async streamObject(model, extras = {}) {
      const result = ai7.streamObject({
        model: as7(model),
        prompt,
        schema: ai7.jsonSchema({
          type: "object",
          properties: { title: { type: "string" } },
          required: ["title"],
          additionalProperties: false,
        }),
        ...settings7(extras),
      });
      for await (const _partial of result.partialObjectStream) {
        // consume
      }
      return result.object;
    },
    async toolLoop(model, extras = {}) {
      const result = await ai7.generateText({
        model: as7(model),
        prompt: "What is the weather in Paris?",
        tools: {
          weather: ai7.tool({
            description: "The weather in a city",
            inputSchema: ai7.jsonSchema<{ city: string }>({
              type: "object",
              properties: { city: { type: "string" } },
              required: ["city"],
              additionalProperties: false,
            }),
            execute: ({ city }) => Promise.resolve(`sunny in ${city}`),
          }),
        },
        stopWhen: ai7.isStepCount(3),
        ...settings7(extras),
      });
      return { steps: result.steps.length, text: result.text };
    },
  };

  return [harness6, harness7];
}
