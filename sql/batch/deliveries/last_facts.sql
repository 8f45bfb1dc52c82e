-- The digest of the facts the source's last load of the month put in the mart (the landing
-- manifest's facts_sha256; NULL for loads audited before migration 0028): a load of the same
-- facts changes nothing the month's allocation, valuation and roll-ups were built from.
SELECT facts_sha256
  FROM finops.load_audit
 WHERE source = %(source)s AND month = %(month)s AND status = 'loaded'
 ORDER BY load_id DESC
 LIMIT 1;
