-- placeholder: reserved for 0015-budget-evaluation; replaced by its change before merging.
SELECT 1;
