-- A preview's adjustments, sent with the request as a JSON array of the rows
-- finops.simulation_adjustment would hold (finops_api/pricing_views/services.py adjustment_row),
-- as api/cost_side_adjustment.sql reads them: nothing is stored.
SELECT position, kind, value, scope_level, scope_code, month_from, month_to
  FROM jsonb_to_recordset({adjustments}::jsonb)
       AS a(position integer, kind text, value numeric, scope_level text, scope_code text,
            month_from date, month_to date)
