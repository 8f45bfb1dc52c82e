-- Applies the staged declaration of one referential (temp table `staged`) as of a month, keeping
-- history (docs/design.md invariant 4). {table}, {code} and the attribute columns are filled in
-- by finops_assets/referentials/history.py; %(month)s is the month the declaration takes effect.

-- 1. A current version declared with other attributes, first registered by a load (is_auto) or
--    starting this very month: corrected in place (no earlier month described it differently).
UPDATE {table} AS t SET ({attributes}, is_auto) = ({staged_attributes}, false)
  FROM staged AS s
 WHERE t.{code} = s.code AND t.valid_to IS NULL
   AND (t.is_auto OR t.valid_from = %(month)s)
   AND (({current_attributes}, t.is_auto) IS DISTINCT FROM ({staged_attributes}, false));

-- 2. A current version declared with other attributes, valid since an earlier month: closed at
--    this month, and the new attributes start a new version below.
UPDATE {table} AS t SET valid_to = %(month)s
  FROM staged AS s
 WHERE t.{code} = s.code AND t.valid_to IS NULL AND NOT t.is_auto
   AND t.valid_from < %(month)s
   AND ({current_attributes}) IS DISTINCT FROM ({staged_attributes});

-- 3. New versions: changed codes, codes that come back after a soft delete (a new version, not a
--    resurrection of the old row), and codes never seen (valid since the beginning: nothing
--    described them before).
INSERT INTO {table} ({code}, {attributes}, is_auto, valid_from)
SELECT s.code, {staged_columns}, false,
       CASE WHEN EXISTS (SELECT 1 FROM {table} AS old WHERE old.{code} = s.code)
            THEN %(month)s::date ELSE date '1900-01-01' END
  FROM staged AS s
 WHERE NOT EXISTS (SELECT 1 FROM {table} AS t WHERE t.{code} = s.code AND t.valid_to IS NULL);

-- 4. Declared before, absent now: soft-deleted. Its versions stay, so past months keep
--    reporting under the name they had.
UPDATE {table} AS t
   SET valid_to = greatest(%(month)s::date, (t.valid_from + interval '1 month')::date), deleted_at = now()
 WHERE t.valid_to IS NULL AND NOT t.is_auto
   AND NOT EXISTS (SELECT 1 FROM staged AS s WHERE s.code = t.{code});
