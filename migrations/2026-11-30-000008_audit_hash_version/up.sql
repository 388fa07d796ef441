-- Each link records how its hash input was encoded. Links sealed so far used version 1
-- (parsed content re-encoded); from now on links use version 2 (the stored text of every
-- column), which any row can be sealed with.
ALTER TABLE audit_chain ADD COLUMN hash_version smallint NOT NULL DEFAULT 1
    CHECK (hash_version IN (1, 2));
ALTER TABLE audit_chain ALTER COLUMN hash_version DROP DEFAULT;
