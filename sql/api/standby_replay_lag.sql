-- How far this standby's replay is behind the primary's WAL position (read on the primary just
-- before): in bytes, and in seconds since the commit of the last transaction it replayed, which is
-- how old its data may be (0 once it has replayed everything the primary had written; NULL while it
-- has replayed no transaction since it started). A server that is not in recovery is current.
SELECT CASE WHEN pg_is_in_recovery()
            THEN greatest(pg_wal_lsn_diff(%(primary_lsn)s::pg_lsn, pg_last_wal_replay_lsn()), 0)
            ELSE 0
       END::bigint AS lag_bytes,
       CASE WHEN NOT pg_is_in_recovery() OR pg_last_wal_replay_lsn() >= %(primary_lsn)s::pg_lsn THEN 0
            ELSE extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())
       END::float8 AS lag_seconds;
