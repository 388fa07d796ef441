//! The Advisor dashboard: over a period and the clients an actor sees (or one of them), how
//! much was imported and reported each month, and what the period's snapshots found.
//!
//! A client's snapshot of the period is its newest completed import created in it; its
//! findings count with their status today (resolved when the client's newest snapshot no
//! longer has them: the findings' own rule). Savings are the snapshots' annual savings per
//! currency, never summed across currencies, commitment alternatives (reservations, savings
//! plans) left out as everywhere else. "Open past due" is today's: open or in progress, due
//! before today, whatever the period.

use axis_kernel::{ClientId, FieldErrors};
use serde::{Deserialize, Serialize};
use time::{Date, Duration};

/// The longest period one dashboard covers.
pub const MAX_PERIOD_DAYS: i64 = 366 * 5;

/// The period (both days included) and, optionally, one client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnalyticsQuery {
    pub from: Date,
    pub to: Date,
    pub client: Option<ClientId>,
}

impl AnalyticsQuery {
    /// The period asked for: by default the twelve months up to `today` (from the first of
    /// the month eleven months back); `from` after `to`, or more than five years, is an error.
    pub fn new(
        from: Option<Date>,
        to: Option<Date>,
        client: Option<ClientId>,
        today: Date,
    ) -> Result<AnalyticsQuery, FieldErrors> {
        let to = to.unwrap_or(today);
        let from = from.unwrap_or_else(|| {
            let back = to.replace_day(1).unwrap_or(to);
            (0..11).fold(back, |day, _| (day - Duration::days(1)).replace_day(1).unwrap_or(day))
        });
        let mut errors = FieldErrors::new();
        let earliest = time::macros::date!(2000 - 01 - 01);
        if to < earliest {
            errors.add("to", "must be on or after 2000-01-01 (Azure Advisor came later)");
        } else if from > to {
            errors.add("from", "must not be after `to`");
        } else if (to - from).whole_days() >= MAX_PERIOD_DAYS {
            errors.add("from", "must be at most five years before `to`");
        }
        errors.into_result()?;
        Ok(AnalyticsQuery { from, to, client })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdvisorAnalytics {
    /// The period's first and last day.
    #[serde(default)]
    pub period: Option<Period>,
    pub imports_by_month: Vec<ImportMonth>,
    pub reports_by_month: Vec<ReportMonth>,
    /// Clients with a snapshot in the period.
    pub clients_with_snapshot: i64,
    pub findings: Vec<FindingCount>,
    pub savings: Vec<CurrencySavings>,
    /// Per currency, the ten clients whose snapshot saves most.
    pub top_clients: Vec<ClientSavings>,
    pub open_past_due: i64,
    pub past_due_by_client: Vec<ClientPastDue>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Period {
    /// `YYYY-MM-DD`.
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub from: String,
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub to: String,
    /// The one client the figures are of; none: every client in scope.
    pub client_id: Option<uuid::Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportMonth {
    /// `YYYY-MM` (UTC).
    pub month: String,
    pub imports: i64,
    pub completed: i64,
    pub failed: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportMonth {
    pub month: String,
    pub report_type: String,
    pub reports: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FindingCount {
    pub category: String,
    pub status: String,
    pub findings: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CurrencySavings {
    pub currency: String,
    /// Decimal text, two places.
    pub annual: String,
    pub monthly: String,
    pub clients: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClientSavings {
    pub client_id: uuid::Uuid,
    pub client_name: String,
    pub currency: String,
    pub annual: String,
    pub findings: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClientPastDue {
    pub client_id: uuid::Uuid,
    pub client_name: String,
    pub findings: i64,
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn the_default_period_is_twelve_calendar_months_up_to_today() {
        let query = AnalyticsQuery::new(None, None, None, date!(2026 - 12 - 07)).unwrap();
        assert_eq!((query.from, query.to), (date!(2026 - 01 - 01), date!(2026 - 12 - 07)));
        let query =
            AnalyticsQuery::new(None, Some(date!(2026 - 03 - 31)), None, date!(2026 - 12 - 07)).unwrap();
        assert_eq!(query.from, date!(2025 - 04 - 01));
    }

    #[test]
    fn a_period_runs_forwards_and_at_most_five_years() {
        let today = date!(2026 - 12 - 07);
        assert!(
            AnalyticsQuery::new(Some(date!(2026 - 02 - 01)), Some(date!(2026 - 01 - 01)), None, today)
                .is_err()
        );
        assert!(AnalyticsQuery::new(Some(date!(2016 - 01 - 01)), Some(today), None, today).is_err());
        assert!(AnalyticsQuery::new(Some(today), Some(today), None, today).is_ok());
        // No period before there was anything to count (nor a year 0 from the default).
        assert!(AnalyticsQuery::new(None, Some(date!(0001 - 01 - 01)), None, today).is_err());
    }
}
