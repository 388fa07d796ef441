//! Reading a whole export into recommendations and row problems: fed chunk by chunk (the file
//! never needs to be in memory as bytes), every rule checked on every row, each problem kept
//! with its line. Nothing here panics on any input (property-tested, and fuzzed under
//! `fuzz/`).

use std::collections::{BTreeMap, HashMap};

use axis_kernel::csv::{CsvRows, FileError, RawRow, TextEncoding};

use crate::columns::{Field, HeaderError, Layout};
use crate::model::{Category, ExportFormat, ProblemKind, Recommendation, RowProblem};
use crate::values;

/// The limits a file is read within.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Data rows (the header not counted); more makes the file fail.
    pub max_rows: u64,
    /// Characters in a recommendation, benefits or description cell.
    pub max_long_text: usize,
    /// Characters in any other cell.
    pub max_text: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_rows: 200_000, max_long_text: 5_000, max_text: 1_000 }
    }
}

/// Why a whole file cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("{0}")]
    File(#[from] FileError),
    #[error("{0}")]
    Header(#[from] HeaderError),
    #[error("the file has no header row")]
    Empty,
    #[error("the file has more than {0} rows")]
    TooManyRows(u64),
    #[error("{0}")]
    Json(String),
}

/// What a file held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub format: ExportFormat,
    /// Data rows read (accepted, duplicate and rejected).
    pub rows: u64,
    pub recommendations: Vec<Recommendation>,
    pub problems: Vec<RowProblem>,
    /// The header cells axis does not read (kept per row in `extra`).
    pub unknown_columns: Vec<String>,
}

impl Parsed {
    /// Rows with problems of `kind` (a rejected row may have several).
    pub fn count(&self, kind: ProblemKind) -> u64 {
        let mut lines: Vec<u64> = self.problems.iter().filter(|p| p.kind == kind).map(|p| p.line).collect();
        lines.dedup();
        lines.len() as u64
    }
}

/// Finds rows that repeat an earlier one's natural key.
#[derive(Debug, Default)]
pub struct Deduplicator {
    first_line: HashMap<String, Option<u64>>,
}

impl Deduplicator {
    /// `None` for a new finding; else the line of the row it repeats (`Some(None)`: a
    /// recommendation without a line).
    pub fn repeat_of(&mut self, recommendation: &Recommendation) -> Option<Option<u64>> {
        let key = recommendation.natural_key();
        match self.first_line.get(&key) {
            Some(line) => Some(*line),
            None => {
                self.first_line.insert(key, recommendation.line);
                None
            }
        }
    }
}

/// An export being read.
pub struct CsvExport {
    reader: CsvRows,
    category: Option<Category>,
    limits: Limits,
    layout: Option<Layout>,
    raw: Vec<RawRow>,
    dedup: Deduplicator,
    parsed: Parsed,
}

impl CsvExport {
    /// `category`: the upload's category, for a file without a category column.
    pub fn new(category: Option<Category>, limits: Limits) -> Self {
        CsvExport {
            reader: CsvRows::with_encoding(TextEncoding::Utf8OrWindows1252),
            category,
            limits,
            layout: None,
            raw: Vec::new(),
            dedup: Deduplicator::default(),
            parsed: Parsed {
                format: ExportFormat::Other,
                rows: 0,
                recommendations: Vec::new(),
                problems: Vec::new(),
                unknown_columns: Vec::new(),
            },
        }
    }

