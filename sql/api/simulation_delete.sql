-- Soft-deletes a simulation; the answer tells a missing view from one that is not a simulation.
WITH deleted AS (
    UPDATE finops.pricing_view SET deleted_at = now()
     WHERE pricing_view_code = %(code)s AND deleted_at IS NULL AND kind = 'simulation'
    RETURNING pricing_view_code
)
SELECT EXISTS (SELECT 1 FROM deleted) AS deleted,
       (SELECT kind FROM finops.pricing_view
         WHERE pricing_view_code = %(code)s AND deleted_at IS NULL) AS kind;
