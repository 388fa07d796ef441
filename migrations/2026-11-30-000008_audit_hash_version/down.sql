-- Version 2 links cannot be checked without this column: refuse rather than lose them.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM audit_chain WHERE hash_version <> 1) THEN
        RAISE EXCEPTION 'audit_chain holds version 2 links; reverting would make them unverifiable';
    END IF;
END;
$$;
ALTER TABLE audit_chain DROP COLUMN hash_version;
