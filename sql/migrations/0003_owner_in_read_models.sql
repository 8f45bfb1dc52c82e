-- The application's owner (a Backstage group ref) in the month valued, so costs group by owner
-- as it was then: an application re-owned in March reports January under its old owner.
-- '' where the application has no owner; functionally dependent on (month, application), so no
-- key changes.
ALTER TABLE finops.cost_by_product ADD COLUMN owner text NOT NULL DEFAULT '';
ALTER TABLE finops.cost_by_application ADD COLUMN owner text NOT NULL DEFAULT '';
