-- Documents: files kept about clients and contracts. The file lives in the blob store under a
-- generated key; the row says what it is. Versions of one document form a chain (`chain_id`,
-- the first version's id) with exactly one latest.

CREATE DOMAIN document_type AS text CHECK (VALUE IN (
    'contract', 'certification', 'kpi_report', 'feedback_summary', 'billing_report',
    'utilization_report', 'advisor_report', 'other'));
CREATE DOMAIN document_status AS text CHECK (VALUE IN ('draft', 'published', 'archived', 'expired'));
CREATE DOMAIN file_kind AS text CHECK (VALUE IN ('pdf', 'png', 'jpeg', 'doc', 'xls', 'docx', 'xlsx', 'csv'));

-- A document names its contract together with its client, so the contract is that client's.
ALTER TABLE contracts ADD CONSTRAINT contracts_id_client_key UNIQUE (id, client_id);

CREATE TABLE documents (
    id                   uuid PRIMARY KEY,
    chain_id             uuid NOT NULL,
    version_number       integer NOT NULL CHECK (version_number >= 1),
    previous_version_id  uuid REFERENCES documents (id),
    is_latest            boolean NOT NULL,
    title                varchar(255) NOT NULL,
    description          varchar(2000),
    doc_type             document_type NOT NULL,
    status               document_status NOT NULL,
    expiry_date          date,
    confidential         boolean NOT NULL,
    tags                 text[] NOT NULL CHECK (cardinality(tags) <= 20 AND array_position(tags, NULL) IS NULL),
    client_id            uuid REFERENCES clients (id),
    contract_id          uuid,
    file_key             varchar(200) NOT NULL,
    file_name            varchar(255) NOT NULL,
    file_kind            file_kind NOT NULL,
    size                 bigint NOT NULL CHECK (size > 0),
    sha256               varchar(64) NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    uploaded_by          uuid REFERENCES users (id) ON DELETE SET NULL,
    version              integer NOT NULL,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    deleted_at           timestamptz,
    CONSTRAINT documents_contract_of_client FOREIGN KEY (contract_id, client_id)
        REFERENCES contracts (id, client_id),
    CHECK (contract_id IS NULL OR client_id IS NOT NULL),
    CHECK ((version_number = 1) = (previous_version_id IS NULL)),
    CHECK ((version_number = 1) = (chain_id = id))
);

CREATE UNIQUE INDEX documents_file_key ON documents (file_key);
CREATE UNIQUE INDEX documents_one_latest ON documents (chain_id) WHERE is_latest;
CREATE UNIQUE INDEX documents_chain_version ON documents (chain_id, version_number);
-- The default list order, and a client's documents.
CREATE INDEX documents_created ON documents (created_at DESC, id DESC);
CREATE INDEX documents_client ON documents (client_id, created_at DESC);
-- The daily expiry: drafts and published documents by their expiry date.
CREATE INDEX documents_expiring ON documents (expiry_date)
    WHERE status IN ('draft', 'published') AND deleted_at IS NULL;
CREATE INDEX documents_search ON documents
    USING gin ((title || ' ' || coalesce(description, '') || ' ' || file_name) gin_trgm_ops);

-- A document's status on a day: a draft or published document whose expiry date is before the
-- day is expired. The one rule every filter reads (Document::status_on in the domain crate).
CREATE FUNCTION document_status_on(status text, expiry_date date, day date) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN status IN ('draft', 'published') AND expiry_date < day THEN 'expired' ELSE status END
$$;

-- The document list remembers its totals like the other lists.
CREATE TRIGGER documents_list_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON documents
    FOR EACH STATEMENT EXECUTE FUNCTION list_changed();
