ALTER TABLE client_live_counts ADD CONSTRAINT client_live_counts_slot_check CHECK (slot BETWEEN 0 AND 15);

ALTER TABLE audit_logs
    DROP CONSTRAINT audit_logs_names_check,
    ALTER COLUMN action TYPE text,
    ALTER COLUMN outcome TYPE text,
    ALTER COLUMN entity_type TYPE text,
    ALTER COLUMN entity_id TYPE text,
    ALTER COLUMN actor_label TYPE text,
    ALTER COLUMN ip TYPE text,
    ALTER COLUMN user_agent TYPE text,
    ALTER COLUMN request_id TYPE text,
    ADD CONSTRAINT audit_logs_action_check CHECK (length(action) BETWEEN 1 AND 100),
    ADD CONSTRAINT audit_logs_outcome_check CHECK (outcome IN ('success', 'failure')),
    ADD CONSTRAINT audit_logs_entity_type_check CHECK (length(entity_type) BETWEEN 1 AND 100),
    ADD CONSTRAINT audit_logs_entity_id_check CHECK (length(entity_id) <= 100),
    ADD CONSTRAINT audit_logs_actor_label_check CHECK (length(actor_label) <= 320),
    ADD CONSTRAINT audit_logs_ip_check CHECK (length(ip) <= 64),
    ADD CONSTRAINT audit_logs_user_agent_check CHECK (length(user_agent) <= 512),
    ADD CONSTRAINT audit_logs_request_id_check CHECK (length(request_id) <= 128);

ALTER TABLE clients
    ALTER COLUMN status TYPE text,
    ALTER COLUMN preferred_contact_method TYPE text,
    ADD CONSTRAINT clients_status_check
        CHECK (status IN ('pending', 'active', 'inactive', 'suspended', 'archived')),
    ADD CONSTRAINT clients_preferred_contact_method_check
        CHECK (preferred_contact_method IN ('email', 'phone', 'sms', 'whatsapp', 'other'));

DROP DOMAIN audit_outcome;
DROP DOMAIN contact_method;
DROP DOMAIN client_status;
