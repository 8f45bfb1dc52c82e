-- Beside the families a valuation rewrote, the pricing views it rewrote them in (NULL: every
-- view). A bill re-issued with corrected costs, its quantities as they were, is valued again
-- under `actual` and `actual-rate` alone, its rate-card rows kept; the roll-ups then rebuild
-- those views' rows of the families, not every view's (finops_assets/mart/read_models.py).
ALTER TABLE finops.revalued_families ADD COLUMN pricing_view_codes text[];
