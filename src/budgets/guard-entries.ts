import type { BudgetDecision, BudgetRef } from "../integrations/ai-sdk/index.js";
import type { Dimension } from "../query/index.js";
import type { BudgetStatus } from "./budget-status.js";
import type { Budget } from "./budget-spec.js";
import { toPico } from "./usd.js";

// The budget guard's view of one blocking budget, compiled so that `check` reads a call's dimensions
// without building strings or arrays: scope dimensions become slots, values sets, spend maps keyed by
// the `per` value (null without `per`).

/** A call's dimensions as the guard reads them: a `BudgetCall`, or a priced record from the tracker. */
export interface GuardCall {
  repo?: string | null | undefined;
  taskType?: string | null | undefined;
  provider?: string | null | undefined;
  userId?: string | null | undefined;
  sessionId?: string | null | undefined;
  environment?: string | null | undefined;
  metadata?: Record<string, unknown> | null | undefined;
}

type CallField = "repo" | "taskType" | "provider" | "userId" | "sessionId" | "environment";

/** Where a dimension's value comes from. `absent`: not known before a call (sdk, deliveryId). */
type Slot =
  | { kind: "field"; field: CallField }
  | { kind: "model" }
  | { kind: "project" }
  | { kind: "metadata"; key: string }
  | { kind: "absent" };

const callFields = new Set<string>(["repo", "taskType", "provider", "userId", "sessionId", "environment"]);

function slotOf(dimension: Dimension): Slot {
  if (callFields.has(dimension)) return { kind: "field", field: dimension as CallField };
  if (dimension === "model") return { kind: "model" };
  if (dimension === "project") return { kind: "project" };
  if (dimension.startsWith("metadata."))
    return { kind: "metadata", key: dimension.slice("metadata.".length) };
  return { kind: "absent" };
}

/**
 * A slot's value for a call. `model` is the canonical id (model-canonicalizer.ts); metadata values
 * read as reports read `metadata ->> key`: text as is, numbers and booleans as their JSON text.
 */
export function slotValue(slot: Slot, call: GuardCall, model: string | null, project: string): string | null {
  switch (slot.kind) {
    case "field":
      return call[slot.field] ?? null;
    case "model":
      return model;
    case "project":
      return project;
    case "metadata": {
      const value = call.metadata?.[slot.key];
      if (typeof value === "string") return value;
      if (typeof value === "number" || typeof value === "boolean") return JSON.stringify(value);
      return null;
    }
    default:
      return null;
  }
}

/** One blocking budget in the guard's view. */
export interface GuardEntry {
  budget: Budget;
  amount: bigint;
  slots: Slot[];
  sets: Array<ReadonlySet<string | null>>;
  perSlot: Slot | undefined;
  /**
   * What is left by `per` value (the amount when absent): the amount minus the refreshed spend and
   * everything noted since, kept up to date as spend is noted so that a check only compares.
   */
  left: Map<string | null, bigint>;
  /** Spend this process noted since the refresh under way (or the last one) started. */
  noted: Map<string | null, bigint>;
  /** Spend noted before the refresh under way started: dropped once it lands (it read those events). */
  earlier: Map<string | null, bigint>;
  /** The refusal, built once. */
  blocked: BudgetDecision;
  /** The last allowed answer and what it had left: a repeated check returns the same object. */
  lastAllowed: { left: bigint; decision: BudgetDecision } | undefined;
  ref: BudgetRef;
}

/** Compiles a blocking budget's status (from a store or a service's `/v1/budget-status`). */
export function compileEntry(status: BudgetStatus): GuardEntry {
  const { budget } = status;
  const dimensions = (Object.keys(budget.scope) as Dimension[]).filter(
    (dimension) => budget.scope[dimension] !== undefined,
  );
  const amount = toPico(budget.amountUsd);
  const left = new Map<string | null, bigint>();
  if (budget.per && status.values) {
    for (const value of status.values) left.set(value.value, amount - toPico(value.spentUsd));
  } else left.set(null, amount - toPico(status.spentUsd));
  const ref: BudgetRef = { id: budget.id, name: budget.name, amountUsd: budget.amountUsd };
  return {
    budget,
    amount,
    slots: dimensions.map(slotOf),
    sets: dimensions.map((dimension) => new Set(budget.scope[dimension])),
    perSlot: budget.per ? slotOf(budget.per) : undefined,
    left,
    noted: new Map(),
    earlier: new Map(),
    blocked: Object.freeze({ allowed: false, budget: ref, remaining: "0" }),
    lastAllowed: undefined,
    ref,
  };
}

