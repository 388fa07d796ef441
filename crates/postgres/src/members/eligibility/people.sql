-- The facts the eligibility chain reads for each person asked, named by id ($1: staff members'
-- or beneficiaries' ids) or by employee number ($2, $3: each number, lower-cased, with its
-- client): the staff member whose chain answers for them (themselves, or a beneficiary's staff
-- member), their dates, status and status history, their employer, and for a beneficiary
-- their own status and history. Histories in the order they were recorded. No scope here: the
-- caller keeps only the people its scoped search found.
WITH asked (person, staff_id) AS (
    SELECT s.id, s.id FROM staff s WHERE s.id = ANY ($1)
    UNION
    SELECT b.id, b.staff_id FROM beneficiaries b WHERE b.id = ANY ($1)
    UNION
    SELECT s.id, s.id
    FROM unnest($2::uuid[], $3::text[]) AS n (client_id, number)
    JOIN staff s ON s.client_id = n.client_id AND lower(s.employee_number) = n.number
)
SELECT asked.person,
       s.id                                      AS staff_id,
       s.client_id,
       s.status                                  AS staff_status,
       s.employment_start,
       s.employment_end,
       s.deleted_at IS NOT NULL                  AS staff_deleted,
       coalesce(sh.statuses, '{}')               AS staff_statuses,
       coalesce(sh.days, '{}')                   AS staff_days,
       coalesce(sh.ats, '{}')                    AS staff_ats,
       k.status = 'active' AND k.deleted_at IS NULL AS client_active,
       k.created_at                              AS client_created_at,
       b.status                                  AS beneficiary_status,
       b.deleted_at IS NOT NULL                  AS beneficiary_deleted,
       coalesce(bh.statuses, '{}')               AS beneficiary_statuses,
       coalesce(bh.days, '{}')                   AS beneficiary_days,
       coalesce(bh.ats, '{}')                    AS beneficiary_ats
FROM asked
JOIN staff s ON s.id = asked.staff_id
JOIN clients k ON k.id = s.client_id
LEFT JOIN beneficiaries b ON b.id = asked.person AND b.staff_id = s.id
LEFT JOIN LATERAL (
    SELECT array_agg(h.status::text ORDER BY h.at, h.id) AS statuses,
           array_agg(h.effective_on ORDER BY h.at, h.id) AS days,
           array_agg(h.at ORDER BY h.at, h.id) AS ats
    FROM staff_status_changes h WHERE h.staff_id = s.id
) sh ON true
LEFT JOIN LATERAL (
    SELECT array_agg(h.status::text ORDER BY h.at, h.id) AS statuses,
           array_agg(h.effective_on ORDER BY h.at, h.id) AS days,
           array_agg(h.at ORDER BY h.at, h.id) AS ats
    FROM beneficiary_status_changes h WHERE h.beneficiary_id = b.id
) bh ON true
