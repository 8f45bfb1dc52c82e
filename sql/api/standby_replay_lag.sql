-- How far this standby's replay is behind the primary's WAL position (read on the primary just
-- before), in bytes; and in seconds, the age of the last transaction it replayed while it has
-- received WAL it has not replayed yet (0 once it has replayed all it received: WAL the primary
-- is still writing for a transaction not yet committed, or not yet sent, counts in the bytes
-- only; NULL while it has replayed no transaction since it started). A server that is not in
-- recovery is current.
SELECT CASE WHEN pg_is_in_recovery()
            THEN greatest(pg_wal_lsn_diff(%(primary_lsn)s::pg_lsn, pg_last_wal_replay_lsn()), 0)
            ELSE 0
       END::bigint AS lag_bytes,
       CASE WHEN NOT pg_is_in_recovery()
                 OR pg_last_wal_replay_lsn() >= %(primary_lsn)s::pg_lsn
                 OR pg_last_wal_replay_lsn() >= pg_last_wal_receive_lsn() THEN 0
            ELSE extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())
       END::float8 AS lag_seconds;
