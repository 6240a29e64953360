-- The company country or region of MINI App channels and organizations
-- (see ../0008_company_country.sql).
ALTER TABLE channels ADD COLUMN published_company_country TEXT NOT NULL DEFAULT '' CHECK (published_company_country IN ('', 'JP', 'TW', 'TH'));
ALTER TABLE channels ADD COLUMN draft_company_country TEXT NOT NULL DEFAULT '' CHECK (draft_company_country IN ('', 'JP', 'TW', 'TH'));
ALTER TABLE organizations ADD COLUMN company_country TEXT NOT NULL DEFAULT '' CHECK (company_country IN ('', 'JP', 'TW', 'TH'));

UPDATE channels SET published_company_country = region, draft_company_country = region WHERE kind = 'mini_app';
UPDATE organizations SET company_country = region;

DROP TRIGGER organizations_verified_info_is_final ON organizations;
CREATE TRIGGER organizations_verified_info_is_final
BEFORE UPDATE OF company_name, address, company_country ON organizations
FOR EACH ROW
WHEN (OLD.verification = 'verified' AND (NEW.company_name IS DISTINCT FROM OLD.company_name OR NEW.address IS DISTINCT FROM OLD.address
  OR NEW.company_country IS DISTINCT FROM OLD.company_country))
EXECUTE FUNCTION refuse('the business info of a verified organization never changes');
