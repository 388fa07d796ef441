-- One batch of an import's ($1) recommendations, one array per column ($2 … $31). A row names
-- its finding by the id derived from the client and its natural key ($2): nothing else is
-- written for a snapshot (see advisor_findings).
INSERT INTO advisor_recommendations (import_id, finding_id, line, category, impact, impact_rank,
    recommendation, subscription_id, subscription_name, resource_group, resource_name, resource_type,
    resource_id, updated_at, potential_benefits, annual_savings, currency, carbon_reduction, billing_increase,
    billing_known, change_description, retirement_date, retiring_feature, advisor_score_impact,
    recommendation_type_id, external_id, alternative, term, lookback_days, extra, manual)
SELECT $1, r.*
FROM unnest($2::uuid[], $3::int[], $4::text[], $5::text[], $6::smallint[], $7::text[], $8::text[],
            $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::timestamptz[],
            $15::text[], $16::numeric[], $17::text[], $18::text[], $19::text[], $20::boolean[],
            $21::text[], $22::date[], $23::text[], $24::numeric[], $25::text[], $26::text[],
            $27::text[], $28::text[], $29::text[], $30::jsonb[], $31::boolean[])
    AS r (finding_id, line, category, impact, impact_rank, recommendation, subscription_id,
          subscription_name, resource_group, resource_name, resource_type, resource_id, updated_at,
          potential_benefits, annual_savings, currency, carbon_reduction, billing_increase,
          billing_known, change_description, retirement_date, retiring_feature,
          advisor_score_impact, recommendation_type_id, external_id, alternative, term,
          lookback_days, extra, manual)
