//! The export's columns: every header a real or synthetic export uses, matched to a canonical
//! field through one alias table, case- and space-insensitively (the seed matched them
//! case-sensitively and lost five columns of every real file).

use crate::model::{Category, ExportFormat};

/// A canonical field of a recommendation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Category,
    BusinessImpact,
    Recommendation,
    SubscriptionId,
    SubscriptionName,
    ResourceGroup,
    ResourceName,
    ResourceType,
    UpdatedAt,
    PotentialBenefits,
    AnnualSavings,
    Currency,
    CarbonReduction,
    CostImplication,
    ChangeDescription,
    RetirementDate,
    RetiringFeature,
    AdvisorScoreImpact,
    ResourceId,
    RecommendationTypeId,
}

/// Each field's accepted headers, normalised ([`normalise`]), the preferred one first: when a
/// file has two headers for one field, the earlier alias wins and the other is kept as an
/// unknown column.
const ALIASES: &[(Field, &[&str])] = &[
    (Field::Category, &["category"]),
    (Field::BusinessImpact, &["business impact", "impact"]),
    (Field::Recommendation, &["recommendation", "short description", "problem", "description"]),
    (Field::SubscriptionId, &["subscription id", "subscriptionid"]),
    (Field::SubscriptionName, &["subscription name", "subscription"]),
    (Field::ResourceGroup, &["resource group"]),
    (Field::ResourceName, &["resource name", "impacted resource", "impacted value", "affected resource"]),
    (Field::ResourceType, &["type", "resource type", "impacted field", "impacted resource type"]),
    (Field::UpdatedAt, &["updated date", "last updated"]),
    (Field::PotentialBenefits, &["potential benefits"]),
    (
        Field::AnnualSavings,
        &["potential annual cost savings", "potential yearly savings", "potential annual savings"],
    ),
    (Field::Currency, &["potential cost savings currency", "currency"]),
    (Field::CarbonReduction, &["potential carbon reductions"]),
    (Field::CostImplication, &["cost implications"]),
    (Field::ChangeDescription, &["description of changes"]),
    (Field::RetirementDate, &["retirement date"]),
    (Field::RetiringFeature, &["retiring feature"]),
    (Field::AdvisorScoreImpact, &["advisor score impact"]),
    (Field::ResourceId, &["resource id"]),
    (Field::RecommendationTypeId, &["recommendation type id"]),
];

/// A header as the alias table spells it: trimmed, without a byte-order mark, lower-case, runs
/// of white space as one space, and without a trailing `(usd)` or `(preview)`.
pub fn normalise(header: &str) -> String {
    let lower = header.trim_start_matches('\u{FEFF}').to_lowercase();
    let mut text = lower.split_whitespace().collect::<Vec<_>>().join(" ");
    for suffix in ["(usd)", "(preview)"] {
        if let Some(kept) = text.strip_suffix(suffix) {
            text = kept.trim_end().to_owned();
        }
    }
    text
}

/// Where a file's columns are: each field's position, the unknown columns' positions and
/// headers, and what the file was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    positions: Vec<(Field, usize)>,
    /// The header cell of each known column, as the file wrote it (for messages).
    labels: Vec<(Field, String)>,
    pub unknown: Vec<(usize, String)>,
    /// How many cells the header row has.
    pub width: usize,
    pub format: ExportFormat,
    /// The category every row has when the file has no category column (a download made
    /// inside one category): the one the upload named.
    pub fixed_category: Option<Category>,
}

/// Why a header row cannot be an Advisor export's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    #[error("the header has no {0} column: is this an Azure Advisor export?")]
    Missing(&'static str),
    #[error(
        "the file has no Category column (a download made inside one category): name the category with the upload"
    )]
    NeedsCategory,
}

impl Layout {
    /// Reads the header row. `category` is the upload's category, needed when the file has no
    /// category column and ignored when it has one (each row then names its own).
    pub fn from_header(cells: &[String], category: Option<Category>) -> Result<Layout, HeaderError> {
        let mut best: Vec<(Field, usize, usize)> = Vec::new(); // field, alias rank, position
        let mut unknown = Vec::new();
        for (position, cell) in cells.iter().enumerate() {
            let name = normalise(cell);
            let found = ALIASES.iter().find_map(|(field, aliases)| {
                aliases.iter().position(|alias| *alias == name).map(|rank| (*field, rank))
            });
            match found {
                Some((field, rank)) => match best.iter_mut().find(|(f, _, _)| *f == field) {
                    Some(entry) if rank < entry.1 => {
                        unknown.push((entry.2, cells[entry.2].trim().to_owned()));
                        *entry = (field, rank, position);
                    }
                    Some(_) => unknown.push((position, cell.trim().to_owned())),
                    None => best.push((field, rank, position)),
                },
                None if !name.is_empty() => unknown.push((position, cell.trim().to_owned())),
                None => {}
            }
        }
        unknown.sort();
        let has = |field: Field| best.iter().any(|(f, _, _)| *f == field);
        if !has(Field::Recommendation) {
            return Err(HeaderError::Missing("Recommendation"));
        }
        if !has(Field::BusinessImpact) {
            return Err(HeaderError::Missing("Business Impact"));
        }
        if !has(Field::Category) && category.is_none() {
            return Err(HeaderError::NeedsCategory);
        }
        let format = recognise(&best.iter().map(|(f, _, _)| *f).collect::<Vec<_>>(), cells);
        Ok(Layout {
            positions: best.iter().map(|(f, _, p)| (*f, *p)).collect(),
            labels: best.iter().map(|(f, _, p)| (*f, cells[*p].trim().to_owned())).collect(),
            unknown,
            width: cells.len(),
            format,
            fixed_category: if has(Field::Category) { None } else { category },
        })
    }

