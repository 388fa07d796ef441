//! The Advisor REST API's JSON: a `Microsoft.Advisor/recommendations` list (`value[]`), as
//! `GET …/providers/Microsoft.Advisor/recommendations` or Resource Graph answers it, optionally
//! with the `Microsoft.Advisor/advisorScore` list next to it (`advisorScore`), the only
//! source of a real Advisor score besides manual entry.

use std::collections::BTreeMap;
use std::str::FromStr;

use bigdecimal::BigDecimal;
use serde_json::{Map, Value};

use crate::model::{ExportFormat, ProblemKind, Recommendation, RowProblem};
use crate::parse::{Deduplicator, Limits, ParseError, Parsed};
use crate::score::AdvisorScore;
use crate::values;

/// Reads a list response. A problem's `line` is the item's position in `value` (from 1).
pub fn parse_json(bytes: &[u8], limits: Limits) -> Result<(Parsed, Option<AdvisorScore>), ParseError> {
    let document: Value =
        serde_json::from_slice(bytes).map_err(|e| ParseError::Json(format!("is not JSON: {e}")))?;
    let Some(items) = document.get("value").and_then(Value::as_array) else {
        return Err(ParseError::Json(
            "is not an Advisor recommendations list: it has no `value` array".into(),
        ));
    };
    if items.len() as u64 > limits.max_rows {
        return Err(ParseError::TooManyRows(limits.max_rows));
    }
    let score = match document.get("advisorScore").or_else(|| document.get("advisor_score")) {
        None | Some(Value::Null) => None,
        Some(value) => Some(AdvisorScore::from_api(value).map_err(ParseError::Json)?),
    };
    let mut parsed = Parsed {
        format: ExportFormat::ApiJson,
        rows: items.len() as u64,
        recommendations: Vec::new(),
        problems: Vec::new(),
        unknown_columns: Vec::new(),
    };
    let mut dedup = Deduplicator::default();
    for (index, item) in items.iter().enumerate() {
        let position = index as u64 + 1;
        match read_item(item, position, &limits) {
            Ok(recommendation) => match dedup.repeat_of(&recommendation) {
                None => parsed.recommendations.push(recommendation),
                Some(_) => parsed.problems.push(RowProblem {
                    line: position,
                    kind: ProblemKind::Duplicate,
                    column: None,
                    message: "the same finding as an earlier item".into(),
                }),
            },
            Err(problems) => parsed.problems.extend(problems),
        }
    }
    Ok((parsed, score))
}

