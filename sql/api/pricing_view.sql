-- One pricing view; a soft-deleted view is gone for the API.
SELECT pricing_view_code AS code, name, kind, currency, base_view, description
  FROM finops.pricing_view
 WHERE pricing_view_code = %(code)s AND deleted_at IS NULL;
