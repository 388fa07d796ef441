//! Target against actual: each measured period met or not by the KPI's direction, its change
//! from the period before, and the trend over all periods (the sign of the least-squares
//! slope, read by the direction). Plain functions over data, exact decimals throughout.

use bigdecimal::{BigDecimal, Zero};
use time::Date;

use crate::{Direction, Kpi, KpiAssignment, KpiType, Measurement};

/// Which way values move, read by the KPI's direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    Improving,
    Worsening,
    Steady,
}

impl Trend {
    /// The trend of a change of sign `change` for a KPI of `direction`.
    fn of(change: &BigDecimal, direction: Direction) -> Trend {
        let better = match direction {
            Direction::HigherIsBetter => change > &BigDecimal::zero(),
            Direction::LowerIsBetter => change < &BigDecimal::zero(),
        };
        if change.is_zero() {
            Trend::Steady
        } else if better {
            Trend::Improving
        } else {
            Trend::Worsening
        }
    }
}

/// One measured period.
#[derive(Debug, Clone, PartialEq)]
pub struct PerformancePeriod {
    pub period_start: Date,
    pub period_end: Date,
    pub value: BigDecimal,
    pub target: Option<BigDecimal>,
    /// `None` without a target.
    pub met: Option<bool>,
    /// The value less the period before's.
    pub change: Option<BigDecimal>,
    /// The change read by the direction.
    pub trend: Option<Trend>,
}

/// An assignment's performance over its measured periods.
#[derive(Debug, Clone, PartialEq)]
pub struct Performance {
    pub target: Option<BigDecimal>,
    pub direction: Direction,
    pub periods: Vec<PerformancePeriod>,
    pub measured: usize,
    pub met: usize,
    /// `met / measured` as a percentage (two decimals); `None` without a target or periods.
    pub met_rate: Option<BigDecimal>,
    pub latest: Option<BigDecimal>,
    pub average: Option<BigDecimal>,
    /// Over every period (two or more): the sign of the least-squares slope of the values.
    pub trend: Option<Trend>,
}

/// Whether `value` meets `target` for a KPI of `direction`.
pub fn meets(value: &BigDecimal, target: &BigDecimal, direction: Direction) -> bool {
    match direction {
        Direction::HigherIsBetter => value >= target,
        Direction::LowerIsBetter => value <= target,
    }
}

/// The performance of `assignment` of `kpi` from its `measurements` (any order).
pub fn performance(kpi: &Kpi, assignment: &KpiAssignment, measurements: &[Measurement]) -> Performance {
    let mut ordered: Vec<&Measurement> = measurements.iter().collect();
    ordered.sort_by_key(|m| (m.period_start, m.period_end));
    let target = assignment.effective_target(kpi).cloned();
    let direction = kpi.direction;
    let mut periods = Vec::with_capacity(ordered.len());
    let mut previous: Option<&BigDecimal> = None;
    for m in &ordered {
        let change = previous.map(|before| &m.value - before);
        periods.push(PerformancePeriod {
            period_start: m.period_start,
            period_end: m.period_end,
            value: m.value.clone(),
            target: target.clone(),
            met: target.as_ref().map(|t| meets(&m.value, t, direction)),
            trend: change.as_ref().map(|c| Trend::of(c, direction)),
            change,
        });
        previous = Some(&m.value);
    }
    let measured = periods.len();
    let met = periods.iter().filter(|p| p.met == Some(true)).count();
    let met_rate = (target.is_some() && measured > 0).then(|| {
        (BigDecimal::from(met as u64 * 100) / BigDecimal::from(measured as u64))
            .with_scale_round(2, bigdecimal::RoundingMode::HalfEven)
    });
    let average = (measured > 0).then(|| {
        let sum: BigDecimal = ordered.iter().map(|m| m.value.clone()).sum();
        (sum / BigDecimal::from(measured as u64))
            .with_scale_round(4, bigdecimal::RoundingMode::HalfEven)
            .normalized()
    });
    Performance {
        target,
        direction,
        measured,
        met,
        met_rate,
        latest: ordered.last().map(|m| m.value.clone()),
        average,
        trend: slope_sign(&ordered).map(|slope| Trend::of(&slope, direction)),
        periods,
    }
}