    /// Reads the next bytes of the file.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), ParseError> {
        let mut raw = std::mem::take(&mut self.raw);
        self.reader.feed(chunk, &mut raw)?;
        let taken = self.take(&mut raw);
        raw.clear();
        self.raw = raw;
        taken
    }

    /// The end of the file.
    pub fn finish(mut self) -> Result<Parsed, ParseError> {
        let mut raw = Vec::new();
        self.reader.finish(&mut raw)?;
        self.take(&mut raw)?;
        if self.layout.is_none() {
            return Err(ParseError::Empty);
        }
        Ok(self.parsed)
    }

    /// Data rows read so far.
    pub fn rows(&self) -> u64 {
        self.parsed.rows
    }

    fn take(&mut self, raw: &mut Vec<RawRow>) -> Result<(), ParseError> {
        for row in raw.drain(..) {
            let Some(layout) = &self.layout else {
                let layout = Layout::from_header(&row.cells, self.category)?;
                self.parsed.format = layout.format;
                self.parsed.unknown_columns = layout.unknown.iter().map(|(_, h)| h.clone()).collect();
                self.layout = Some(layout);
                continue;
            };
            if row.cells.iter().all(|cell| cell.trim().is_empty()) {
                continue;
            }
            self.parsed.rows += 1;
            if self.parsed.rows > self.limits.max_rows {
                return Err(ParseError::TooManyRows(self.limits.max_rows));
            }
            match read_row(layout, &row, &self.limits) {
                Ok(recommendation) => match self.dedup.repeat_of(&recommendation) {
                    None => self.parsed.recommendations.push(recommendation),
                    Some(first) => self.parsed.problems.push(RowProblem {
                        line: row.line,
                        kind: ProblemKind::Duplicate,
                        column: None,
                        message: match first {
                            Some(line) => format!("the same finding as line {line}"),
                            None => "the same finding as an earlier row".to_owned(),
                        },
                    }),
                },
                Err(problems) => self.parsed.problems.extend(problems),
            }
        }
        Ok(())
    }
}

/// Reads a whole file held in memory (tests, the fuzz target).
pub fn parse_csv(bytes: &[u8], category: Option<Category>, limits: Limits) -> Result<Parsed, ParseError> {
    let mut export = CsvExport::new(category, limits);
    export.feed(bytes)?;
    export.finish()
}