/** True when a compiled budget reads the call's model (its scope or its `per`). */
export function readsModel(entry: GuardEntry): boolean {
  return entry.perSlot?.kind === "model" || entry.slots.some((slot) => slot.kind === "model");
}

/** True when the call is in the budget's scope (from the `from`th dimension: the index matched those before). */
export function inScope(
  entry: GuardEntry,
  call: GuardCall,
  model: string | null,
  project: string,
  from = 0,
): boolean {
  for (let index = from; index < entry.slots.length; index++) {
    if (!entry.sets[index]!.has(slotValue(entry.slots[index]!, call, model, project))) return false;
  }
  return true;
}

/** The key of the call's spend in the budget: its `per` value, or null. */
export function spendKey(entry: GuardEntry, call: GuardCall, model: string | null, project: string) {
  return entry.perSlot ? slotValue(entry.perSlot, call, model, project) : null;
}

/** What the budget has left for this key. */
export function leftOf(entry: GuardEntry, key: string | null): bigint {
  return entry.left.get(key) ?? entry.amount;
}

/** Counts spend this process noted: in `noted` (kept past a refresh under way) and in what is left. */
export function noteIn(entry: GuardEntry, key: string | null, cost: bigint): void {
  addTo(entry.noted, key, cost);
  entry.left.set(key, leftOf(entry, key) - cost);
}

/** Adds `cost` to a spend map. */
export function addTo(map: Map<string | null, bigint>, key: string | null, cost: bigint): void {
  map.set(key, (map.get(key) ?? 0n) + cost);
}

/**
 * The entries by the value of their first scope dimension (entries without a scope apart), so that a
 * check looks up the few budgets a call can be in instead of testing every one.
 */
export interface GuardIndex {
  unscoped: GuardEntry[];
  slots: Array<{ slot: Slot; byValue: Map<string | null, GuardEntry[]> }>;
}

function slotSignature(slot: Slot): string {
  if (slot.kind === "field") return `field:${slot.field}`;
  if (slot.kind === "metadata") return `metadata:${slot.key}`;
  return slot.kind;
}

/** Indexes compiled entries (see `GuardIndex`). */
export function indexEntries(entries: readonly GuardEntry[]): GuardIndex {
  const index: GuardIndex = { unscoped: [], slots: [] };
  const bySignature = new Map<string, Map<string | null, GuardEntry[]>>();
  for (const entry of entries) {
    const slot = entry.slots[0];
    if (!slot) {
      index.unscoped.push(entry);
      continue;
    }
    const signature = slotSignature(slot);
    let byValue = bySignature.get(signature);
    if (!byValue) {
      byValue = new Map<string | null, GuardEntry[]>();
      bySignature.set(signature, byValue);
      index.slots.push({ slot, byValue });
    }
    for (const value of entry.sets[0]!) {
      const list = byValue.get(value);
      if (list) list.push(entry);
      else byValue.set(value, [entry]);
    }
  }
  return index;
}

/** Calls `visit` with every entry whose scope holds the call. */
export function forEachInScope(
  index: GuardIndex,
  call: GuardCall,
  model: string | null,
  project: string,
  visit: (entry: GuardEntry) => void,
): void {
  for (const entry of index.unscoped) visit(entry);
  for (const { slot, byValue } of index.slots) {
    const list = byValue.get(slotValue(slot, call, model, project));
    if (!list) continue;
    for (const entry of list) if (inScope(entry, call, model, project, 1)) visit(entry);
  }
}
