//! What an Azure Advisor export says, once read: recommendations in canonical form, whatever
//! the file's variant (portal CSV of 17, 14 or 13 columns, the seed's synthetic format, or the
//! REST API's JSON).

use std::collections::BTreeMap;

use bigdecimal::BigDecimal;
use time::{Date, OffsetDateTime};

axis_kernel::string_enum! {
    /// An Advisor category (the portal's `HighAvailability` is reliability).
    pub enum Category {
        Cost => "cost",
        Security => "security",
        Reliability => "reliability",
        OperationalExcellence => "operational_excellence",
        Performance => "performance",
    }
}

axis_kernel::string_enum! {
    /// How much a recommendation matters to the business (Advisor's `Business Impact`).
    pub enum Impact { High => "high", Medium => "medium", Low => "low" }
}

impl Impact {
    /// High ranks first: 3, 2, 1 (never the names' alphabetical order).
    pub fn rank(self) -> u8 {
        match self {
            Impact::High => 3,
            Impact::Medium => 2,
            Impact::Low => 1,
        }
    }
}

axis_kernel::string_enum! {
    /// The export's `Cost implications (Preview)` level: carrying out the recommendation raises
    /// the bill by about this much (`No data` or empty: no increase is known).
    pub enum BillingIncrease { Low => "low", Medium => "medium", High => "high" }
}

axis_kernel::string_enum! {
    /// A commitment discount: alternatives to each other and to paying as you go, so their
    /// savings are never added to the rest, nor multiplied by a term the CSV does not give.
    pub enum Alternative {
        ReservedInstance => "reserved_instance",
        SavingsPlan => "savings_plan",
    }
}

axis_kernel::string_enum! {
    /// What the file was, as recognised from its header (or the JSON shape).
    pub enum ExportFormat {
        /// The portal's all-categories CSV (17 columns, late 2025).
        Portal17 => "portal_17",
        /// The portal's CSV of about Sept 2025 (14 columns: no carbon, cost implications or
        /// description of changes).
        Portal14 => "portal_14",
        /// A download made inside one category (13 columns: no category, no savings columns).
        CategoryView => "category_view",
        /// The seed platform's synthetic format (`Resource Type`, `Currency`, …).
        Seed => "seed",
        /// Another set of known columns.
        Other => "other",
        /// The Advisor REST API's `value[]` list.
        ApiJson => "api_json",
    }
}

/// One recommendation in canonical form. Text is kept verbatim (never escaped against CSV
/// injection: that happens on export only); amounts are decimals, empty ≠ 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recommendation {
    /// The line it starts on in the file (the header is line 1); `None` for the API's JSON and
    /// for recommendations a manager added.
    pub line: Option<u64>,
    pub category: Category,
    pub impact: Impact,
    pub recommendation: String,
    pub subscription_id: Option<String>,
    pub subscription_name: Option<String>,
    pub resource_group: Option<String>,
    pub resource_name: Option<String>,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub updated_at: Option<OffsetDateTime>,
    pub potential_benefits: Option<String>,
    /// Annual, in `currency`; `None` when the export gives no saving (not the same as 0).
    pub annual_savings: Option<BigDecimal>,
    /// ISO 4217; present exactly when `annual_savings` is.
    pub currency: Option<String>,
    pub carbon_reduction: Option<String>,
    pub billing_increase: Option<BillingIncrease>,
    /// Whether the export has the cost-implications column at all (older ones do not: the
    /// split into remediation and billing increase is then unknown, not "no increase").
    pub billing_known: bool,
    pub change_description: Option<String>,
    pub retirement_date: Option<Date>,
    pub retiring_feature: Option<String>,
    /// The seed's synthetic column (never in a real export).
    pub advisor_score_impact: Option<BigDecimal>,
    pub recommendation_type_id: Option<String>,
    /// The API's recommendation name (a GUID).
    pub external_id: Option<String>,
    pub alternative: Option<Alternative>,
    /// A commitment's term and look-back (the API gives them; the CSV does not).
    pub term: Option<String>,
    pub lookback_days: Option<String>,
    /// Columns axis does not read, by their header, kept so nothing the portal adds is lost.
    pub extra: BTreeMap<String, String>,
    /// Added by a manager, not read from the export.
    pub manual: bool,
}

impl Recommendation {
    /// Monthly savings: a twelfth of the annual figure (the export gives annual ones).
    pub fn monthly_savings(&self) -> Option<BigDecimal> {
        self.annual_savings.as_ref().map(|annual| (annual / BigDecimal::from(12)).round(2))
    }

    /// What the resource is known by, lower-case: its id, else subscription / group / name.
    pub fn resource_key(&self) -> String {
        if let Some(id) = self.resource_id.as_deref().filter(|id| !id.is_empty()) {
            return id.to_lowercase();
        }
        let part = |value: &Option<String>| value.as_deref().unwrap_or("").trim().to_lowercase();
        format!(
            "{}/{}/{}",
            part(&self.subscription_id),
            part(&self.resource_group),
            part(&self.resource_name)
        )
    }

    /// The key a finding keeps across snapshots: the recommendation type when the export
    /// gives it, else category and text; with the resource; and for a commitment, its term
    /// and look-back (each is an alternative of its own).
    pub fn natural_key(&self) -> String {
        let what = match self.recommendation_type_id.as_deref().filter(|id| !id.is_empty()) {
            Some(type_id) => format!("type:{}", type_id.to_lowercase()),
            None => format!("{}:{}", self.category, collapse_spaces(&self.recommendation).to_lowercase()),
        };
        let mut key = format!("{what}|{}", self.resource_key());
        if self.alternative.is_some() {
            key.push_str(&format!(
                "|{}|{}",
                self.term.as_deref().unwrap_or(""),
                self.lookback_days.as_deref().unwrap_or("")
            ));
        }
        key
    }

    /// Counts toward the savings totals: has a saving and is not a commitment alternative.
    pub fn counts_toward_savings(&self) -> bool {
        self.annual_savings.is_some() && self.alternative.is_none()
    }
}

/// `text` with runs of white space as one space, trimmed.
pub fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A row the parser could not take, or took once already.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub line: u64,
    pub kind: ProblemKind,
    /// The column at fault, as the file's header names it (`None`: the whole row).
    pub column: Option<String>,
    pub message: String,
}

axis_kernel::string_enum! {
    /// Why a row is not among the import's recommendations.
    pub enum ProblemKind {
        /// A value is missing or not one the export can hold.
        Rejected => "rejected",
        /// The same finding as an earlier row (its natural key).
        Duplicate => "duplicate",
    }
}
