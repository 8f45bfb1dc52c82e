-- Which database this is: a streaming-replication standby has its primary's system identifier
-- (made by initdb, copied by pg_basebackup) and database names; another server's database, or
-- another database of the same server, differs in one of them.
SELECT system_identifier::text AS system_identifier, current_database() AS database
  FROM pg_control_system();
