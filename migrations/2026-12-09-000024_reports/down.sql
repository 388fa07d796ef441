DROP TABLE reports;
DROP DOMAIN report_status;
DROP DOMAIN report_type;
