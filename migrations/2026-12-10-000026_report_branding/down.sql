DROP TABLE client_logos;
ALTER TABLE reports DROP CONSTRAINT reports_template_fkey, DROP COLUMN template_revision, DROP COLUMN template_id;
DROP TABLE report_template_revisions;
DROP TABLE report_templates;
