-- Each admin's language and time zone (issue 10). Empty means not chosen:
-- the language then comes from the browser, and the time zone from the
-- language (Asia/Tokyo for Japanese, Asia/Bangkok for Thai, else UTC).
ALTER TABLE admins ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE admins ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
