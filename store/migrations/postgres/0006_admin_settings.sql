-- Each admin's language and time zone (see ../0006_admin_settings.sql).
ALTER TABLE admins ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE admins ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
