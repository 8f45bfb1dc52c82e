-- A step's layer of the month was rebuilt from the version of its input read at its start
-- ({layer}: allocation, valuation or cost_views), in the step's own transaction.
INSERT INTO finops.month_publication AS p (month, {layer})
VALUES (%(month)s, %(version)s)
ON CONFLICT (month) DO UPDATE
   SET {layer} = EXCLUDED.{layer},
       revision = nextval('finops.month_publication_revision'),
       updated_at = clock_timestamp();
