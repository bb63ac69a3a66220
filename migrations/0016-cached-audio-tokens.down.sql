-- Drops the cached audio counts (their cost stays in estimated_cost_usd; the tokens are then in no
-- column, since cache_read_tokens never held them).
ALTER TABLE llm_cost_events DROP COLUMN cache_read_audio_tokens;
