-- The live contracts of the clients $1 that end on or after day $2, each with its status
-- history (oldest first, as recorded): what decides cover on that day and after it.
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
WHERE c.client_id = ANY ($1) AND c.deleted_at IS NULL AND c.end_date >= $2
ORDER BY c.client_id, c.start_date, c.id
