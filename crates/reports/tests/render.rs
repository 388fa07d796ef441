//! Every report type rendered from the reference export, read back with real readers: the
//! HTML as text, the PDF through `pdftotext` (poppler), the XLSX through calamine.
#![expect(clippy::expect_used, reason = "test helpers fail loudly")]

use std::io::Write;
use std::process::{Command, Stdio};

use axis_advisor::{Catalogue, FindingId, FindingStatus, Limits, parse_csv};
use axis_reports::html::Brand;
use axis_reports::{ReportInput, ReportOptions, ReportRow, ReportType, ReportView, build, render};
use calamine::{Data, Reader, Xlsx};
use time::macros::datetime;

const SAMPLE: &[u8] = include_bytes!("../../advisor/tests/samples/advisor_sample.csv");
const HOSTILE: [&str; 4] =
    ["<script>alert(1)</script>", "{{7*7}}", "#set page(paper: \"a5\")", "=HYPERLINK(\"http://x\")"];

fn rows(hostile: bool) -> Vec<ReportRow> {
    let parsed = parse_csv(SAMPLE, None, Limits::default()).expect("the sample parses");
    parsed
        .recommendations
        .into_iter()
        .enumerate()
        .map(|(n, mut recommendation)| {
            if hostile && n < HOSTILE.len() {
                recommendation.recommendation = HOSTILE[n].to_owned();
                recommendation.resource_name = Some(HOSTILE[(n + 1) % HOSTILE.len()].to_owned());
            }
            ReportRow {
                finding_id: FindingId::new(),
                recommendation,
                status: if n == 0 { FindingStatus::InProgress } else { FindingStatus::Open },
                owner: (n == 0).then(|| "=cmd|' /C calc'!A0".to_owned()),
                due_date: None,
            }
        })
        .collect()
}

fn view(kind: ReportType, client: &str, rows: &[ReportRow], catalogue: &Catalogue) -> ReportView {
    let options = ReportOptions::default();
    let input = ReportInput {
        report_type: kind,
        options: &options,
        client_name: client,
        firm_name: "Northwind Consulting",
        generated_at: datetime!(2026-12-07 10:00 UTC),
        snapshot_at: datetime!(2026-12-01 09:00 UTC),
        file_name: "advisor_sample.csv",
        advisor_score: None,
        catalogue,
        trend: Vec::new(),
    };
    build(&input, rows)
}

fn pdf_text(pdf: &[u8]) -> String {
    let mut child = Command::new("pdftotext")
        .args(["-layout", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("pdftotext (poppler-utils) is installed: make test installs it");
    child.stdin.take().expect("stdin").write_all(pdf).expect("write the PDF");
    let output = child.wait_with_output().expect("pdftotext ran");
    assert!(output.status.success(), "pdftotext read the PDF");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn xlsx_rows(xlsx: &[u8]) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx.to_vec())).expect("an XLSX file");
    let sheet = book.worksheet_range("Action plan").expect("the action plan sheet");
    sheet.rows().map(|row| row.to_vec()).collect()
}

#[test]
fn every_type_renders_in_every_format_with_the_analysis_totals() {
    let catalogue = Catalogue::new(Vec::new());
    let rows = rows(false);
    for &kind in ReportType::ALL {
        let view = view(kind, "Contoso Ltd", &rows, &catalogue);
        let files = render(&view, &Brand::default(), None).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        let total = view.totals.recommendations.to_string();
        assert!(view.totals.recommendations > 0, "{kind:?} covers some of the sample");
        assert!(files.html.contains("Contoso Ltd") && files.html.contains("<svg"), "{kind:?} HTML");
        let text = pdf_text(&files.pdf);
        assert!(text.contains("Contoso Ltd"), "{kind:?}: the client on the PDF");
        assert!(text.contains(&total), "{kind:?}: the PDF shows {total} recommendations");
        for savings in &view.totals.savings {
            assert!(
                text.contains(&savings.annual),
                "{kind:?}: the PDF shows {} {}",
                savings.currency,
                savings.annual
            );
        }
        assert!(text.contains("Page 1 of"), "{kind:?}: page numbers");
        let sheet = xlsx_rows(&files.xlsx);
        assert_eq!(
            sheet.len() as u64,
            view.totals.recommendations + 1,
            "{kind:?}: a header and a row per finding"
        );
        assert_eq!(sheet[0][2], Data::String("Recommendation".into()));
    }
}

