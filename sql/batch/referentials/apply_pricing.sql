-- Applies the staged pricing files (temp tables staged_view, staged_price, staged_fx; see
-- finops_assets/referentials/pricing.py). The files are the whole truth for the views they
-- declare and for FX rates; views created otherwise (actual, actual-rate, simulations) are
-- left alone.

-- A view declared again after a soft delete comes back (a pricing view has no history of its
-- own: its prices carry their months).
INSERT INTO finops.pricing_view (pricing_view_code, name, kind, currency, description, from_files)
SELECT code, name, 'rate_card', currency, description, true
  FROM staged_view
ON CONFLICT (pricing_view_code) DO UPDATE
   SET name = excluded.name, currency = excluded.currency, description = excluded.description,
       deleted_at = NULL
 WHERE finops.pricing_view.from_files;

UPDATE finops.pricing_view AS v SET deleted_at = now()
 WHERE v.from_files AND v.deleted_at IS NULL
   AND NOT EXISTS (SELECT 1 FROM staged_view AS s WHERE s.code = v.pricing_view_code);

DELETE FROM finops.unit_price AS u
 USING finops.pricing_view AS v
 WHERE v.pricing_view_code = u.pricing_view_code AND v.from_files;

INSERT INTO finops.unit_price (pricing_view_code, product_code, month_from, month_to, currency, unit_price)
SELECT s.pricing_view_code, s.product_code, s.month_from, s.month_to, s.currency, s.unit_price
  FROM staged_price AS s
  JOIN finops.pricing_view AS v ON v.pricing_view_code = s.pricing_view_code AND v.from_files;

-- The rates the files no longer declare, or declare at another value, then the new ones: an
-- unchanged rate is not written, so that the API's caches outlive a run that changed nothing
-- (the rates count in its data version: migration 0029).
DELETE FROM finops.fx_rate AS f
 WHERE NOT EXISTS (SELECT 1 FROM staged_fx AS s
                    WHERE s.month = f.month AND s.from_currency = f.from_currency
                      AND s.to_currency = f.to_currency AND s.rate = f.rate);

INSERT INTO finops.fx_rate (month, from_currency, to_currency, rate)
SELECT month, from_currency, to_currency, rate FROM staged_fx
ON CONFLICT (month, from_currency, to_currency) DO NOTHING;
