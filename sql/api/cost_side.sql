-- One side of a costs request: the rows of one pricing view over a month range, grouped by the
-- requested keys, as numerics for the statements that embed it (api/costs.sql,
-- api/costs_compare.sql, api/costs_variance.sql) to finish.
-- A template for psycopg.sql (finops_api/costs/services.py): the brace placeholders take only
-- identifiers from a fixed list and fixed fragments, never client text; values are bind
-- parameters. The read model is aliased r, so that the keys below are its columns.
--
-- A quantity is given only when every row of the group has the same unit, as summing
-- vCPU-hours with GB-months means nothing; units lists the group's units, sorted (one or more):
-- those of its rows when they all have the same (one roll-up row a group is common), else the
-- rows' units joined as text (U+001F between them) and split once for the group, as an
-- aggregate with DISTINCT would sort every group's rows, and one over arrays copy its array on
-- each row.
-- cost sums the priced rows; priced says whether every row is, and the statements above give no
-- cost for a group that is not: a sum that skips unpriced rows would be a silent undercount.
-- Converted into one currency (in_currency), each row's cost is taken times its month's FX rate
-- (api/costs_fx_rate.sql, among the joins) and the currency key is that currency; a row without
-- a rate is not priced (the API refuses such a request first: api/missing_fx_rates.sql).
SELECT {select_keys},
       CASE WHEN min({unit_min}) = max({unit_max}) THEN min({unit_min}) END AS unit,
       CASE WHEN min({unit_min}) = max({unit_max}) THEN sum(r.quantity) END AS quantity,
       CASE WHEN min({unit_min}) = max({unit_max}) THEN ARRAY[min({unit_min})]
            WHEN min({units}) = max({units}) THEN min({units})
            ELSE finops.units_sorted(string_to_array(string_agg(array_to_string({units}, E'\x1f'), E'\x1f'),
                                                     E'\x1f')) END AS units,
       sum({cost}) AS cost,
       bool_and({priced}) AS priced
  FROM {read_model} AS r
  {joins}
 WHERE r.pricing_view_code = {read_view}
   AND r.month BETWEEN {first_month} AND {last_month}
   {filters}
 GROUP BY {group_keys}
