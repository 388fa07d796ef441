-- One batch of an import's recommendations ($3 … $33, one array per column) stored with the
-- finding each one is, found by its key's hash ($3): new findings are created (open when the
-- import $2 is the client's newest snapshot, $35; else resolved, as the newest export does not
-- have them), existing ones take the newest snapshot's figures and reopen if they were resolved.
WITH input AS (
    SELECT *
    FROM unnest($3::uuid[], $4::int[], $5::text[], $6::text[], $7::smallint[], $8::text[], $9::text[],
                $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::timestamptz[],
                $16::text[], $17::numeric[], $18::text[], $19::text[], $20::text[], $21::boolean[],
                $22::text[], $23::date[], $24::text[], $25::numeric[], $26::text[], $27::text[],
                $28::text[], $29::text[], $30::text[], $31::jsonb[], $32::boolean[], $33::uuid[])
        AS r (key_hash, line, category, impact, impact_rank, recommendation, subscription_id,
              subscription_name, resource_group, resource_name, resource_type, resource_id, updated_at,
              potential_benefits, annual_savings, currency, carbon_reduction, billing_increase,
              billing_known, change_description, retirement_date, retiring_feature,
              advisor_score_impact, recommendation_type_id, external_id, alternative, term,
              lookback_days, extra, manual, new_finding_id)
),
findings AS (
    INSERT INTO advisor_findings AS f (id, client_id, key_hash, category, impact, recommendation,
        resource_name, resource_type, subscription_id, annual_savings, currency, status,
        last_import_id, resolved_at, created_at, updated_at, version)
    SELECT new_finding_id, $1, key_hash, category, impact, recommendation, resource_name, resource_type,
           subscription_id, annual_savings, currency, CASE WHEN $35 THEN 'open' ELSE 'resolved' END, $2,
           CASE WHEN $35 THEN NULL ELSE $34::timestamptz END, $34, $34, 1
    FROM input
    ON CONFLICT (client_id, key_hash) DO UPDATE SET
        impact = CASE WHEN $35 THEN excluded.impact ELSE f.impact END,
        recommendation = CASE WHEN $35 THEN excluded.recommendation ELSE f.recommendation END,
        annual_savings = CASE WHEN $35 THEN excluded.annual_savings ELSE f.annual_savings END,
        currency = CASE WHEN $35 THEN excluded.currency ELSE f.currency END,
        last_import_id = CASE WHEN $35 THEN excluded.last_import_id ELSE f.last_import_id END,
        status = CASE WHEN $35 AND f.status = 'resolved' THEN 'open' ELSE f.status END,
        resolved_at = CASE WHEN $35 AND f.status = 'resolved' THEN NULL ELSE f.resolved_at END,
        version = f.version + CASE WHEN $35 AND f.status = 'resolved' THEN 1 ELSE 0 END,
        updated_at = CASE WHEN $35 THEN excluded.updated_at ELSE f.updated_at END
    RETURNING f.id, f.key_hash
)
INSERT INTO advisor_recommendations (import_id, finding_id, line, category, impact, impact_rank,
    recommendation, subscription_id, subscription_name, resource_group, resource_name, resource_type,
    resource_id, updated_at, potential_benefits, annual_savings, currency, carbon_reduction, billing_increase,
    billing_known, change_description, retirement_date, retiring_feature, advisor_score_impact,
    recommendation_type_id, external_id, alternative, term, lookback_days, extra, manual)
SELECT $2, findings.id, line, category, impact, impact_rank, recommendation,
       subscription_id, subscription_name, resource_group, resource_name, resource_type, resource_id,
       updated_at, potential_benefits, annual_savings, currency, carbon_reduction, billing_increase,
       billing_known, change_description, retirement_date, retiring_feature, advisor_score_impact,
       recommendation_type_id, external_id, alternative, term, lookback_days, extra, manual
FROM input JOIN findings ON findings.key_hash = input.key_hash
