INSERT INTO finops.simulation_adjustment
    (pricing_view_code, position, scope_level, scope_code, month_from, month_to, kind, value)
VALUES (%(code)s, %(position)s, %(scope_level)s, %(scope_code)s, %(month_from)s, %(month_to)s, %(kind)s,
        %(value)s);
