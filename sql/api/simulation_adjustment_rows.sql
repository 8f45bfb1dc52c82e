-- A saved simulation's adjustments, as api/cost_side_adjustment.sql reads them.
SELECT position, kind, value, scope_level, scope_code, month_from, month_to
  FROM finops.simulation_adjustment
 WHERE pricing_view_code = {view}
