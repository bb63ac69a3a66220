// The OTLP trace messages, from the official .proto files shipped in the package's `proto/` folder
// (Apache-2.0, see proto/README.md). protobufjs reads the schema once, on first use; decoding and
// encoding then run through its reflection (no hand-written wire format).
import { fileURLToPath } from "node:url";
import path from "node:path";
import protobuf from "protobufjs";

/** The messages the trace ingest reads and answers with. */
export interface OtlpSchema {
  request: protobuf.Type;
  response: protobuf.Type;
  /** `google.rpc.Status`, the body of an OTLP error answer. */
  status: protobuf.Type;
}

// `proto/` sits at the package root: three levels above this file both in src/ and in dist/.
const protoRoot = fileURLToPath(new URL("../../../proto/", import.meta.url));
const serviceFile = "opentelemetry/proto/collector/trace/v1/trace_service.proto";

let loaded: OtlpSchema | undefined;

/** The OTLP trace schema, loaded from the shipped .proto files on the first call. */
export function otlpSchema(): OtlpSchema {
  loaded ??= loadSchema();
  return loaded;
}

function loadSchema(): OtlpSchema {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.join(protoRoot, target);
  root.loadSync(serviceFile);
  // google.rpc.Status is not part of opentelemetry-proto; its three fields are public
  // (https://github.com/googleapis/googleapis/blob/master/google/rpc/status.proto). `details` carries
  // google.protobuf.Any messages, which this service never sends, so it is declared as raw bytes.
  root.add(
    new protobuf.Type("Status")
      .add(new protobuf.Field("code", 1, "int32"))
      .add(new protobuf.Field("message", 2, "string"))
      .add(new protobuf.Field("details", 3, "bytes", "repeated")),
  );
  root.resolveAll();
  return {
    request: root.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest"),
    response: root.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse"),
    status: root.lookupType("Status"),
  };
}
