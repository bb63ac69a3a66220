-- placeholder: reserved for 0013-modality-tokens; replaced by its change before merging.
SELECT 1;
