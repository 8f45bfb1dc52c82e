-- The version of the layer a step reads ({input}: consumption, allocation or valuation), read
-- first in the step's transaction: what the step then reads is this version or newer, so the
-- version it records never claims newer data than it read (a newer one only makes the month
-- look stale until the next run).
SELECT coalesce((SELECT {input} FROM finops.month_publication WHERE month = %(month)s), 0);
