-- Whether the application has any cost in the month under `actual` (of the product, when the
-- explanation is of one), direct or allocated: an explanation without shares then means all
-- its costs are direct, else that it has none. Read from cost_by_product, as the shares' costs
-- are (its (view, application) index).
SELECT EXISTS (SELECT 1
                 FROM finops.cost_by_product
                WHERE month = %(month)s AND pricing_view_code = 'actual'
                  AND application_code = %(application)s
                  AND (%(product)s::text IS NULL OR product_code = %(product)s)) AS has_cost;