fn read_item(item: &Value, position: u64, limits: &Limits) -> Result<Recommendation, Vec<RowProblem>> {
    let mut problems = Problems { line: position, list: Vec::new() };
    let empty = Map::new();
    let properties = item.get("properties").and_then(Value::as_object).unwrap_or(&empty);
    let extended = properties.get("extendedProperties").and_then(Value::as_object).unwrap_or(&empty);
    let metadata = properties.get("resourceMetadata").and_then(Value::as_object).unwrap_or(&empty);
    let string = |map: &Map<String, Value>, key: &str| -> Option<String> {
        match map.get(key)? {
            Value::String(text) => Some(text.trim().to_owned()).filter(|t| !t.is_empty()),
            Value::Number(number) => Some(number.to_string()),
            _ => None,
        }
    };

    let category = values::category(&string(properties, "category").unwrap_or_default());
    let impact = values::impact(&string(properties, "impact").unwrap_or_default());
    let short = properties.get("shortDescription").and_then(Value::as_object).unwrap_or(&empty);
    let recommendation = problems.bounded(
        "shortDescription.problem",
        string(short, "problem").or_else(|| string(properties, "description")),
        limits.max_long_text,
    );
    let resource_id = string(metadata, "resourceId").or_else(|| {
        let id = string(&item.as_object().cloned().unwrap_or_default(), "id")?;
        id.split("/providers/Microsoft.Advisor/").next().map(str::to_owned)
    });
    let subscription_id = string(extended, "subscriptionId")
        .or_else(|| resource_id.as_deref().and_then(|id| segment(id, "subscriptions")));
    let resource_group = resource_id
        .as_deref()
        .and_then(|id| segment(id, "resourceGroups"))
        .or_else(|| Some("No resource group".to_owned()));
    let annual = decimal(extended, "annualSavingsAmount");
    let monthly = decimal(extended, "savingsAmount");
    let annual_savings = match (annual, monthly) {
        (Ok(Some(annual)), _) => Some(annual),
        (Ok(None), Ok(Some(monthly))) => Some(monthly * BigDecimal::from(12)),
        (Err(message), _) => {
            problems.add("extendedProperties.annualSavingsAmount", message);
            None
        }
        (_, Err(message)) => {
            problems.add("extendedProperties.savingsAmount", message);
            None
        }
        _ => None,
    };
    let currency = match string(extended, "savingsCurrency").map(|c| values::currency(&c)).transpose() {
        Ok(code) => code.flatten(),
        Err(message) => {
            problems.add("extendedProperties.savingsCurrency", message);
            None
        }
    };
    if annual_savings.is_some() && currency.is_none() {
        problems.add("extendedProperties.savingsCurrency", "is required with a saving".into());
    }
    let updated_at = match string(properties, "lastUpdated").map(|t| values::timestamp(&t)).transpose() {
        Ok(at) => at.flatten(),
        Err(message) => {
            problems.add("lastUpdated", message);
            None
        }
    };
    let retirement_date = match string(extended, "retirementDate").map(|t| values::date(&t)).transpose() {
        Ok(day) => day.flatten(),
        Err(message) => {
            problems.add("extendedProperties.retirementDate", message);
            None
        }
    };
    let max = limits.max_text;
    let resource_name = problems.bounded("impactedValue", string(properties, "impactedValue"), max);
    let resource_type = problems.bounded(
        "impactedField",
        string(metadata, "singular").or_else(|| string(properties, "impactedField")),
        max,
    );
    let potential_benefits =
        problems.bounded("potentialBenefits", string(properties, "potentialBenefits"), limits.max_long_text);
    let retiring_feature =
        problems.bounded("retirementFeatureName", string(extended, "retirementFeatureName"), max);
    let recommendation_type_id =
        problems.bounded("recommendationTypeId", string(properties, "recommendationTypeId"), max);
    let external_id =
        problems.bounded("name", item.get("name").and_then(Value::as_str).map(str::to_owned), max);
    let resource_id = problems.bounded("resourceMetadata.resourceId", resource_id, max);
    let term = string(extended, "term");
    let lookback_days = string(extended, "lookbackPeriod");
    let mut extra = BTreeMap::new();
    for key in [
        "currentSku",
        "targetSku",
        "recommendedSkuName",
        "region",
        "regionId",
        "displaySKU",
        "displayQty",
        "reservedResourceType",
        "control",
        "risk",
    ] {
        let value = string(extended, key).or_else(|| string(properties, key));
        if let Some(value) = value.filter(|v| v.chars().count() <= max) {
            extra.insert(key.to_owned(), value);
        }
    }
    let category = category.map_err(|m| problems.add("category", m)).ok();
    let impact = impact.map_err(|m| problems.add("impact", m)).ok();
    if recommendation.is_none() && !problems.names("shortDescription.problem") {
        problems.add("shortDescription.problem", "is required".into());
    }
    let (Some(category), Some(impact), Some(recommendation), true) =
        (category, impact, recommendation, problems.list.is_empty())
    else {
        return Err(problems.list);
    };
    let commitment = term.is_some() || extended.contains_key("reservedResourceType");
    let alternative = values::alternative_in(&recommendation)
        .or_else(|| commitment.then_some(crate::model::Alternative::ReservedInstance));
    Ok(Recommendation {
        line: None,
        category,
        impact,
        recommendation,
        subscription_id,
        subscription_name: None,
        resource_group,
        resource_name,
        resource_type,
        resource_id,
        updated_at,
        potential_benefits,
        annual_savings,
        currency,
        carbon_reduction: None,
        billing_increase: None,
        billing_known: false,
        change_description: None,
        retirement_date,
        retiring_feature,
        advisor_score_impact: None,
        recommendation_type_id,
        external_id,
        alternative,
        term,
        lookback_days,
        extra,
        manual: false,
    })
}

/// An item's problems, each naming the property at fault.
struct Problems {
    line: u64,
    list: Vec<RowProblem>,
}

impl Problems {
    fn add(&mut self, column: &str, message: String) {
        self.list.push(RowProblem {
            line: self.line,
            kind: ProblemKind::Rejected,
            column: Some(column.to_owned()),
            message,
        });
    }

    fn names(&self, column: &str) -> bool {
        self.list.iter().any(|p| p.column.as_deref() == Some(column))
    }

    /// `value` unless it is longer than `max` characters (then a problem).
    fn bounded(&mut self, column: &str, value: Option<String>, max: usize) -> Option<String> {
        match value {
            Some(text) if text.chars().count() > max => {
                self.add(column, format!("is longer than {max} characters"));
                None
            }
            other => other,
        }
    }
}

