//! The Advisor score as Microsoft computes it, taken from where it exists — the API's
//! `Microsoft.Advisor/advisorScore` list, or a consultant typing in what the portal shows.
//! Neither the CSV nor the recommendations carry it, and axis never invents one.

use std::str::FromStr;

use bigdecimal::BigDecimal;
use serde_json::Value;
use time::Date;

use crate::model::Category;

axis_kernel::string_enum! {
    /// Where a score came from.
    pub enum ScoreSource { Api => "api", Manual => "manual" }
}

/// One category's score.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryScore {
    pub category: Category,
    /// 0–100, decimal text.
    pub score: String,
}

/// A score of 0–100 overall and, when known, per category.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdvisorScore {
    /// 0–100, decimal text.
    pub overall: Option<String>,
    pub by_category: Vec<CategoryScore>,
    /// The day Microsoft last refreshed it (the API says; manual entry may).
    pub refreshed_on: Option<Date>,
    pub source: ScoreSource,
}

impl AdvisorScore {
    /// A consultant's entry: `overall` as the portal shows it (0–100).
    pub fn manual(overall: &str) -> Result<AdvisorScore, String> {
        Ok(AdvisorScore {
            overall: Some(percent(overall)?),
            by_category: Vec::new(),
            refreshed_on: None,
            source: ScoreSource::Manual,
        })
    }

    /// The API's list (`{"value": [{"name": "Advisor", "properties": {"lastRefreshedScore":
    /// {"score": 65, "date": "…"}}}, {"name": "Cost", …}]}`), its `value` array, or a bare number.
    pub fn from_api(value: &Value) -> Result<AdvisorScore, String> {
        if let Some(number) = value.as_f64().map(|_| value.to_string()) {
            return AdvisorScore::manual(&number)
                .map(|score| AdvisorScore { source: ScoreSource::Api, ..score });
        }
        let items = value
            .get("value")
            .and_then(Value::as_array)
            .or_else(|| value.as_array())
            .ok_or("advisorScore: is neither a score nor an advisorScore list")?;
        let mut score = AdvisorScore {
            overall: None,
            by_category: Vec::new(),
            refreshed_on: None,
            source: ScoreSource::Api,
        };
        for item in items {
            let name = item.get("name").and_then(Value::as_str).unwrap_or("");
            let last = item.pointer("/properties/lastRefreshedScore");
            let Some(raw) = last.and_then(|l| l.get("score")) else { continue };
            let value = percent(&raw.as_str().map_or_else(|| raw.to_string(), str::to_owned))
                .map_err(|m| format!("advisorScore {name}: {m}"))?;
            if name.eq_ignore_ascii_case("advisor") {
                score.overall = Some(value);
                let date = last.and_then(|l| l.get("date")).and_then(Value::as_str).unwrap_or("");
                score.refreshed_on = crate::values::date(date).ok().flatten();
            } else if let Ok(category) = crate::values::category(name) {
                score.by_category.retain(|c| c.category != category);
                score.by_category.push(CategoryScore { category, score: value });
            }
        }
        if score.overall.is_none() && score.by_category.is_empty() {
            return Err("advisorScore: names no score".into());
        }
        Ok(score)
    }
}

/// A score between 0 and 100, at most two decimals, as decimal text.
fn percent(text: &str) -> Result<String, String> {
    let value = BigDecimal::from_str(text.trim()).map_err(|_| format!("is not a number: {text}"))?;
    if value.sign() == bigdecimal::num_bigint::Sign::Minus || value > 100 {
        return Err("must lie within 0 to 100".into());
    }
    Ok(value.round(2).normalized().to_plain_string())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_api_list_gives_the_overall_and_category_scores() {
        let list = json!({"value": [
            {"name": "Advisor", "properties": {"lastRefreshedScore": {"score": 65.4, "date": "2025-11-24T00:00:00Z"}}},
            {"name": "HighAvailability", "properties": {"lastRefreshedScore": {"score": 80}}},
            {"name": "Cost", "properties": {"lastRefreshedScore": {"score": "47"}}},
        ]});
        let score = AdvisorScore::from_api(&list).unwrap();
        assert_eq!(score.overall.as_deref(), Some("65.4"));
        assert_eq!(
            score.by_category,
            [
                CategoryScore { category: Category::Reliability, score: "80".into() },
                CategoryScore { category: Category::Cost, score: "47".into() },
            ]
        );
        assert_eq!(score.refreshed_on, Some(time::macros::date!(2025 - 11 - 24)));
        assert_eq!(AdvisorScore::from_api(&json!(72)).unwrap().overall.as_deref(), Some("72"));
    }

    #[test]
    fn a_score_outside_0_to_100_or_none_at_all_is_refused() {
        assert!(AdvisorScore::manual("101").is_err());
        assert!(AdvisorScore::manual("-1").is_err());
        assert!(AdvisorScore::manual("sixty").is_err());
        assert!(AdvisorScore::from_api(&json!({"value": []})).is_err());
        assert!(AdvisorScore::from_api(&json!("65")).is_err());
    }
}
