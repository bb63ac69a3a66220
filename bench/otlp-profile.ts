// The Node CPU one protobuf export costs in process, from its bytes to priced records: no server, no
// database. Beside the current path it times the one it replaced (protobufjs' `toObject` copy of the
// decoded message, walked by the JSON walker, from a plain Uint8Array as the route reads a body), kept
// here only as the comparison. Each figure is the median over several blocks of requests.
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
 * and the `toObject` path it replaced, after a warm-up of both.
 */
export function profileOtlpDecoding(body: Uint8Array, rounds = 7, block = 40) {
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
  const paths = {
    messages: () => toRecords(decodeProtobufSpans(bytes)),
    toObject: () =>
      toRecords(decodeJsonSpans(request.toObject(request.decode(bytes), { longs: String, enums: Number }))),
  };
  for (let index = 0; index < 50; index++) {
    paths.messages();
    paths.toObject();
  }
  return {
    cpuMsPerRequest: {
      messages: cpuMsPerRequest(paths.messages, rounds, block),
      toObject: cpuMsPerRequest(paths.toObject, rounds, block),
    },
  };
}
