DROP TABLE report_share_accesses;
DROP TABLE report_shares;
DROP DOMAIN share_permission;
