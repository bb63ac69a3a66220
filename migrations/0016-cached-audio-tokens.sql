-- Cached audio priced apart from cached text (issue #17): the cached audio input a provider reports
-- by modality (OpenAI's cached_tokens_details.audio_tokens, also in the Realtime API's
-- input_token_details; Gemini's cacheTokensDetails AUDIO). It is carved out of cache_read_tokens,
-- which keeps cached text only, so a reprice bills each cached token once, at its own rate
-- (gpt-realtime-mini: $0.30 per million cached audio against $0.06 cached text).
--
-- ADD COLUMN on the partitioned table reaches every partition; the constant default is stored in
-- the catalog, not written into existing rows. Earlier events kept their cached audio inside
-- cache_read_tokens, billed at the cached text rate, and a reprice prices them so: the split was not
-- stored, so it cannot be recovered. The rollups sum costs, not token counts by modality.
ALTER TABLE llm_cost_events
  ADD COLUMN cache_read_audio_tokens BIGINT NOT NULL DEFAULT 0
    CHECK (cache_read_audio_tokens >= 0);
