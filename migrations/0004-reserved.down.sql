-- The placeholder's down: nothing to undo.
SELECT 1;
