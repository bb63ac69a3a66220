-- Modalities priced apart from text (issue #17): audio input, audio output and image output tokens
-- that a provider reports separately (OpenAI's prompt/completion audio_tokens, Gemini's token counts
-- by modality). They are carved out of input_tokens and output_tokens, which keep text tokens only,
-- so a reprice bills each token once, at its own rate.
--
-- ADD COLUMN on the partitioned table reaches every partition; the constant default is stored in
-- the catalog, not written into existing rows (every earlier event was text only). The rollups do not
-- carry token counts by modality: they sum costs, and the cost of these tokens is in
-- estimated_cost_usd already (docs/pricing.md, "Modalities").
ALTER TABLE llm_cost_events
  ADD COLUMN audio_input_tokens BIGINT NOT NULL DEFAULT 0
    CHECK (audio_input_tokens >= 0),
  ADD COLUMN audio_output_tokens BIGINT NOT NULL DEFAULT 0
    CHECK (audio_output_tokens >= 0),
  ADD COLUMN image_output_tokens BIGINT NOT NULL DEFAULT 0
    CHECK (image_output_tokens >= 0);
