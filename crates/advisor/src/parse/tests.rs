use std::str::FromStr;

use bigdecimal::BigDecimal;
use proptest::prelude::*;

use super::*;
use crate::model::{Alternative, BillingIncrease, Impact};

const PORTAL_17: &[u8] = include_bytes!("../../tests/samples/advisor_sample.csv");
const CATEGORY_VIEW: &[u8] = include_bytes!("../../tests/samples/advisor_sample_category_view.csv");
const SEED_FORMAT: &[u8] = include_bytes!("../../tests/samples/advisor_sample_seed_format.csv");
const HEADER_17: &str = "Category,Business Impact,Recommendation,Subscription ID,Subscription Name,Resource Group,Resource Name,Type,Updated Date,Potential benefits,Potential Annual Cost Savings,Potential Cost Savings Currency,Potential carbon reductions,Cost implications (Preview),Description of changes,Retirement date,Retiring feature";

fn dec(text: &str) -> Option<BigDecimal> {
    Some(BigDecimal::from_str(text).unwrap())
}

fn parse(bytes: &[u8]) -> Parsed {
    parse_csv(bytes, None, Limits::default()).unwrap()
}

/// A 17-column file of `rows` (each a line of cells after the header).
fn file(rows: &[&str]) -> Vec<u8> {
    let mut text = HEADER_17.to_owned();
    for row in rows {
        text.push_str("\r\n");
        text.push_str(row);
    }
    text.into_bytes()
}

#[test]
fn the_portal_sample_reads_every_row_and_column() {
    let parsed = parse(PORTAL_17);
    assert_eq!(parsed.format, ExportFormat::Portal17);
    assert_eq!((parsed.rows, parsed.recommendations.len(), parsed.problems.len()), (14, 14, 0));
    let first = &parsed.recommendations[0];
    assert_eq!(first.line, Some(2));
    assert_eq!(first.category, Category::Cost);
    assert_eq!(first.annual_savings, dec("12604"));
    assert_eq!(first.currency.as_deref(), Some("USD"));
    assert_eq!(first.alternative, Some(Alternative::ReservedInstance));
    assert_eq!(parsed.recommendations[1].alternative, Some(Alternative::SavingsPlan));
    assert_eq!(first.resource_type.as_deref(), Some("Subscription"), "the real header is `Type`");
    let disk = &parsed.recommendations[3];
    assert_eq!(disk.annual_savings, None, "an empty cell is no figure, not 0");
    let trusted =
        parsed.recommendations.iter().find(|r| r.recommendation.starts_with("Enable Trusted")).unwrap();
    assert_eq!(
        trusted.recommendation,
        "Enable Trusted Launch foundational excellence, and modern security for Existing Generation 2 VM(s)"
    );
    let sql = parsed.recommendations.iter().find(|r| r.recommendation.starts_with("Install SQL")).unwrap();
    assert_eq!(
        sql.potential_benefits.as_deref(),
        Some("Identify \"best practice\" gaps in SQL Server configuration")
    );
    let retiring = parsed.recommendations.iter().find(|r| r.retirement_date.is_some()).unwrap();
    assert_eq!(retiring.retirement_date, Some(time::macros::date!(2025 - 09 - 30)));
    assert_eq!(retiring.retiring_feature.as_deref(), Some("Basic SKU public IP addresses"));
    let levels: Vec<Option<BillingIncrease>> =
        parsed.recommendations.iter().map(|r| r.billing_increase).collect();
    assert_eq!(levels.iter().filter(|l| l.is_some()).count(), 4);
    assert!(parsed.recommendations.iter().all(|r| r.billing_known));
    let reliability = parsed.recommendations.iter().filter(|r| r.category == Category::Reliability).count();
    assert_eq!(reliability, 4);
}

