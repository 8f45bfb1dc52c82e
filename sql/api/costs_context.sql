-- What a costs request needs before its query: whether the pricing view exists (soft-deleted
-- views do not), the view whose rows the read models hold for it (a simulation's base view,
-- else the view itself), the first and last months they hold, the default range, and a
-- simulation's scopes: {level: [codes]}, NULL when it has no adjustment.
-- cost_by_application stands for every read model: the roll-ups are rebuilt from cost_by_product
-- month by month, so they hold the same months, and it is the smallest.
WITH asked AS (
    SELECT coalesce(base_view, pricing_view_code) AS read_view
      FROM finops.pricing_view
     WHERE pricing_view_code = %(view)s AND deleted_at IS NULL
)
SELECT EXISTS (SELECT 1 FROM asked) AS view_known,
       (SELECT read_view FROM asked) AS read_view,
       (SELECT min(month) FROM finops.cost_by_application
         WHERE pricing_view_code = (SELECT read_view FROM asked)) AS first_month,
       (SELECT max(month) FROM finops.cost_by_application
         WHERE pricing_view_code = (SELECT read_view FROM asked)) AS last_month,
       (SELECT jsonb_object_agg(scope_level, codes)
          FROM (SELECT scope_level, array_agg(DISTINCT scope_code) AS codes
                  FROM finops.simulation_adjustment
                 WHERE pricing_view_code = %(view)s AND EXISTS (SELECT 1 FROM asked)
                 GROUP BY scope_level) AS scope) AS scopes;
