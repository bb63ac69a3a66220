// An event as the ledger stored it (a line of `llm-ledger export`), read back for `llm-ledger import`.
// It is the caller's event (parsed by parseEventInput, with the same limits and the same reasons) plus
// the columns the ledger filled in when it priced it, kept as they are so that an export followed by an
// import moves a ledger without repricing it.
import type { NewLlmCostRecord } from "../store/cost-record.js";
import { costSource, fail, flag, money, optionalName, readOwn, time } from "./field-checks.js";
import { parseEventInput, reasonOf } from "./parse-event-input.js";

/** A stored event read back, or why it cannot be stored again. */
export type ParsedStoredEvent = { ok: true; record: NewLlmCostRecord } | { ok: false; reason: string };

/**
 * The fields the ledger always writes, so an export always has them: a line without one was not
 * written by an export, and guessing (a fresh id, the time of the import) would change the ledger.
 */
const requiredStoredFields = ["eventId", "createdAt", "provider", "sdk", "estimatedCostUsd"];

/**
 * Validates one exported event and returns the record to store, with its pricing kept. Never throws.
 * `ingestedAt` is kept too (the time the exporting ledger first stored the event).
 *
 * @example
 * const parsed = parseStoredEvent(JSON.parse(line));
 * if (parsed.ok) await store.recordLlmCosts([parsed.record]);
 */
export function parseStoredEvent(value: unknown): ParsedStoredEvent {
  const parsed = parseEventInput(value, "record", "raw", { blankNames: "keep" });
  if (!parsed.ok) return { ok: false, reason: parsed.reason };
  const input = parsed.input;
  try {
    const source = value as Record<string, unknown>;
    for (const field of requiredStoredFields) {
      const given = readOwn(source, field);
      if (given === undefined || given === null) fail(`${field} is required`);
    }
    time(readOwn(source, "ingestedAt"), "ingestedAt");
    const ingestedAt = readOwn(source, "ingestedAt");
    // The time as written (it may carry microseconds, or an offset), once it is known to be valid.
    const createdAt = readOwn(source, "createdAt");
    const record: NewLlmCostRecord = {
      eventId: input.eventId!,
      createdAt: typeof createdAt === "string" ? createdAt : new Date(input.createdAt!).toISOString(),
      repo: input.repo,
      taskType: input.taskType,
      model: input.model,
      resolvedModel: optionalName(readOwn(source, "resolvedModel"), "resolvedModel"),
      provider: input.provider!,
      sdk: input.sdk,
      inputTokens: input.inputTokens,
      outputTokens: input.outputTokens,
      cacheReadTokens: input.cacheReadTokens,
      cacheWriteTokens: input.cacheWriteTokens,
      cacheWrite1hTokens: input.cacheWrite1hTokens,
      reasoningTokens: input.reasoningTokens,
      estimatedCostUsd: money(readOwn(source, "estimatedCostUsd"), "estimatedCostUsd")!,
      providerCostUsd: input.providerCostUsd,
      costSource: costSource(readOwn(source, "costSource")),
      priced: flag(readOwn(source, "priced"), "priced", true),
      pricingVersion: optionalName(readOwn(source, "pricingVersion"), "pricingVersion"),
      durationMs: input.durationMs,
      usedFallback: input.usedFallback,
      fallbackReason: input.fallbackReason,
      error: input.error,
      deliveryId: input.deliveryId,
      userId: input.userId,
      sessionId: input.sessionId,
      traceId: input.traceId,
      environment: input.environment,
      metadata: input.metadata,
      serviceTier: input.serviceTier,
      webSearchRequests: input.webSearchRequests,
      spanId: input.spanId,
      audioInputTokens: input.audioInputTokens,
      audioOutputTokens: input.audioOutputTokens,
      imageOutputTokens: input.imageOutputTokens,
      cacheReadAudioTokens: input.cacheReadAudioTokens,
      // Absent in exports made before list prices were kept: null, as in the exporting ledger.
      listCostUsd: money(readOwn(source, "listCostUsd"), "listCostUsd"),
      ...(typeof ingestedAt === "string" ? { ingestedAt } : {}),
      // Absent in exports made before projects: the store's default then.
      project: input.project ?? undefined,
    };
    return { ok: true, record };
  } catch (error) {
    return { ok: false, reason: reasonOf(error) };
  }
}
