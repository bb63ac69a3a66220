-- placeholder: reserved for 0014-negotiated-rates; replaced by its change before merging.
SELECT 1;
