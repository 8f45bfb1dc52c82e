-- Why a (source, month) may not be archived, one row per reason; no row: it may be.
-- held: its last delivery attempt was held by validation (or failed) after the load the mart
-- holds, so the landing may be what `--accept-held` needs next; stale: its mart layers were
-- built from different loads (finops.month_publication), so a run has still to finish; not
-- loaded: the mart holds no load of it, so it is not this landing's mart (FINOPS_DATABASE_URL
-- names another), or the month never went in: its landing is all there is of it.
-- %(source)s, %(month)s.
SELECT 'held' AS blocker,
       'its last delivery attempt was ' || a.status || ' (' || a.reason || ')' AS reason
  FROM (SELECT status, reason FROM finops.load_audit
         WHERE source = %(source)s AND month = %(month)s
         ORDER BY load_id DESC LIMIT 1) AS a
 WHERE a.status <> 'loaded'
UNION ALL
SELECT 'stale',
       'its mart layers disagree (versions: consumption ' || p.consumption_version
       || ', allocation ' || p.allocation_version || ', valuation ' || p.valuation_version
       || ', read models ' || p.cost_views_version || ')'
  FROM finops.month_publication AS p
 WHERE p.month = %(month)s
   AND NOT (p.consumption_version = p.allocation_version
            AND p.allocation_version = p.valuation_version
            AND p.valuation_version = p.cost_views_version)
UNION ALL
SELECT 'not loaded',
       'the mart holds no load of it: is FINOPS_DATABASE_URL the mart of this landing?'
 WHERE NOT EXISTS (SELECT 1 FROM finops.load_audit
                    WHERE source = %(source)s AND month = %(month)s AND status = 'loaded');
