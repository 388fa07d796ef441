//! The XLSX action plan consultants hand to the client's engineers: one row per finding, a
//! frozen header, filters and widths. Every text cell is written as a string, so a value
//! that begins with `= + - @` stays text and never becomes a formula.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::view::{Line, ReportView};

const COLUMNS: [(&str, f64); 18] = [
    ("Category", 20.0),
    ("Impact", 9.0),
    ("Recommendation", 60.0),
    ("Resource", 28.0),
    ("Resource type", 30.0),
    ("Resource group", 22.0),
    ("Subscription", 24.0),
    ("Status", 12.0),
    ("Owner", 24.0),
    ("Due date", 11.0),
    ("Hours", 8.0),
    ("Monthly investment", 12.0),
    ("Investment currency", 10.0),
    ("Solution on Azure", 24.0),
    ("Billing increase", 14.0),
    ("Annual savings", 14.0),
    ("Monthly savings", 14.0),
    ("Savings currency", 10.0),
];

fn cells(line: &Line) -> [&str; 18] {
    [
        line.category,
        line.impact,
        &line.recommendation,
        &line.resource,
        &line.resource_type,
        &line.resource_group,
        &line.subscription,
        line.status,
        &line.owner,
        &line.due_date,
        &line.hours,
        &line.monthly_investment,
        &line.investment_currency,
        &line.solution,
        &line.billing_increase,
        &line.annual_savings,
        &line.monthly_savings,
        &line.currency,
    ]
}

/// Columns holding amounts: numbers in the sheet (the text is a plain decimal).
const NUMERIC: [usize; 4] = [10, 11, 15, 16];

pub fn render(view: &ReportView) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Action plan")?;
    let header = Format::new().set_bold().set_background_color("#EEF1F4");
    let amount = Format::new().set_num_format("#,##0.00");
    for (column, (name, width)) in COLUMNS.iter().enumerate() {
        let column = column as u16;
        sheet.write_string_with_format(0, column, *name, &header)?;
        sheet.set_column_width(column, *width)?;
    }
    for (n, line) in view.action_plan.iter().enumerate() {
        let row = n as u32 + 1;
        for (column, value) in cells(line).iter().enumerate() {
            if value.is_empty() {
                continue;
            }
            let number = NUMERIC.contains(&column).then(|| value.parse::<f64>().ok()).flatten();
            match number {
                Some(number) => sheet.write_number_with_format(row, column as u16, number, &amount)?,
                None => sheet.write_string(row, column as u16, *value)?,
            };
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, view.action_plan.len() as u32, COLUMNS.len() as u16 - 1)?;
    workbook.save_to_buffer()
}
