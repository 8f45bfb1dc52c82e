-- What a costs request needs before its query: whether the pricing view exists (soft-deleted
-- views do not), and the first and last months the read models hold for it, the default range.
-- cost_by_application stands for every read model: the roll-ups are rebuilt from cost_by_product
-- month by month, so they hold the same months, and it is the smallest.
SELECT EXISTS (SELECT 1 FROM finops.pricing_view
                WHERE pricing_view_code = %(view)s AND deleted_at IS NULL) AS view_known,
       (SELECT min(month) FROM finops.cost_by_application WHERE pricing_view_code = %(view)s) AS first_month,
       (SELECT max(month) FROM finops.cost_by_application WHERE pricing_view_code = %(view)s) AS last_month;
