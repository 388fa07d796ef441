DROP TABLE audit_chain;
DROP TABLE audit_logs;
DROP FUNCTION audit_refuse_change();
