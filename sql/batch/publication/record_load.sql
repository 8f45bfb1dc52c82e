-- A load of the month (any source) changed its consumption: in the load's own transaction, so
-- the month reads as stale from the moment the new facts are visible until its cost views are
-- rebuilt from them.
INSERT INTO finops.month_publication AS p (month, consumption_version)
VALUES (%(month)s, 1)
ON CONFLICT (month) DO UPDATE
   SET consumption_version = p.consumption_version + 1,
       revision = nextval('finops.month_publication_revision'),
       updated_at = clock_timestamp();
