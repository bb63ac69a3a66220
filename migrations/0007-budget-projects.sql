-- Placeholder reserved for a change in progress; replaced before release.
SELECT 1;