/// One data row: a recommendation, or every problem it has.
fn read_row(layout: &Layout, row: &RawRow, limits: &Limits) -> Result<Recommendation, Vec<RowProblem>> {
    let mut problems = Vec::new();
    let mut problem = |field: Field, message: String| {
        problems.push(RowProblem {
            line: row.line,
            kind: ProblemKind::Rejected,
            column: Some(layout.label(field)),
            message,
        });
    };
    let cell = |field: Field| layout.position(field).and_then(|at| row.cells.get(at)).map(String::as_str);
    let text = |field: Field, problem: &mut dyn FnMut(Field, String)| -> Option<String> {
        let value = cell(field)?.trim();
        let max = match field {
            Field::Recommendation | Field::PotentialBenefits | Field::ChangeDescription => {
                limits.max_long_text
            }
            _ => limits.max_text,
        };
        if value.chars().count() > max {
            problem(field, format!("is longer than {max} characters"));
            return None;
        }
        (!value.is_empty()).then(|| value.to_owned())
    };

    let category = match layout.fixed_category {
        Some(category) => Some(category),
        None => values::category(cell(Field::Category).unwrap_or(""))
            .map_err(|m| problem(Field::Category, m))
            .ok(),
    };
    let impact = values::impact(cell(Field::BusinessImpact).unwrap_or(""))
        .map_err(|m| problem(Field::BusinessImpact, m))
        .ok();
    let recommendation = text(Field::Recommendation, &mut problem);
    // Empty, or missing from a row shorter than the header (a too-long one was named above).
    let too_long =
        cell(Field::Recommendation).is_some_and(|c| c.trim().chars().count() > limits.max_long_text);
    if recommendation.is_none() && !too_long {
        problem(Field::Recommendation, "is required".into());
    }
    let updated_at = cell(Field::UpdatedAt)
        .map(values::timestamp)
        .transpose()
        .map_err(|m| problem(Field::UpdatedAt, m))
        .ok()
        .flatten()
        .flatten();
    let mut annual_savings = cell(Field::AnnualSavings)
        .map(values::amount)
        .transpose()
        .map_err(|m| problem(Field::AnnualSavings, m))
        .ok()
        .flatten()
        .flatten();
    let mut currency = cell(Field::Currency)
        .map(values::currency)
        .transpose()
        .map_err(|m| problem(Field::Currency, m))
        .ok()
        .flatten()
        .flatten();
    let potential_benefits = text(Field::PotentialBenefits, &mut problem);
    if !layout.has(Field::AnnualSavings)
        && let Some((amount, code)) = potential_benefits.as_deref().and_then(values::savings_in_benefits)
    {
        annual_savings = Some(amount);
        currency = Some(code);
    }
    // A saving needs its currency; a currency without a saving says nothing (the seed's
    // format writes `USD` on every row).
    if annual_savings.is_some() && currency.is_none() {
        match potential_benefits.as_deref().and_then(values::savings_in_benefits) {
            Some((_, code)) => currency = Some(code),
            None => problem(Field::Currency, "is required with a saving".into()),
        }
    }
    if annual_savings.is_none() {
        currency = None;
    }
    let billing_increase = cell(Field::CostImplication)
        .map(values::billing_increase)
        .transpose()
        .map_err(|m| problem(Field::CostImplication, m))
        .ok()
        .flatten()
        .flatten();
    let retirement_date = cell(Field::RetirementDate)
        .map(values::date)
        .transpose()
        .map_err(|m| problem(Field::RetirementDate, m))
        .ok()
        .flatten()
        .flatten();
    let advisor_score_impact = cell(Field::AdvisorScoreImpact)
        .map(values::amount)
        .transpose()
        .map_err(|m| problem(Field::AdvisorScoreImpact, m))
        .ok()
        .flatten()
        .flatten();
    let subscription_id = text(Field::SubscriptionId, &mut problem);
    let subscription_name = text(Field::SubscriptionName, &mut problem);
    let resource_group = text(Field::ResourceGroup, &mut problem);
    let resource_name = text(Field::ResourceName, &mut problem);
    let resource_type = text(Field::ResourceType, &mut problem);
    let resource_id = text(Field::ResourceId, &mut problem);
    let carbon_reduction = text(Field::CarbonReduction, &mut problem);
    let change_description = text(Field::ChangeDescription, &mut problem);
    let retiring_feature = text(Field::RetiringFeature, &mut problem);
    let recommendation_type_id = text(Field::RecommendationTypeId, &mut problem);

    let mut extra = BTreeMap::new();
    for (at, header) in &layout.unknown {
        if let Some(value) = row.cells.get(*at).map(|c| c.trim()).filter(|c| !c.is_empty()) {
            if value.chars().count() > limits.max_text {
                problems.push(RowProblem {
                    line: row.line,
                    kind: ProblemKind::Rejected,
                    column: Some(header.clone()),
                    message: format!("is longer than {} characters", limits.max_text),
                });
            } else {
                extra.insert(header.clone(), value.to_owned());
            }
        }
    }
    // Cells past the header's last column: empty ones are a trailing separator, others a
    // row the file split wrongly.
    if row.cells.iter().skip(layout.width).any(|cell| !cell.trim().is_empty()) {
        problems.push(RowProblem {
            line: row.line,
            kind: ProblemKind::Rejected,
            column: None,
            message: format!("has {} cells where the header has {}", row.cells.len(), layout.width),
        });
    }
    let (Some(category), Some(impact), Some(recommendation), true) =
        (category, impact, recommendation, problems.is_empty())
    else {
        return Err(problems);
    };
    let alternative = values::alternative_in(&recommendation);
    Ok(Recommendation {
        line: Some(row.line),
        category,
        impact,
        recommendation,
        subscription_id,
        subscription_name,
        resource_group,
        resource_name,
        resource_type,
        resource_id,
        updated_at,
        potential_benefits,
        annual_savings,
        currency,
        carbon_reduction,
        billing_increase,
        billing_known: layout.has(Field::CostImplication),
        change_description,
        retirement_date,
        retiring_feature,
        advisor_score_impact,
        recommendation_type_id,
        external_id: None,
        alternative,
        term: None,
        lookback_days: None,
        extra,
        manual: false,
    })
}

#[cfg(test)]
mod tests;
