-- Where the primary's write-ahead log is: what a standby has to have replayed to be current.
SELECT pg_current_wal_lsn()::text AS primary_lsn;
