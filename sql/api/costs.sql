-- Costs of one pricing view over a month range, grouped by the requested keys: one side
-- (api/cost_side.sql or api/cost_side_simulated.sql), finished. Amounts leave as numeric text:
-- exact, and never in E-notation (finops_api/amounts.py). The keys are text (YYYY-MM for a
-- month, YYYY-Qn, YYYY), so sorting them sorts periods in time. {order}: the keys, or the
-- largest priced cost first (a top-N with {page}). {page}: LIMIT/OFFSET of a page
-- (finops_api/pagination.py), or nothing for the export.
SELECT {keys},
       side.unit,
       side.quantity::text AS quantity,
       side.units,
       CASE WHEN side.priced THEN side.cost::text END AS cost,
       side.priced
  FROM ({side}) AS side
 ORDER BY {order}
{page}