#[test]
fn the_category_view_takes_its_category_from_the_upload() {
    assert_eq!(
        parse_csv(CATEGORY_VIEW, None, Limits::default()),
        Err(ParseError::Header(HeaderError::NeedsCategory))
    );
    let parsed = parse_csv(CATEGORY_VIEW, Some(Category::Reliability), Limits::default()).unwrap();
    assert_eq!(parsed.format, ExportFormat::CategoryView);
    assert_eq!(parsed.recommendations.len(), 4);
    assert!(parsed.recommendations.iter().all(|r| r.category == Category::Reliability));
    assert_eq!(parsed.recommendations[0].billing_increase, Some(BillingIncrease::Medium));
}

#[test]
fn the_seed_format_reads_through_the_aliases() {
    let parsed = parse(SEED_FORMAT);
    assert_eq!(parsed.format, ExportFormat::Seed);
    assert_eq!(parsed.recommendations.len(), 3);
    let first = &parsed.recommendations[0];
    assert_eq!(first.resource_type.as_deref(), Some("Microsoft.Compute/virtualMachines"));
    assert_eq!(first.annual_savings, dec("6684.00"));
    assert_eq!(first.advisor_score_impact, dec("4.5"));
    assert_eq!(first.potential_benefits.as_deref(), Some("Reduce VM costs by resizing or shutting down"));
    assert_eq!(parsed.recommendations[2].retirement_date, Some(time::macros::date!(2025 - 09 - 30)));
    assert!(!first.billing_known, "no cost-implications column: the split is unknown");
}

#[test]
fn the_fourteen_column_export_is_recognised() {
    let header = "Category,Business Impact,Recommendation,Subscription ID,Subscription Name,Resource Group,Resource Name,Type,Updated Date,Potential benefits,Potential Annual Cost Savings,Potential Cost Savings Currency,Retirement date,Retiring feature";
    let body = format!(
        "{header}\nCost,Low,Delete idle IP,s1,Sub,rg,ip1,Public IP address,2025-11-01T00:00:00Z,\"44 EUR savings\",44,EUR,,\n"
    );
    let parsed = parse(body.as_bytes());
    assert_eq!(parsed.format, ExportFormat::Portal14);
    assert_eq!(parsed.recommendations[0].currency.as_deref(), Some("EUR"));
}

#[test]
fn encodings_bom_and_windows_1252() {
    let utf8 = file(&["Cost,High,Réduire les coûts,s1,Société,rg,vm1,Virtual machine,,,,,,,,,"]);
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend(&utf8);
    for bytes in [&utf8, &with_bom] {
        let parsed = parse(bytes);
        assert_eq!(parsed.recommendations[0].recommendation, "Réduire les coûts");
        assert_eq!(parsed.recommendations[0].subscription_name.as_deref(), Some("Société"));
    }
    let mut latin = HEADER_17.as_bytes().to_vec();
    latin.extend(b"\r\nCost,High,R\xE9duire les co\xFBts \x96 \x80,s1,Soci\xE9t\xE9,rg,vm1,Virtual machine,,,,,,,,,\r\n");
    let parsed = parse(&latin);
    assert_eq!(parsed.recommendations[0].recommendation, "Réduire les coûts – €");
    assert_eq!(parsed.recommendations[0].subscription_name.as_deref(), Some("Société"));
}

#[test]
fn semicolons_and_quoted_newlines() {
    let header = HEADER_17.replace(',', ";");
    let body = format!(
        "{header}\nCost;High;\"Right-size; or shut down\nunderused VMs\";s1;Sub;rg;vm1;Virtual machine;;;\"1,200\";USD;;No data;;;\nSecurity;Low;Plain;s1;Sub;rg;vm2;Virtual machine;;;;;;;;;\n"
    );
    let parsed = parse(body.as_bytes());
    assert_eq!(parsed.recommendations.len(), 2, "{:?}", parsed.problems);
    assert_eq!(parsed.recommendations[0].recommendation, "Right-size; or shut down\nunderused VMs");
    assert_eq!(parsed.recommendations[0].annual_savings, dec("1200"));
    assert_eq!(parsed.recommendations[1].line, Some(4), "the quoted line break counts");
}

