DROP FUNCTION member_search_text(text, text, text, text, text);
DROP TABLE member_import_rows;
DROP TABLE member_imports;
DROP DOMAIN member_import_outcome;
DROP DOMAIN member_import_status;
DROP DOMAIN member_import_mode;