/// The numerator of the least-squares slope of the values against their index: its sign is the
/// slope's (the denominator is positive). `None` for fewer than two values.
fn slope_sign(ordered: &[&Measurement]) -> Option<BigDecimal> {
    let n = ordered.len();
    if n < 2 {
        return None;
    }
    // Σ (2i − (n−1)) · v_i = 2 · Σ (i − mean_i) · v_i, all in integers and exact decimals.
    let numerator = ordered
        .iter()
        .enumerate()
        .map(|(i, m)| BigDecimal::from(2 * i as i64 - (n as i64 - 1)) * &m.value)
        .sum();
    Some(numerator)
}

/// One assignment in a client's summary.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    pub assignment: KpiAssignment,
    pub kpi: Kpi,
    pub kpi_type: Option<KpiType>,
    pub performance: Performance,
}

/// A client's KPIs across its contracts: each running or finished assignment with its
/// performance, how many met their target in their latest period, and the weighted met rate.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientKpiSummary {
    pub rows: Vec<SummaryRow>,
    /// Assignments with a target and at least one period.
    pub measured: usize,
    /// Of those, met in their latest period.
    pub on_target: usize,
    /// Σ weight · met rate / Σ weight over the measured assignments (their type's weight, 1
    /// without one); `None` when none is measured.
    pub weighted_met_rate: Option<BigDecimal>,
}

