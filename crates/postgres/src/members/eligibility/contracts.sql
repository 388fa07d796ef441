-- The live contracts that end on or after day $3 of the clients of the people asked ($1:
-- staff members' or beneficiaries' ids) and of the clients $2 (those named with an employee
-- number), each with its status history (in the order it was recorded): what decides cover on
-- that day and after it.
WITH asked_clients (client_id) AS (
    SELECT s.client_id FROM staff s WHERE s.id = ANY ($1)
    UNION
    SELECT b.client_id FROM beneficiaries b WHERE b.id = ANY ($1)
    UNION
    SELECT unnest($2::uuid[])
)
SELECT c.id,
       c.client_id,
       c.number,
       c.start_date,
       c.end_date,
       coalesce(ch.statuses, '{}') AS statuses,
       coalesce(ch.days, '{}')     AS days,
       coalesce(ch.ats, '{}')      AS ats
FROM contracts c
LEFT JOIN LATERAL (
    SELECT array_agg(h.status::text ORDER BY h.at, h.id) AS statuses,
           array_agg(h.effective_on ORDER BY h.at, h.id) AS days,
           array_agg(h.at ORDER BY h.at, h.id) AS ats
    FROM contract_status_changes h WHERE h.contract_id = c.id
) ch ON true
WHERE c.client_id IN (SELECT client_id FROM asked_clients) AND c.deleted_at IS NULL AND c.end_date >= $3
ORDER BY c.client_id, c.start_date, c.id
