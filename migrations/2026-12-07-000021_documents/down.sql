DROP TABLE documents;
DROP FUNCTION document_status_on(text, date, date);
ALTER TABLE contracts DROP CONSTRAINT contracts_id_client_key;
DROP DOMAIN file_kind;
DROP DOMAIN document_status;
DROP DOMAIN document_type;
