//! `make bench` scenario `reports`: the executive report of 14,000 recommendations rendered
//! to HTML, PDF and XLSX, each timed over several runs (median), in this process.
//! `cargo run --release -p axis-reports --example bench_render [recommendations] [runs]`
use std::time::{Duration, Instant};

use axis_advisor::{Catalogue, Category, FindingId, FindingStatus, Impact, Recommendation};
use axis_reports::html::Brand;
use axis_reports::{ReportInput, ReportOptions, ReportRow, ReportType, build, charts, html, pdf, xlsx};
use bigdecimal::BigDecimal;

fn rows(count: usize) -> Vec<ReportRow> {
    let categories = [
        Category::Cost,
        Category::Security,
        Category::Reliability,
        Category::OperationalExcellence,
        Category::Performance,
    ];
    let impacts = [Impact::High, Impact::Medium, Impact::Low];
    let kinds = [
        "microsoft.compute/virtualmachines",
        "microsoft.storage/storageaccounts",
        "microsoft.sql/servers",
        "microsoft.network/publicipaddresses",
    ];
    (0..count)
        .map(|n| {
            let category = categories[n % categories.len()];
            let saving = (category == Category::Cost).then(|| BigDecimal::from(100 + (n % 5_000) as i64));
            ReportRow {
                finding_id: FindingId::new(),
                status: if n % 7 == 0 { FindingStatus::InProgress } else { FindingStatus::Open },
                owner: (n % 7 == 0).then(|| "engineer@example.com".to_owned()),
                due_date: None,
                recommendation: Recommendation {
                    line: Some(n as u64 + 2),
                    category,
                    impact: impacts[n % impacts.len()],
                    recommendation: format!("Recommendation number {} for {}", n % 120, category.as_str()),
                    subscription_id: Some(format!("5f0c2a4e-8b1d-4c3a-9e27-{:012x}", n % 9)),
                    subscription_name: Some(format!("Subscription {}", n % 9)),
                    resource_group: Some(format!("rg-{}", n % 60)),
                    resource_name: Some(format!("resource-{n}")),
                    resource_type: Some(kinds[n % kinds.len()].to_owned()),
                    resource_id: None,
                    updated_at: None,
                    potential_benefits: None,
                    currency: saving.as_ref().map(|_| "USD".to_owned()),
                    annual_savings: saving,
                    carbon_reduction: None,
                    billing_increase: None,
                    billing_known: true,
                    change_description: None,
                    retirement_date: None,
                    retiring_feature: None,
                    advisor_score_impact: None,
                    recommendation_type_id: None,
                    external_id: None,
                    alternative: None,
                    term: None,
                    lookback_days: None,
                    extra: Default::default(),
                    manual: false,
                },
            }
        })
        .collect()
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn timed<T>(runs: usize, mut work: impl FnMut() -> T) -> (Duration, Vec<Duration>) {
    let all: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(work());
            started.elapsed()
        })
        .collect();
    (median(all.clone()), all)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let count: usize = std::env::args().nth(1).map(|n| n.parse()).transpose()?.unwrap_or(14_000);
    let runs: usize = std::env::args().nth(2).map(|n| n.parse()).transpose()?.unwrap_or(7);
    let rows = rows(count);
    let options = ReportOptions::default();
    let catalogue = Catalogue::new(Vec::new());
    let now = time::OffsetDateTime::now_utc();
    let input = ReportInput {
        report_type: ReportType::Executive,
        options: &options,
        client_name: "Bench Client",
        firm_name: "Bench Consulting",
        generated_at: now,
        snapshot_at: now,
        file_name: "bench.csv",
        advisor_score: None,
        catalogue: &catalogue,
        trend: Vec::new(),
    };
    // The first PDF loads the fonts once per process; it is not counted.
    let view = build(&input, &rows);
    let brand = Brand::default();
    pdf::render(&view, &brand)?;
    let (html_time, html_runs) = timed(runs, || {
        let view = build(&input, &rows);
        html::render(&view, &charts::draw(&view), &brand, None).map(|h| h.len())
    });
    // Each run another report (typst memoises what it computed for the same data, and a server
    // renders different data every time): only the template's parse stays cached, as it would.
    let mut run = 0;
    let (pdf_time, pdf_runs) = timed(runs, || {
        run += 1;
        let fresh = axis_reports::ReportView { generated: format!("run {run}"), ..view.clone() };
        pdf::render(&fresh, &brand).map(|p| p.len())
    });
    let (xlsx_time, xlsx_runs) = timed(runs, || xlsx::render(&view).map(|x| x.len()));
    let ms = |d: Duration| format!("{:.1}", d.as_secs_f64() * 1000.0);
    let all = |v: &[Duration]| v.iter().map(|d| ms(*d)).collect::<Vec<_>>().join(" / ");
    println!("| executive report of {count} recommendations | ms: median ({runs} runs) | target |");
    println!("|---|---|---|");
    println!(
        "| analysis (build) + HTML with charts | {} ({}) | ≤ 100 ms {} |",
        ms(html_time),
        all(&html_runs),
        if html_time <= Duration::from_millis(100) { "✔" } else { "✘" }
    );
    println!(
        "| PDF (typst) | {} ({}) | ≤ 1,000 ms {} |",
        ms(pdf_time),
        all(&pdf_runs),
        if pdf_time <= Duration::from_secs(1) { "✔" } else { "✘" }
    );
    println!(
        "| XLSX action plan, {} rows | {} ({}) | ≤ 1,000 ms {} |",
        view.action_plan.len(),
        ms(xlsx_time),
        all(&xlsx_runs),
        if xlsx_time <= Duration::from_secs(1) { "✔" } else { "✘" }
    );
    Ok(())
}
