-- The span id of an event recorded from an OpenTelemetry span (POST /v1/traces), or given by a caller
-- beside its trace id: with trace_id it finds the span an event came from. Nullable: most events have
-- none. ALTER on the partitioned parent reaches every partition, present and future.
ALTER TABLE llm_cost_events
  ADD COLUMN span_id TEXT CONSTRAINT llm_cost_events_span_id_shape CHECK (span_id ~ '^[0-9a-f]{16}$');
