-- Share links of reports: the token's SHA-256 only (the token itself is shown once), an
-- expiry, a permission, revocation, and every opening logged.

CREATE DOMAIN share_permission AS text CHECK (VALUE IN ('view', 'download'));

CREATE TABLE report_shares (
    id                uuid PRIMARY KEY,
    report_id         uuid NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    client_id         uuid NOT NULL REFERENCES clients (id),
    token_hash        bytea NOT NULL CHECK (octet_length(token_hash) = 32),
    permission        share_permission NOT NULL,
    recipient_email   varchar(254),
    expires_at        timestamptz NOT NULL,
    revoked_at        timestamptz,
    access_count      bigint NOT NULL DEFAULT 0,
    last_accessed_at  timestamptz,
    created_by        uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at        timestamptz NOT NULL,
    CHECK (expires_at > created_at),
    CONSTRAINT report_shares_token_key UNIQUE (token_hash)
);
CREATE INDEX report_shares_report ON report_shares (report_id, created_at DESC);

CREATE TABLE report_share_accesses (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    share_id    uuid NOT NULL REFERENCES report_shares (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL,
    ip          varchar(64),
    user_agent  varchar(500),
    format      text NOT NULL CHECK (format IN ('html', 'pdf'))
);
CREATE INDEX report_share_accesses_share ON report_share_accesses (share_id, at DESC, id DESC);