#[test]
fn bad_rows_are_named_by_line_and_column_and_never_defaulted() {
    let parsed = parse(&file(&[
        "Cost,High,Good row,s1,Sub,rg,vm1,Virtual machine,,,,,,,,,",
        "Sustainability,Critical,Bad enums,s1,Sub,rg,vm2,Virtual machine,,,,,,,,,",
        "Cost,High,Bad amount,s1,Sub,rg,vm3,Virtual machine,,,\"12,60\",USD,,,,,",
        "Cost,High,Negative,s1,Sub,rg,vm4,Virtual machine,,,-5,USD,,,,,",
        "Cost,High,No currency,s1,Sub,rg,vm5,Virtual machine,,,500,,,,,,",
        "Reliability,Low,Bad date,s1,Sub,rg,vm6,Virtual machine,last week,,,,,Maybe,,31/12/2025,",
        "Cost,,,s1,Sub,rg,vm7,Virtual machine,,,,,,,,,",
        "Cost,High,Too many cells,s1,Sub,rg,vm8,Virtual machine,,,,,,,,,,surplus",
        "Cost,High",
    ]));
    assert_eq!(parsed.recommendations.len(), 1);
    let found: Vec<(u64, Option<&str>)> =
        parsed.problems.iter().map(|p| (p.line, p.column.as_deref())).collect();
    assert_eq!(
        found,
        [
            (3, Some("Category")),
            (3, Some("Business Impact")),
            (4, Some("Potential Annual Cost Savings")),
            (5, Some("Potential Annual Cost Savings")),
            (6, Some("Potential Cost Savings Currency")),
            (7, Some("Updated Date")),
            (7, Some("Cost implications (Preview)")),
            (7, Some("Retirement date")),
            (8, Some("Business Impact")),
            (8, Some("Recommendation")),
            (9, None),
            (10, Some("Recommendation")),
        ]
    );
    assert!(parsed.problems.iter().all(|p| p.kind == ProblemKind::Rejected));
    assert!(parsed.problems[0].message.contains("Sustainability"), "{}", parsed.problems[0].message);
}

#[test]
fn duplicates_are_found_on_the_natural_key() {
    let parsed = parse(&file(&[
        "Cost,High,Right-size VMs,S1,Sub,rg,vm1,Virtual machine,,,100,USD,,,,,",
        "Cost,High,right-size  vms,s1,Sub,RG,VM1,Virtual machine,,,100,USD,,,,,",
        "Cost,High,Right-size VMs,s1,Sub,rg,vm2,Virtual machine,,,100,USD,,,,,",
        "Security,High,Right-size VMs,s1,Sub,rg,vm1,Virtual machine,,,,,,,,,",
    ]));
    assert_eq!(parsed.recommendations.len(), 3);
    assert_eq!(parsed.count(ProblemKind::Duplicate), 1);
    assert_eq!(parsed.problems[0].line, 3);
    assert_eq!(parsed.problems[0].message, "the same finding as line 2");
}

#[test]
fn reservations_are_alternatives_and_thousands_separators_are_read() {
    let parsed = parse(&file(&[
        "Cost,High,Consider virtual machine reserved instance to save over the on-demand costs,s1,Sub,No resource group,s1,Subscription,,\"12,604 USD savings\",\"12,604\",USD,,No data,,,",
        "Cost,High,Consider purchasing a savings plan for compute,s1,Sub,No resource group,s1,Subscription,,,\"1,234,567.89\",USD,,No data,,,",
        "Cost,High,Use Azure Capacity Reservation for critical workloads,s1,Sub,rg,vm1,Virtual machine,,,,,,No data,,,",
    ]));
    let alternatives: Vec<Option<Alternative>> =
        parsed.recommendations.iter().map(|r| r.alternative).collect();
    assert_eq!(alternatives, [Some(Alternative::ReservedInstance), Some(Alternative::SavingsPlan), None]);
    assert_eq!(parsed.recommendations[1].annual_savings, dec("1234567.89"));
    assert!(!parsed.recommendations[0].counts_toward_savings());
}

