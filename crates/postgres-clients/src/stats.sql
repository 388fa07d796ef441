-- The counts of one client ($1), in one snapshot. In force: the statuses in $2
-- (`contracts::IN_FORCE`); in service: staff active or on leave (as `staff_chain` reads them),
-- beneficiaries active.
SELECT
    (SELECT count(*) FROM contracts WHERE client_id = $1 AND deleted_at IS NULL) AS contracts_total,
    (SELECT count(*) FROM contracts
      WHERE client_id = $1 AND deleted_at IS NULL AND status = ANY($2)) AS contracts_active,
    (SELECT count(*) FROM staff
      WHERE client_id = $1 AND deleted_at IS NULL AND status IN ('active', 'on_leave')) AS staff,
    (SELECT count(*) FROM beneficiaries
      WHERE client_id = $1 AND deleted_at IS NULL AND status = 'active') AS beneficiaries,
    (SELECT count(*) FROM client_subscriptions WHERE client_id = $1) AS subscriptions,
    (SELECT count(*) FROM client_contacts WHERE client_id = $1 AND deleted_at IS NULL) AS contacts,
    (SELECT count(*) FROM client_activities WHERE client_id = $1 AND deleted_at IS NULL) AS activities
