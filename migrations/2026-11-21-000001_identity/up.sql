-- Users, profiles, login sessions (refresh-token families) and login throttling.

CREATE TABLE users (
    id              uuid PRIMARY KEY,
    email           text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    first_name      text NOT NULL DEFAULT '' CHECK (length(first_name) <= 150),
    last_name       text NOT NULL DEFAULT '' CHECK (length(last_name) <= 150),
    status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'disabled')),
    role            text NOT NULL DEFAULT 'viewer' CHECK (role IN ('admin', 'manager', 'analyst', 'viewer')),
    password_hash   text,
    last_login_at   timestamptz,
    authz_ver       integer NOT NULL DEFAULT 1,
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
-- Emails are stored lower-cased, so a plain unique index is case-insensitive.
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_role_status_idx ON users (role, status);

CREATE TABLE profiles (
    user_id         uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    full_name       text NOT NULL DEFAULT '' CHECK (length(full_name) <= 255),
    phone           text CHECK (length(phone) <= 50),
    image_url       text CHECK (length(image_url) <= 2048),
    bio             text CHECK (length(bio) <= 5000),
    date_of_birth   date,
    gender          text CHECK (length(gender) <= 20),
    language        text NOT NULL DEFAULT 'en' CHECK (length(language) BETWEEN 2 AND 10),
    timezone        text NOT NULL DEFAULT 'UTC' CHECK (length(timezone) BETWEEN 1 AND 50),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- One row per login: the refresh-token family. `id` is the `sid` claim of access tokens.
CREATE TABLE auth_sessions (
    id                   uuid PRIMARY KEY,
    user_id              uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at           timestamptz NOT NULL,
    last_used_at         timestamptz NOT NULL,
    idle_expires_at      timestamptz NOT NULL,
    absolute_expires_at  timestamptz NOT NULL,
    revoked_at           timestamptz,
    revoked_reason       text CHECK (revoked_reason IN ('logout', 'reuse', 'admin', 'user_disabled')),
    ip                   text,
    user_agent           text
);
CREATE INDEX auth_sessions_user_idx ON auth_sessions (user_id, created_at DESC);

-- Refresh tokens are opaque; only their SHA-256 is stored.
CREATE TABLE refresh_tokens (
    token_hash   bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    session_id   uuid NOT NULL REFERENCES auth_sessions (id) ON DELETE CASCADE,
    issued_at    timestamptz NOT NULL,
    used_at      timestamptz
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);

-- Failed-login counters, one row per throttled subject ("account:<email>" or "ip:<addr>").
CREATE TABLE login_throttle (
    subject          text PRIMARY KEY,
    failures         integer NOT NULL,
    last_failure_at  timestamptz NOT NULL,
    blocked_until    timestamptz
);
