// The same operations written once against `ai` 6 with the 3.x providers and once against `ai` 7 with
// the 4.x providers (from the test package test/ai7, which the root install leaves out), so every
// middleware test runs under both majors. One factory writes the operations; each major hands it its
// own module and providers, and its `wrapLanguageModel` is called by name, so that the middleware is
// accepted by both majors is still checked by the compiler here.
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
const apiKey = "test-key";

/** A JSON schema of an object of string properties, all required. */
interface StringsSchema {
  type: "object";
  properties: Record<string, { type: "string" }>;
  required: string[];
  additionalProperties: false;
}

/** The schema of an object with the string properties `names`. */
function stringsSchema(...names: string[]): StringsSchema {
  const properties = Object.fromEntries(names.map((name) => [name, { type: "string" as const }]));
  return { type: "object", properties, required: names, additionalProperties: false };
}

/**
 * The parts of an `ai` major the operations call, typed loosely enough for ai 6 and ai 7 alike (`Schema`
 * is the major's own schema type): each major's module is checked against it where it is handed to
 * `harnessFor`.
 */
interface AiFunctions<Schema> {
  generateText(options: object): PromiseLike<{ text: string; steps: readonly unknown[] }>;
  streamText(options: object): { textStream: AsyncIterable<string> };
  generateObject(options: object): PromiseLike<{ object: unknown }>;
  streamObject(options: object): {
    partialObjectStream: AsyncIterable<unknown>;
    object: PromiseLike<unknown>;
  };
  jsonSchema(schema: StringsSchema): Schema;
  tool(definition: {
    description: string;
    inputSchema: Schema;
    execute: (input: { city: string }) => Promise<string>;
  }): unknown;
}

/** What differs between the majors: the module, its providers, and how it spells a step limit. */
interface AiMajor<Schema> {
  name: AiHarness["name"];
  /** The major's `ai` module, also seen through the loose type the operations use. */
  ai: AiHarness["functions"] & AiFunctions<Schema>;
  bare: AiHarness["bare"];
  /** This major's `wrapLanguageModel`, written out per major so the compiler checks each accepts the middleware. */
  wrap: AiHarness["wrap"];
  /** A stop condition after `count` steps (`stepCountIs` in ai 6, `isStepCount` in ai 7). */
  stopAfterSteps(count: number): unknown;
}

/** Settings every provider factory takes. */
interface ProviderSettings {
  baseURL: string;
  apiKey: string;
}

/** The bare model of each provider API, from one major's provider factories pointed at `baseUrls`. */
function providerModels(
  baseUrls: BaseUrls,
  factories: {
    anthropic: (settings: ProviderSettings) => (modelId: string) => object;
    openai: (settings: ProviderSettings) => {
      chat(modelId: string): object;
      responses(modelId: string): object;
    };
    google: (settings: ProviderSettings) => (modelId: string) => object;
  },
): AiHarness["bare"] {
  const providers = {
    anthropic: factories.anthropic({ baseURL: baseUrls.anthropic, apiKey }),
    openai: factories.openai({ baseURL: baseUrls.openai, apiKey }),
    google: factories.google({ baseURL: baseUrls.google, apiKey }),
  };
  return (api, modelId) => {
    switch (api) {
      case "anthropic":
        return providers.anthropic(modelId);
      case "openai-chat":
        return providers.openai.chat(modelId);
      case "openai-responses":
        return providers.openai.responses(modelId);
      case "gemini":
        return providers.google(modelId);
    }
  };
}

async function drain(textStream: AsyncIterable<string>, abort?: AbortController): Promise<string> {
  let text = "";
  for await (const chunk of textStream) {
    text += chunk;
    if (abort && chunk.length > 0) abort.abort();
  }
  return text;
}

/** The operations written once, run through one major's functions. */
function harnessFor<Schema>(major: AiMajor<Schema>): AiHarness {
  const ai = major.ai;
  return {
    name: major.name,
    functions: major.ai,
    bare: major.bare,
    wrap: major.wrap,
    async generateText(model, extras = {}) {
      return (await ai.generateText({ model, prompt, ...extras })).text;
    },
    async streamText(model, extras = {}) {
      const { abortAfterFirstChunk, ...rest } = extras;
      const abort = abortAfterFirstChunk ? new AbortController() : undefined;
      let error: unknown;
      const result = ai.streamText({
        model,
        prompt,
        ...rest,
        ...(abort ? { abortSignal: abort.signal } : {}),
        onError: ({ error: failure }: { error: unknown }) => {
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
        await ai.generateObject({ model, prompt, schema: ai.jsonSchema(stringsSchema("title")), ...extras })
      ).object;
    },
    async streamObject(model, extras = {}) {
      const result = ai.streamObject({
        model,
        prompt,
        schema: ai.jsonSchema(stringsSchema("title")),
        ...extras,
      });
      for await (const _partial of result.partialObjectStream) {
        // consume
      }
      return result.object;
    },
    async toolLoop(model, extras = {}) {
      const result = await ai.generateText({
        model,
        prompt: "What is the weather in Paris?",
        tools: {
          weather: ai.tool({
            description: "The weather in a city",
            inputSchema: ai.jsonSchema(stringsSchema("city")),
            execute: ({ city }) => Promise.resolve(`sunny in ${city}`),
          }),
        },
        stopWhen: major.stopAfterSteps(3),
        ...extras,
      });
      return { steps: result.steps.length, text: result.text };
    },
  };
}

/** The harness of each major, its providers pointed at the fake provider servers at `baseUrls`. */
export function aiHarnesses(baseUrls: BaseUrls): AiHarness[] {
  type Model6 = Parameters<typeof ai6.wrapLanguageModel>[0]["model"];
  type Model7 = Parameters<typeof ai7.wrapLanguageModel>[0]["model"];
  return [
    harnessFor({
      name: "ai 6",
      ai: ai6,
      bare: providerModels(baseUrls, {
        anthropic: createAnthropic,
        openai: createOpenAI,
        google: createGoogleGenerativeAI,
      }),
      wrap: (model, middleware) => ai6.wrapLanguageModel({ model: model as Model6, middleware }),
      stopAfterSteps: ai6.stepCountIs,
    }),
    harnessFor({
      name: "ai 7",
      ai: ai7,
      bare: providerModels(baseUrls, {
        anthropic: createAnthropic7,
        openai: createOpenAI7,
        google: createGoogle7,
      }),
      wrap: (model, middleware) => ai7.wrapLanguageModel({ model: model as Model7, middleware }),
      stopAfterSteps: ai7.isStepCount,
    }),
  ];
}
