-- The pricing views a client may ask for; soft-deleted views are gone for the API.
SELECT pricing_view_code AS code, name, kind, currency, base_view, description
  FROM finops.pricing_view
 WHERE deleted_at IS NULL
 ORDER BY pricing_view_code;
