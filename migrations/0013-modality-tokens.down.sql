-- Drops the modality token counts (their cost stays in estimated_cost_usd; the tokens are then in no
-- column, since input_tokens and output_tokens never held them).
ALTER TABLE llm_cost_events
  DROP COLUMN image_output_tokens,
  DROP COLUMN audio_output_tokens,
  DROP COLUMN audio_input_tokens;
