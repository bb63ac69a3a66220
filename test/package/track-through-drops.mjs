// An application that installed the packed llm-ledger (copied into that app by consumer.test.ts, so
// "llm-ledger" resolves to the installed tarball, never to this checkout). Arguments: database URL,
// schema, least number of events, event id prefix (8 hex digits).
//
// It tracks events in a steady stream (so that writes are in flight whenever the test terminates its
// connections) until the test writes "stop" on stdin and at least the least number are tracked, then
// closes the tracker and prints one JSON line: how many it tracked and how their promises resolved.
// It never calls process.exit: the test also checks that nothing the package opened keeps it alive.
import process from "node:process";
import { setTimeout as sleep } from "node:timers/promises";
import { createCostTracker, createTelemetryStore } from "llm-ledger";

const [databaseUrl, schema, leastText, prefix] = process.argv.slice(2);
const least = Number(leastText);
const eventsPerTick = 100;
const tickMs = 10;

const store = await createTelemetryStore({ databaseUrl, schema });
// Small batches often: more writes are in flight when a connection is terminated. The spool is
// the default one, under the app's directory, as an application would have it.
const tracker = createCostTracker({ telemetryStore: store, batchSize: 500, flushIntervalMs: 20 });

let stopRequested = false;
process.stdin.setEncoding("utf8");
process.stdin.on("data", (text) => {
  if (text.includes("stop")) stopRequested = true;
});

/** A UUID from the run's prefix and the event's index, so the test knows every id to look for. */
const eventId = (index) => `${prefix}-0000-4000-8000-${index.toString(16).padStart(12, "0")}`;

const outcomes = {};
const settled = [];
let tracked = 0;
process.stdout.write("tracking\n");
while (!stopRequested || tracked < least) {
  for (let step = 0; step < eventsPerTick; step += 1) {
    const index = tracked;
    tracked += 1;
    settled.push(
      tracker
        .trackUsage({
          eventId: eventId(index),
          repo: "consumer-test",
          taskType: "drops",
          model: "gpt-4o-mini",
          provider: "openai",
          usage: { inputTokens: 100 + (index % 1000), outputTokens: 10 },
          durationMs: 5,
        })
        .then((result) => {
          outcomes[result.outcome] = (outcomes[result.outcome] ?? 0) + 1;
        }),
    );
  }
  await sleep(tickMs);
}
await tracker.close();
await store.close(); // the tracker leaves the store it was given open
await Promise.all(settled);
process.stdin.destroy();
process.stdout.write(`${JSON.stringify({ tracked, outcomes, stats: tracker.stats() })}\n`);
