-- A simulation pricing view over its base view (checked beforehand in the same transaction),
-- in the base view's reporting currency; no row returned when the code is taken, even by a
-- soft-deleted view: figures once reported under a code must not change meaning.
INSERT INTO finops.pricing_view (pricing_view_code, name, kind, currency, base_view, description)
SELECT %(code)s, %(name)s, 'simulation', base.currency, base.pricing_view_code, %(description)s
  FROM finops.pricing_view AS base
 WHERE base.pricing_view_code = %(base_view)s
ON CONFLICT (pricing_view_code) DO NOTHING
RETURNING pricing_view_code;