impl ClientKpiSummary {
    pub fn of(rows: Vec<SummaryRow>) -> Self {
        let measured: Vec<&SummaryRow> = rows.iter().filter(|r| r.performance.met_rate.is_some()).collect();
        let on_target = measured
            .iter()
            .filter(|r| r.performance.periods.last().and_then(|p| p.met) == Some(true))
            .count();
        let weight =
            |r: &SummaryRow| BigDecimal::from(r.kpi_type.as_ref().and_then(|t| t.weight).unwrap_or(1));
        let total_weight: BigDecimal = measured.iter().map(|r| weight(r)).sum();
        let weighted_met_rate = (!measured.is_empty() && !total_weight.is_zero()).then(|| {
            let sum: BigDecimal = measured
                .iter()
                .filter_map(|r| r.performance.met_rate.as_ref().map(|rate| rate * weight(r)))
                .sum();
            (sum / total_weight).with_scale_round(2, bigdecimal::RoundingMode::HalfEven)
        });
        Self { measured: measured.len(), on_target, weighted_met_rate, rows }
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use axis_contracts::ContractId;
    use axis_kernel::ClientId;
    use time::OffsetDateTime;
    use time::macros::date;

    use super::*;
    use crate::{AssignmentId, AssignmentStatus, Frequency, KpiId, KpiTypeId, MeasurementId, UnitType};

    fn d(text: &str) -> BigDecimal {
        BigDecimal::from_str(text).expect("a decimal")
    }

    fn kpi(direction: Direction, target: Option<&str>) -> Kpi {
        Kpi {
            id: KpiId::new(),
            name: "Response time".into(),
            description: None,
            kpi_type_id: KpiTypeId::new(),
            unit: "hours".into(),
            unit_type: UnitType::Time,
            target: target.map(d),
            direction,
            calculation_method: None,
            frequency: Some(Frequency::Monthly),
            public: false,
            client_id: None,
            contract_id: None,
            version: 1,
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    fn assignment(target: Option<&str>) -> KpiAssignment {
        KpiAssignment {
            id: AssignmentId::new(),
            kpi_id: KpiId::new(),
            contract_id: ContractId::new(),
            client_id: ClientId::new(),
            target: target.map(d),
            frequency: Frequency::Monthly,
            status: AssignmentStatus::Ongoing,
            start_date: date!(2026 - 01 - 01),
            end_date: None,
            notes: None,
            version: 1,
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    fn months(values: &[&str]) -> Vec<Measurement> {
        values
            .iter()
            .enumerate()
            .map(|(i, value)| {
                let month = time::Month::try_from(i as u8 + 1).expect("a month");
                let start = Date::from_calendar_date(2026, month, 1).expect("a day");
                Measurement {
                    id: MeasurementId::new(),
                    assignment_id: AssignmentId::new(),
                    period_start: start,
                    period_end: start.replace_day(28).expect("a day"),
                    value: d(value),
                    note: None,
                    recorded_by: None,
                    recorded_at: OffsetDateTime::UNIX_EPOCH,
                    version: 1,
                }
            })
            .rev() // any order in, period order out
            .collect()
    }

    #[test]
    fn met_by_direction_against_the_effective_target() {
        // Lower is better, the assignment's own target (4) overrides the KPI's (8).
        let result = performance(
            &kpi(Direction::LowerIsBetter, Some("8")),
            &assignment(Some("4")),
            &months(&["5", "4", "3.5"]),
        );
        assert_eq!(result.target, Some(d("4")));
        let met: Vec<_> = result.periods.iter().map(|p| p.met).collect();
        assert_eq!(met, [Some(false), Some(true), Some(true)]);
        assert_eq!((result.measured, result.met), (3, 2));
        assert_eq!(result.met_rate, Some(d("66.67")));
        assert_eq!(result.latest, Some(d("3.5")));
        assert_eq!(result.average, Some(d("4.1667")));
        // Falling values are improving when lower is better.
        assert_eq!(result.trend, Some(Trend::Improving));
        let trends: Vec<_> = result.periods.iter().map(|p| p.trend).collect();
        assert_eq!(trends, [None, Some(Trend::Improving), Some(Trend::Improving)]);
        assert_eq!(result.periods[1].change, Some(d("-1")));
    }

    #[test]
    fn the_kpis_target_without_an_override_and_no_target_at_all() {
        let result = performance(
            &kpi(Direction::HigherIsBetter, Some("90")),
            &assignment(None),
            &months(&["95", "85"]),
        );
        assert_eq!(result.periods.iter().map(|p| p.met).collect::<Vec<_>>(), [Some(true), Some(false)]);
        assert_eq!(result.trend, Some(Trend::Worsening));
        let untargeted =
            performance(&kpi(Direction::HigherIsBetter, None), &assignment(None), &months(&["1", "1"]));
        assert_eq!((untargeted.met_rate, untargeted.periods[0].met), (None, None));
        assert_eq!(untargeted.trend, Some(Trend::Steady));
        let empty = performance(&kpi(Direction::HigherIsBetter, Some("1")), &assignment(None), &[]);
        assert_eq!((empty.measured, empty.met_rate, empty.trend, empty.average), (0, None, None, None));
    }

    #[test]
    fn the_trend_is_the_slope_over_every_period_not_the_last_step() {
        // Up overall, down at the end: improving for higher-is-better.
        let result = performance(
            &kpi(Direction::HigherIsBetter, Some("50")),
            &assignment(None),
            &months(&["10", "20", "30", "40", "35"]),
        );
        assert_eq!(result.trend, Some(Trend::Improving));
        assert_eq!(result.periods[4].trend, Some(Trend::Worsening));
    }

    #[test]
    fn a_client_summary_weights_its_kpis_by_type() {
        let heavy = KpiType {
            id: KpiTypeId::new(),
            name: "Quality".into(),
            description: None,
            weight: Some(3),
            version: 1,
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
        };
        let row = |kind: Option<KpiType>, values: &[&str]| {
            let (kpi, assignment) = (kpi(Direction::HigherIsBetter, Some("50")), assignment(None));
            let performance = performance(&kpi, &assignment, &months(values));
            SummaryRow { assignment, kpi, kpi_type: kind, performance }
        };
        // 100 % met (weight 3) and 50 % met (weight 1): (300 + 50) / 4 = 87.5.
        let summary = ClientKpiSummary::of(vec![
            row(Some(heavy), &["60", "70"]),
            row(None, &["60", "40"]),
            row(None, &[]),
        ]);
        assert_eq!((summary.measured, summary.on_target), (2, 1));
        assert_eq!(summary.weighted_met_rate, Some(d("87.50")));
        assert_eq!(ClientKpiSummary::of(vec![]).weighted_met_rate, None);
    }
}
