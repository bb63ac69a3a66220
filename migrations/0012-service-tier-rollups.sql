-- placeholder: reserved for 0012-service-tier-rollups; replaced by its change before merging.
SELECT 1;