#[test]
fn unknown_columns_are_kept_per_row_and_hostile_cells_stay_verbatim() {
    let header = format!("{HEADER_17},Owner Team,Ticket");
    let body = format!(
        "{header}\nSecurity,High,\"=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",s1,Sub,rg,<script>alert(1)</script>,{{{{7*7}}}},,-foo,,,,,,,,ops,\n"
    );
    let parsed = parse(body.as_bytes());
    assert_eq!(parsed.unknown_columns, ["Owner Team", "Ticket"]);
    let row = &parsed.recommendations[0];
    assert_eq!(row.recommendation, "=HYPERLINK(\"http://evil\",\"x\")");
    assert_eq!(row.resource_name.as_deref(), Some("<script>alert(1)</script>"));
    assert_eq!(row.resource_type.as_deref(), Some("{{7*7}}"));
    assert_eq!(row.potential_benefits.as_deref(), Some("-foo"));
    assert_eq!(row.extra.get("Owner Team").map(String::as_str), Some("ops"));
    assert!(!row.extra.contains_key("Ticket"), "empty cells are not kept");
}

#[test]
fn limits_on_rows_and_cells() {
    let limits = Limits { max_rows: 2, max_long_text: 10, max_text: 5 };
    let parsed = parse_csv(
        &file(&[
            "Cost,High,Short,s1,Sub,rg,toolong,Disk,,,,,,,,,",
            "Cost,High,Far too long text,s1,Sub,rg,vm,Disk,,,,,,,,,",
        ]),
        None,
        limits,
    )
    .unwrap();
    let messages: Vec<(u64, &str)> = parsed.problems.iter().map(|p| (p.line, p.message.as_str())).collect();
    assert_eq!(messages, [(2, "is longer than 5 characters"), (3, "is longer than 10 characters")]);
    let three =
        file(&["Cost,High,a,,,,,,,,,,,,,,", "Cost,High,b,,,,,,,,,,,,,,", "Cost,High,c,,,,,,,,,,,,,,"]);
    assert_eq!(parse_csv(&three, None, limits), Err(ParseError::TooManyRows(2)));
}

#[test]
fn a_file_that_is_not_an_export_fails_whole() {
    assert_eq!(parse_csv(b"", None, Limits::default()), Err(ParseError::Empty));
    assert!(matches!(parse_csv(b"name,email\nx,y\n", None, Limits::default()), Err(ParseError::Header(_))));
}

#[test]
fn any_chunking_reads_the_same_export() {
    let whole = parse(PORTAL_17);
    for size in [1, 7, 64, 1000] {
        let mut export = CsvExport::new(None, Limits::default());
        for chunk in PORTAL_17.chunks(size) {
            export.feed(chunk).unwrap();
        }
        assert_eq!(export.finish().unwrap(), whole, "chunks of {size}");
    }
}

#[test]
fn impacts_rank_numerically() {
    assert!(Impact::High.rank() > Impact::Medium.rank() && Impact::Medium.rank() > Impact::Low.rank());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any bytes at all: an answer, never a panic.
    #[test]
    fn any_bytes_parse_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse_csv(&bytes, Some(Category::Cost), Limits::default());
        let _ = crate::api::parse_json(&bytes, Limits::default());
    }

    /// A real header followed by rows of arbitrary cells: every row is either a
    /// recommendation or has problems naming its line.
    #[test]
    fn every_row_is_accounted_for(rows in proptest::collection::vec(
        proptest::collection::vec("[ -~éü€\"\n,;]{0,12}", 0..20), 0..30)) {
        let mut text = HEADER_17.to_owned();
        for row in &rows {
            text.push('\n');
            let cells: Vec<String> = row.iter().map(|c| format!("\"{}\"", c.replace('"', "\"\""))).collect();
            text.push_str(&cells.join(","));
        }
        let parsed = parse_csv(text.as_bytes(), None, Limits::default()).unwrap();
        let mut lines: Vec<u64> = parsed.recommendations.iter().filter_map(|r| r.line).collect();
        lines.extend(parsed.problems.iter().map(|p| p.line));
        lines.sort_unstable();
        lines.dedup();
        prop_assert_eq!(lines.len() as u64, parsed.rows);
    }
}