/// An amount the API writes as a string (or a number).
fn decimal(map: &Map<String, Value>, key: &str) -> Result<Option<BigDecimal>, String> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => values::amount(text),
        Some(Value::Number(number)) => {
            let text = number.to_string();
            if text.contains(['e', 'E']) {
                return BigDecimal::from_str(&text)
                    .map(Some)
                    .map_err(|_| format!("is not an amount: {text}"));
            }
            values::amount(&text)
        }
        Some(_) => Err("is not an amount".into()),
    }
}

/// The segment after `name` in an ARM id (`/subscriptions/{id}/resourceGroups/{rg}/…`).
fn segment(id: &str, name: &str) -> Option<String> {
    let mut parts = id.split('/');
    while let Some(part) = parts.next() {
        if part.eq_ignore_ascii_case(name) {
            return parts.next().filter(|s| !s.is_empty()).map(str::to_owned);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Alternative, Category};

    const SAMPLE: &str = include_str!("../tests/samples/advisor_api_sample.json");

    #[test]
    fn the_sample_list_reads_into_canonical_recommendations() {
        let (parsed, score) = parse_json(SAMPLE.as_bytes(), Limits::default()).unwrap();
        assert_eq!(score, None);
        assert_eq!((parsed.rows, parsed.recommendations.len(), parsed.problems.len()), (3, 3, 0));
        let [resize, reservation, retirement] = parsed.recommendations.as_slice() else { panic!() };
        assert_eq!(resize.category, Category::Cost);
        assert_eq!(resize.annual_savings, Some(BigDecimal::from(6684)));
        assert_eq!(resize.currency.as_deref(), Some("USD"));
        assert_eq!(resize.resource_group.as_deref(), Some("rg-prod-app"));
        assert_eq!(resize.resource_type.as_deref(), Some("Virtual machine"));
        assert_eq!(resize.subscription_id.as_deref(), Some("5f0c2a4e-8b1d-4c3a-9e27-1a2b3c4d5e6f"));
        assert_eq!(resize.extra.get("targetSku").map(String::as_str), Some("Standard_D4s_v3"));
        assert_eq!(reservation.alternative, Some(Alternative::ReservedInstance));
        assert_eq!(reservation.term.as_deref(), Some("P3Y"));
        assert_eq!(reservation.resource_group.as_deref(), Some("No resource group"));
        assert_eq!(retirement.category, Category::Reliability, "HighAvailability");
        assert_eq!(retirement.retirement_date, Some(time::macros::date!(2025 - 09 - 30)));
    }

    #[test]
    fn a_monthly_saving_alone_is_made_annual_and_bad_items_are_named_by_position() {
        let body = r#"{"value":[
            {"name":"a","properties":{"category":"Cost","impact":"Low","shortDescription":{"problem":"Delete idle IP"},
             "extendedProperties":{"savingsAmount":"10.5","savingsCurrency":"EUR"}}},
            {"name":"b","properties":{"category":"Sustainability","impact":"Huge"}},
            {"name":"c","properties":{"category":"Cost","impact":"High","shortDescription":{"problem":"x"},
             "extendedProperties":{"annualSavingsAmount":"12"}}}
        ]}"#;
        let (parsed, _) = parse_json(body.as_bytes(), Limits::default()).unwrap();
        assert_eq!(parsed.recommendations[0].annual_savings, Some(BigDecimal::from_str("126.0").unwrap()));
        let lines: Vec<(u64, Option<&str>)> =
            parsed.problems.iter().map(|p| (p.line, p.column.as_deref())).collect();
        assert_eq!(
            lines,
            [
                (2, Some("category")),
                (2, Some("impact")),
                (2, Some("shortDescription.problem")),
                (3, Some("extendedProperties.savingsCurrency")),
            ]
        );
    }

    #[test]
    fn a_document_that_is_not_a_list_is_refused_whole() {
        for body in ["", "[]", "{\"values\":[]}", "{\"value\":{}}", "nul"] {
            assert!(
                matches!(parse_json(body.as_bytes(), Limits::default()), Err(ParseError::Json(_))),
                "{body}"
            );
        }
        let limits = Limits { max_rows: 1, ..Limits::default() };
        assert_eq!(parse_json(SAMPLE.as_bytes(), limits).map(|_| ()), Err(ParseError::TooManyRows(1)));
    }
}