    /// The column of `field`, if the file has one.
    pub fn position(&self, field: Field) -> Option<usize> {
        self.positions.iter().find(|(f, _)| *f == field).map(|(_, p)| *p)
    }

    pub fn has(&self, field: Field) -> bool {
        self.position(field).is_some()
    }

    /// The header the file gave `field` (what a row error names).
    pub fn label(&self, field: Field) -> String {
        self.labels.iter().find(|(f, _)| *f == field).map_or_else(|| format!("{field:?}"), |(_, l)| l.clone())
    }
}

/// The export variant a set of columns is.
fn recognise(fields: &[Field], cells: &[String]) -> ExportFormat {
    let has = |field| fields.contains(&field);
    let headers: Vec<String> = cells.iter().map(|c| normalise(c)).collect();
    let seed = headers.iter().any(|h| h == "resource type" || h == "advisor score impact");
    if seed {
        ExportFormat::Seed
    } else if !has(Field::Category) && has(Field::CostImplication) && !has(Field::AnnualSavings) {
        ExportFormat::CategoryView
    } else if has(Field::Category) && has(Field::CostImplication) && has(Field::CarbonReduction) {
        ExportFormat::Portal17
    } else if has(Field::Category) && has(Field::AnnualSavings) && !has(Field::CostImplication) {
        ExportFormat::Portal14
    } else {
        ExportFormat::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(line: &str) -> Vec<String> {
        line.split(',').map(str::to_owned).collect()
    }

    const PORTAL_17: &str = "Category,Business Impact,Recommendation,Subscription ID,Subscription Name,Resource Group,Resource Name,Type,Updated Date,Potential benefits,Potential Annual Cost Savings,Potential Cost Savings Currency,Potential carbon reductions,Cost implications (Preview),Description of changes,Retirement date,Retiring feature";

    #[test]
    fn headers_match_whatever_their_case_and_spacing() {
        assert_eq!(
            normalise("\u{FEFF} Potential  Annual Cost Savings (USD) "),
            "potential annual cost savings"
        );
        assert_eq!(normalise("Cost implications (Preview)"), "cost implications");
        let layout = Layout::from_header(&cells(&PORTAL_17.to_uppercase()), None).unwrap();
        assert_eq!(layout.position(Field::ResourceType), Some(7));
        assert_eq!(layout.position(Field::Currency), Some(11));
        assert_eq!(layout.position(Field::RetiringFeature), Some(16));
        assert!(layout.unknown.is_empty());
    }

    #[test]
    fn each_variant_is_recognised() {
        let layout = Layout::from_header(&cells(PORTAL_17), None).unwrap();
        assert_eq!(layout.format, ExportFormat::Portal17);
        let fourteen: Vec<String> = cells(PORTAL_17)
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !(12..=14).contains(i))
            .map(|(_, c)| c)
            .collect();
        assert_eq!(Layout::from_header(&fourteen, None).unwrap().format, ExportFormat::Portal14);
        let thirteen = cells(
            "Business Impact,Recommendation,Subscription ID,Subscription Name,Resource Group,Resource Name,Type,Updated Date,Potential benefits,Cost implications (Preview),Description of changes,Retirement date,Retiring feature",
        );
        assert_eq!(Layout::from_header(&thirteen, None), Err(HeaderError::NeedsCategory));
        let layout = Layout::from_header(&thirteen, Some(Category::Security)).unwrap();
        assert_eq!(
            (layout.format, layout.fixed_category),
            (ExportFormat::CategoryView, Some(Category::Security))
        );
        let seed = cells(
            "Category,Business Impact,Recommendation,Subscription ID,Subscription Name,Resource Group,Resource Name,Resource Type,Potential Annual Cost Savings,Currency,Potential Benefits,Advisor Score Impact,Retirement Date,Retiring Feature",
        );
        let layout = Layout::from_header(&seed, Some(Category::Cost)).unwrap();
        assert_eq!(layout.format, ExportFormat::Seed);
        assert_eq!(layout.fixed_category, None, "the file's own column wins");
        assert_eq!(layout.position(Field::AdvisorScoreImpact), Some(11));
    }

    #[test]
    fn a_second_header_for_a_field_is_kept_as_an_unknown_column() {
        let layout = Layout::from_header(
            &cells("Category,Impact,Description,Recommendation,Risk Level,,Action"),
            None,
        )
        .unwrap();
        assert_eq!(layout.position(Field::Recommendation), Some(3));
        assert_eq!(
            layout.unknown,
            vec![(2, "Description".to_owned()), (4, "Risk Level".to_owned()), (6, "Action".to_owned())]
        );
    }

    #[test]
    fn a_file_that_is_not_an_export_is_refused_by_its_header() {
        assert_eq!(
            Layout::from_header(&cells("name,email"), None),
            Err(HeaderError::Missing("Recommendation"))
        );
        assert_eq!(
            Layout::from_header(&cells("Category,Recommendation"), None),
            Err(HeaderError::Missing("Business Impact"))
        );
    }
}
