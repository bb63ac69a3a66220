-- A placeholder for migration 0004 (projects, on another branch), so that 0005 is consecutive in this
-- branch: the migrator refuses gaps. To be dropped at merge, where the real 0004 takes its place.
SELECT 1;
