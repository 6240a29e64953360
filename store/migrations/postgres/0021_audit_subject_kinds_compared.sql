-- SQLite's migration 0021 rewrites its audit log trigger's NOT IN list as
-- comparisons, for speed. PostgreSQL evaluates the list as it is; its
-- trigger (migration 0007) stays. This file keeps the two engines'
-- migration sets the same.
SELECT 1;
