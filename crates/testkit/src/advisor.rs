//! Azure Advisor exports for tests and benchmarks: the portal's 17-column CSV with as many
//! distinct findings as asked (a mix of categories, impacts, savings and commitments), and an
//! import builder that uploads one through the domain service and runs its job.

use axis_advisor::{AdvisorImport, Processed, UploadRequest};
use axis_kernel::{Actor, ClientId, FileSink};
use bytes::Bytes;

use crate::TestApp;

/// The real export's header (17 columns).
pub const HEADER: &str = "Category,Business Impact,Recommendation,Subscription ID,Subscription Name,Resource Group,Resource Name,Type,Updated Date,Potential benefits,Potential Annual Cost Savings,Potential Cost Savings Currency,Potential carbon reductions,Cost implications (Preview),Description of changes,Retirement date,Retiring feature";

const KINDS: [(&str, &str, &str, &str); 6] = [
    ("Cost", "High", "Right-size or shutdown underutilized virtual machines", "Virtual machine"),
    ("Security", "High", "Secure transfer to storage accounts should be enabled", "Storage account"),
    (
        "Reliability",
        "Medium",
        "Use Availability zones for better resiliency and availability",
        "Virtual machine",
    ),
    (
        "OperationalExcellence",
        "Low",
        "Install SQL best practices assessment on your SQL VM",
        "SQL virtual machine",
    ),
    (
        "Performance",
        "Medium",
        "Consider increasing the size of your VNet Gateway SKU",
        "Virtual network gateway",
    ),
    (
        "Cost",
        "Medium",
        "Review disks that are not attached to a VM and evaluate if you still need the disks",
        "Disk",
    ),
];

/// One data row: finding `n` of the generated estate (`tag` keeps estates apart).
pub fn row(n: usize, tag: &str) -> String {
    let (category, impact, text, kind) = KINDS[n % KINDS.len()];
    let subscription = format!("5f0c2a4e-8b1d-4c3a-9e27-{:012x}", n % 7);
    let savings =
        if category == "Cost" { format!("\"{},{:03}\"", 1 + n % 40, n % 1000) } else { String::new() };
    let currency = if savings.is_empty() { "" } else { "USD" };
    let implication = ["No data", "Low", "No data", "Medium"][n % 4];
    format!(
        "{category},{impact},{text},{subscription},Subscription {},rg-{},res-{tag}-{n},{kind},2025-11-24T06:12:45Z,Benefit {n},{savings},{currency},,{implication},,,",
        n % 7,
        n % 50,
    )
}

/// An export of `rows` distinct findings (CRLF, UTF-8 with a byte-order mark, as the portal
/// writes it).
pub fn export(rows: usize, tag: &str) -> Vec<u8> {
    let mut text = String::with_capacity(rows * 220);
    text.push('\u{FEFF}');
    text.push_str(HEADER);
    for n in 0..rows {
        text.push_str("\r\n");
        text.push_str(&row(n, tag));
    }
    text.push_str("\r\n");
    text.into_bytes()
}

/// Uploads `file` as `client`'s export (as the operator) and, unless told not to, runs its job.
pub async fn import(app: &TestApp, client: ClientId, file: Vec<u8>, run: bool) -> AdvisorImport {
    let operator = Actor::command_line();
    let advisor = &app.wiring.advisor;
    let request = UploadRequest { file_name: Some("Advisor_export.csv".into()), ..UploadRequest::default() };
    let mut upload = advisor.begin_upload(&operator, client, request).await.expect("begin the upload");
    upload.feed(Bytes::from(file)).await.expect("feed the file");
    let import = upload.finish().await.expect("store the file");
    if !run {
        return import;
    }
    let processed = advisor.process(import.id).await.expect("run the job");
    assert!(matches!(processed, Processed::Completed(_)), "{processed:?}");
    advisor.get(&operator, import.id).await.expect("read the import")
}
