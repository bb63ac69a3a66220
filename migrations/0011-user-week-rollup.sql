-- placeholder: reserved for 0011-user-week-rollup; replaced by its change before merging.
SELECT 1;