#[test]
fn the_executive_report_sums_savings_per_currency_apart_from_commitments() {
    let catalogue = Catalogue::new(Vec::new());
    let view = view(ReportType::Executive, "Contoso Ltd", &rows(false), &catalogue);
    let usd = view.totals.savings.iter().find(|s| s.currency == "USD").expect("USD savings");
    // The sample's reservation and savings-plan rows are alternatives: never in the total.
    let commitments: Vec<_> = view.commitments.iter().map(|c| c.kind).collect();
    assert!(!commitments.is_empty(), "the sample has commitment alternatives");
    assert!(view.quick_wins.iter().all(|l| !l.commitment));
    assert!(!usd.annual.is_empty());
    assert_eq!(view.plan.iter().map(|p| p.count).sum::<u64>(), view.totals.recommendations);
}

#[test]
fn hostile_values_come_out_as_text_in_every_format() {
    let catalogue = Catalogue::new(Vec::new());
    let rows = rows(true);
    let client = "<script>alert('c')</script> {{7*7}} #set page =HYPERLINK(\"http://x\")";
    let view = view(ReportType::Detailed, client, &rows, &catalogue);
    let files = render(&view, &Brand::default(), None).expect("renders");

    assert!(!files.html.contains("<script>"), "no script element from data");
    assert!(files.html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"), "shown as text");
    assert!(files.html.contains("{{7*7}}") && !files.html.contains(">49<"), "a template in data is not run");

    let text = pdf_text(&files.pdf);
    for hostile in ["<script>alert(1)</script>", "{{7*7}}", "#set page", "=HYPERLINK"] {
        assert!(text.contains(hostile), "the PDF shows {hostile:?} as text");
    }
    assert!(text.contains("Page 1 of"), "the page is still A4 with its footer");

    let sheet = xlsx_rows(&files.xlsx);
    let cells: Vec<&Data> = sheet.iter().flatten().collect();
    for hostile in HOSTILE {
        assert!(cells.contains(&&Data::String(hostile.to_owned())), "{hostile:?} is a text cell");
    }
    assert!(cells.contains(&&Data::String("=cmd|' /C calc'!A0".to_owned())), "an owner is text too");
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(files.xlsx.clone())).expect("xlsx");
    let formulas = book.worksheet_formula("Action plan").expect("formulas");
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "no cell is a formula");
}

#[test]
fn a_scope_keeps_only_its_subscriptions_and_a_currency_only_its_savings() {
    let catalogue = Catalogue::new(Vec::new());
    let rows = rows(false);
    let subscription = rows[0].recommendation.subscription_name.clone().expect("a named subscription");
    let options = ReportOptions {
        subscriptions: vec![subscription.to_uppercase()],
        resource_groups: vec![],
        currency: Some("EUR".into()),
    };
    let input = ReportInput {
        report_type: ReportType::Cost,
        options: &options,
        client_name: "Contoso",
        firm_name: "Northwind",
        generated_at: datetime!(2026-12-07 10:00 UTC),
        snapshot_at: datetime!(2026-12-01 09:00 UTC),
        file_name: "a.csv",
        advisor_score: None,
        catalogue: &catalogue,
        trend: Vec::new(),
    };
    let view = build(&input, &rows);
    assert!(view.action_plan.iter().all(|l| l.subscription == subscription));
    assert!(
        view.totals.savings.iter().all(|s| s.currency == "EUR"),
        "USD savings are not shown in an EUR report"
    );
    assert!(view.scope.iter().any(|s| s.contains("EUR")));
}
