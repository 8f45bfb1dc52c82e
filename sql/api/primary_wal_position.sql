-- Where the primary's write-ahead log is: what a standby has to have replayed to be current; and
-- which database it is (api/server_identity.sql), which a standby's must equal.
SELECT pg_current_wal_lsn()::text AS primary_lsn, system_identifier::text AS system_identifier,
       current_database() AS database
  FROM pg_control_system();
