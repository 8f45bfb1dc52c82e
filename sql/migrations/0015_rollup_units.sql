-- The roll-ups list the units of the rows they sum, so that a group mixing units can say which
-- (the API gives its quantity as null, never a sum across units, and lists its units): unit_min
-- and unit_max tell a mixed group from a single-unit one, not the units between them.
--
-- units_of(DISTINCT units) merges the unit lists of the rows of a group: DISTINCT first, so that
-- it concatenates the few distinct lists, not one per row. Units sort in byte order (COLLATE
-- "C"), the same whatever the database's locale.
CREATE FUNCTION finops.units_sorted(units text[]) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN ARRAY(SELECT DISTINCT u COLLATE "C" FROM unnest(units) AS u ORDER BY 1);

CREATE AGGREGATE finops.units_of(text[]) (
    SFUNC = array_cat,
    STYPE = text[],
    FINALFUNC = finops.units_sorted,
    INITCOND = '{}',
    PARALLEL = SAFE
);

ALTER TABLE finops.cost_by_application_family ADD COLUMN units text[];
ALTER TABLE finops.cost_by_application ADD COLUMN units text[];
ALTER TABLE finops.cost_by_owner_family ADD COLUMN units text[];
ALTER TABLE finops.cost_by_family ADD COLUMN units text[];
ALTER TABLE finops.cost_by_owner ADD COLUMN units text[];

UPDATE finops.cost_by_application_family AS r
   SET units = p.units
  FROM (SELECT month, pricing_view_code, source, application_code, owner, domain_code, family_code, currency,
               finops.units_sorted(array_agg(DISTINCT unit)) AS units
          FROM finops.cost_by_product
         GROUP BY 1, 2, 3, 4, 5, 6, 7, 8) AS p
 WHERE (r.month, r.pricing_view_code, r.source, r.application_code, r.owner, r.domain_code, r.family_code,
        r.currency)
     IS NOT DISTINCT FROM (p.month, p.pricing_view_code, p.source, p.application_code, p.owner,
                           p.domain_code, p.family_code, p.currency);

UPDATE finops.cost_by_application AS r
   SET units = p.units
  FROM (SELECT month, pricing_view_code, application_code, owner, currency,
               finops.units_sorted(array_agg(DISTINCT unit)) AS units
          FROM finops.cost_by_product
         GROUP BY 1, 2, 3, 4, 5) AS p
 WHERE (r.month, r.pricing_view_code, r.application_code, r.owner, r.currency)
     IS NOT DISTINCT FROM (p.month, p.pricing_view_code, p.application_code, p.owner, p.currency);

UPDATE finops.cost_by_owner_family AS r
   SET units = p.units
  FROM (SELECT month, pricing_view_code, source, owner, domain_code, family_code, currency,
               finops.units_sorted(array_agg(DISTINCT unit)) AS units
          FROM finops.cost_by_product
         GROUP BY 1, 2, 3, 4, 5, 6, 7) AS p
 WHERE (r.month, r.pricing_view_code, r.source, r.owner, r.domain_code, r.family_code, r.currency)
     IS NOT DISTINCT FROM (p.month, p.pricing_view_code, p.source, p.owner, p.domain_code, p.family_code, p.currency);

UPDATE finops.cost_by_family AS r
   SET units = p.units
  FROM (SELECT month, pricing_view_code, source, domain_code, family_code, currency,
               finops.units_of(DISTINCT units) AS units
          FROM finops.cost_by_owner_family
         GROUP BY 1, 2, 3, 4, 5, 6) AS p
 WHERE (r.month, r.pricing_view_code, r.source, r.domain_code, r.family_code, r.currency)
     IS NOT DISTINCT FROM (p.month, p.pricing_view_code, p.source, p.domain_code, p.family_code, p.currency);

UPDATE finops.cost_by_owner AS r
   SET units = p.units
  FROM (SELECT month, pricing_view_code, owner, currency, finops.units_of(DISTINCT units) AS units
          FROM finops.cost_by_owner_family
         GROUP BY 1, 2, 3, 4) AS p
 WHERE (r.month, r.pricing_view_code, r.owner, r.currency)
     IS NOT DISTINCT FROM (p.month, p.pricing_view_code, p.owner, p.currency);

ALTER TABLE finops.cost_by_application_family ALTER COLUMN units SET NOT NULL;
ALTER TABLE finops.cost_by_application ALTER COLUMN units SET NOT NULL;
ALTER TABLE finops.cost_by_owner_family ALTER COLUMN units SET NOT NULL;
ALTER TABLE finops.cost_by_family ALTER COLUMN units SET NOT NULL;
ALTER TABLE finops.cost_by_owner ALTER COLUMN units SET NOT NULL;
