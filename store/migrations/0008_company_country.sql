-- LINE's fifth Business Manager link requirement: the MINI App channel's
-- "Company or owner's country or region" and the organization's
-- "Company/business owner's country or region" match.
--
-- A MINI App's value is set when the channel is created and changes only
-- through a MINI App review request, so it has a published and a draft
-- copy like the business information. Other kinds have none (''). An
-- organization's is part of its business info.
ALTER TABLE channels ADD COLUMN published_company_country TEXT NOT NULL DEFAULT '' CHECK (published_company_country IN ('', 'JP', 'TW', 'TH'));
ALTER TABLE channels ADD COLUMN draft_company_country TEXT NOT NULL DEFAULT '' CHECK (draft_company_country IN ('', 'JP', 'TW', 'TH'));
ALTER TABLE organizations ADD COLUMN company_country TEXT NOT NULL DEFAULT '' CHECK (company_country IN ('', 'JP', 'TW', 'TH'));

-- Existing rows: LINE makes a MINI App's creator warrant that the service
-- company's country or region is the region where the service is provided,
-- so a MINI App's value is its service region. An organization's is taken
-- to be its region (docs/decisions.md).
UPDATE channels SET published_company_country = region, draft_company_country = region WHERE kind = 'mini_app';
UPDATE organizations SET company_country = region;

-- A verified organization's business info, now with its country or region,
-- never changes.
DROP TRIGGER organizations_verified_info_is_final;
CREATE TRIGGER organizations_verified_info_is_final
BEFORE UPDATE OF company_name, address, company_country ON organizations
WHEN OLD.verification = 'verified'
  AND (NEW.company_name IS NOT OLD.company_name OR NEW.address IS NOT OLD.address OR NEW.company_country IS NOT OLD.company_country)
BEGIN
    SELECT RAISE(ABORT, 'the business info of a verified organization never changes');
END;
