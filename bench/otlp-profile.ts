// The Node CPU one protobuf export costs in process, from its bytes to priced records: no server, no
// database. Beside it, the same step of POST /v1/events (a JSON body of the same calls, parsed and
// priced), which is where the service's CPU per row differs between the two routes: the rest of a
// request (reading the body, the group commit, COPY, the answer) costs both the same per row. And the
// path the current decoder replaced (protobufjs' `toObject` copy of the decoded message, walked by the
// JSON walker, from a plain Uint8Array as the route reads a body), kept only as the comparison. Each
// figure is the median over several blocks of requests.
import { parseEventInput } from "../src/events/index.js";
import { createPricing } from "../src/pricing/index.js";
import {
  decodeJsonSpans,
  decodeProtobufSpans,
  defaultSpanAttribution,
  eventOfSpan,
  otlpSchema,
  selectCallSpans,
  type OtlpSpan,
} from "../src/integrations/opentelemetry/index.js";
import { createServerPricer } from "../src/server/ingest-commit.js";

const quiet = { info() {}, warn() {}, error() {} };

/** CPU milliseconds of one request, the median of `rounds` blocks of `block` requests. */
function cpuMsPerRequest(run: () => void, rounds: number, block: number): number {
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const before = process.cpuUsage();
    for (let index = 0; index < block; index++) run();
    const used = process.cpuUsage(before);
    samples.push((used.user + used.system) / 1000 / block);
  }
  samples.sort((a, b) => a - b);
  return +samples[Math.floor(samples.length / 2)]!.toFixed(2);
}

/**
 * CPU per export of `body` (protobuf bytes) to priced records, by the current decoder (`messages`)
 * and the `toObject` path it replaced, and per `POST /v1/events` body of the same calls (`events`,
 * JSON text) to priced records, after a warm-up of each.
 */
export function profileOtlpDecoding(body: Uint8Array, eventsBody: string, rounds = 7, block = 40) {
  const price = createServerPricer(createPricing(), quiet);
  const { request } = otlpSchema();
  // The route's body is a plain Uint8Array over the request's bytes, not a Buffer.
  const bytes = new Uint8Array(body);
  const toRecords = (spans: OtlpSpan[]) => {
    for (const span of selectCallSpans(spans).calls) {
      const event = eventOfSpan(span, defaultSpanAttribution);
      if (event.ok) price(event);
    }
  };
  const eventsBytes = new TextEncoder().encode(eventsBody);
  const decoder = new TextDecoder();
  const received = Date.now();
  const paths = {
    messages: () => toRecords(decodeProtobufSpans(bytes)),
    // What the events route does between reading its body and the write, but for its per-event checks
    // of fields and projects (a few property reads).
    events: () => {
      for (const event of (JSON.parse(decoder.decode(eventsBytes)) as { events: unknown[] }).events) {
        const parsed = parseEventInput(event, "record", "http");
        if (parsed.ok) {
          price({
            input: parsed.input,
            eventId: parsed.input.eventId!,
            createdAt: received,
            agentCost: undefined,
          });
        }
      }
    },
    toObject: () =>
      toRecords(decodeJsonSpans(request.toObject(request.decode(bytes), { longs: String, enums: Number }))),
  };
  for (let index = 0; index < 50; index++) {
    paths.messages();
    paths.events();
    paths.toObject();
  }
  return {
    cpuMsPerRequest: {
      messages: cpuMsPerRequest(paths.messages, rounds, block),
      events: cpuMsPerRequest(paths.events, rounds, block),
      toObject: cpuMsPerRequest(paths.toObject, rounds, block),
    },
  };
}
