-- Domains and families registered by a load (public-cloud, a ServiceCategory) are flagged like
-- products and applications, so a catalog declaration takes them over instead of versioning them.
ALTER TABLE finops.dim_domain ADD COLUMN is_auto boolean NOT NULL DEFAULT false;
ALTER TABLE finops.dim_family ADD COLUMN is_auto boolean NOT NULL DEFAULT false;

-- The partition's name is built from the parent's schema and name, not from parent::text,
-- which drops the schema when `finops` is on the search_path and would create the partition
-- in whatever schema comes first there.
CREATE OR REPLACE FUNCTION finops.ensure_month_partition(parent regclass, month date) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    first_day date := date_trunc('month', month)::date;
    parent_schema text;
    parent_name text;
    part_name text;
BEGIN
    SELECT n.nspname, c.relname INTO parent_schema, parent_name
      FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
     WHERE c.oid = parent;
    part_name := format('%s_%s', parent_name, to_char(first_day, 'YYYY_MM'));
    -- two sources loading the same new month at once must not both create the partition
    PERFORM pg_advisory_xact_lock(hashtext(parent_schema || '.' || part_name));
    IF to_regclass(format('%I.%I', parent_schema, part_name)) IS NULL THEN
        EXECUTE format('CREATE TABLE IF NOT EXISTS %I.%I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
                       parent_schema, part_name, parent, first_day, (first_day + interval '1 month')::date);
    END IF;
END $$;
