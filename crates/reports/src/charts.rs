//! Charts as inline SVG, drawn here from the report's numbers (no script, no fetch): the
//! category and impact distributions, savings by subscription, the risk matrix, the trend.
//! Every label is XML-escaped; the SVG is the only markup a template inserts unescaped.

use std::fmt::Write;

use crate::view::ReportView;

/// The charts of one report, each an `<svg>` element (empty when it has nothing to show).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Charts {
    pub categories: String,
    pub impacts: String,
    pub subscriptions: String,
    pub risk: String,
    pub trend: String,
}

const CATEGORY_COLOURS: [(&str, &str); 5] = [
    ("Cost", "#2e7d32"),
    ("Security", "#c62828"),
    ("Reliability", "#1565c0"),
    ("Operational excellence", "#6a1b9a"),
    ("Performance", "#ef6c00"),
];

fn colour_of(label: &str, fallback: &str) -> String {
    CATEGORY_COLOURS.iter().find(|(name, _)| *name == label).map_or(fallback, |(_, c)| c).to_owned()
}

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(max - 1).collect::<String>())
    }
}

/// Horizontal bars: a label, a bar as long as its share of the largest value, the value.
fn bars(title: &str, items: &[(String, f64, String)], colour: &str) -> String {
    if items.iter().all(|(_, value, _)| *value <= 0.0) {
        return String::new();
    }
    let max = items.iter().map(|(_, v, _)| *v).fold(0.0_f64, f64::max);
    let (row, label_width, bar_width) = (26.0, 190.0, 300.0);
    let height = 36.0 + row * items.len() as f64;
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 620 {height}" width="620" height="{height}" font-family="sans-serif" font-size="12"><title>{}</title><text x="0" y="16" font-weight="bold">{}</text>"#,
        escape(title),
        escape(title)
    );
    for (n, (label, value, shown)) in items.iter().enumerate() {
        let y = 28.0 + row * n as f64;
        let width = if max > 0.0 { bar_width * value / max } else { 0.0 };
        let fill = colour_of(label, colour);
        let _ = write!(
            svg,
            r#"<text x="0" y="{}">{}</text><rect x="{label_width}" y="{y}" width="{width:.1}" height="18" fill="{fill}"/><text x="{:.1}" y="{}">{}</text>"#,
            y + 13.0,
            escape(&shorten(label, 30)),
            label_width + width + 6.0,
            y + 13.0,
            escape(shown)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Probability (across) × impact (up), 1–5 each; a dot per catalogue entry, sized by count.
fn risk_matrix(view: &ReportView) -> String {
    if view.risk.is_empty() {
        return String::new();
    }
    let (left, top, cell) = (40.0, 30.0, 70.0);
    let mut svg = String::from(
        r#"<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 420 420" width="420" height="420" font-family="sans-serif" font-size="11"><title>Risk matrix</title><text x="0" y="16" font-weight="bold">Risk matrix: probability × impact</text>"#,
    );
    for i in 0..5 {
        for j in 0..5 {
            let score = (i + 1) * (5 - j);
            let shade = match score {
                15.. => "#f8d7da",
                8..=14 => "#fff3cd",
                _ => "#e2f0d9",
            };
            let _ = write!(
                svg,
                r##"<rect x="{}" y="{}" width="{cell}" height="{cell}" fill="{shade}" stroke="#ffffff"/>"##,
                left + cell * f64::from(i),
                top + cell * f64::from(j)
            );
        }
    }
    let _ = write!(
        svg,
        r#"<text x="{}" y="{}">probability →</text><text x="16" y="{}" transform="rotate(-90 16 {})">impact →</text>"#,
        left + 120.0,
        top + cell * 5.0 + 20.0,
        top + 250.0,
        top + 250.0
    );
    let biggest = view.risk.iter().map(|r| r.count).max().unwrap_or(1).max(1) as f64;
    for point in &view.risk {
        let x = left + cell * (f64::from(point.probability.clamp(1, 5)) - 0.5);
        let y = top + cell * (5.5 - f64::from(point.impact.clamp(1, 5)));
        let radius = 5.0 + 12.0 * (point.count as f64 / biggest).sqrt();
        let _ = write!(
            svg,
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="{radius:.1}" fill="{}" fill-opacity="0.6"><title>{} ({}): {}</title></circle>"#,
            colour_of(point.category, "#455a64"),
            escape(&point.recommendation),
            escape(point.category),
            point.count
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Recommendations per snapshot, as a line over the snapshots' dates.
fn trend(view: &ReportView) -> String {
    if view.trend.len() < 2 {
        return String::new();
    }
    let (left, top, width, height) = (50.0, 30.0, 520.0, 160.0);
    let max = view.trend.iter().map(|t| t.recommendations).max().unwrap_or(1).max(1) as f64;
    let step = width / (view.trend.len() - 1) as f64;
    let points: Vec<(f64, f64)> = view
        .trend
        .iter()
        .enumerate()
        .map(|(n, t)| (left + step * n as f64, top + height - height * t.recommendations as f64 / max))
        .collect();
    let path = points.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect::<Vec<_>>().join(" ");
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 620 230" width="620" height="230" font-family="sans-serif" font-size="11"><title>Recommendations per snapshot</title><text x="0" y="16" font-weight="bold">Recommendations per snapshot</text><polyline points="{path}" fill="none" stroke="#1565c0" stroke-width="2"/>"##
    );
    for ((x, y), point) in points.iter().zip(&view.trend) {
        let _ = write!(
            svg,
            r##"<circle cx="{x:.1}" cy="{y:.1}" r="3" fill="#1565c0"/><text x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text><text x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
            y - 8.0,
            point.recommendations,
            top + height + 20.0,
            escape(&point.date)
        );
    }
    svg.push_str("</svg>");
    svg
}

pub fn draw(view: &ReportView) -> Charts {
    let counts = |lines: &[crate::view::CountLine]| -> Vec<(String, f64, String)> {
        lines.iter().map(|l| (l.name.clone(), l.count as f64, l.count.to_string())).collect()
    };
    let subscriptions: Vec<(String, f64, String)> = view
        .by_subscription
        .iter()
        .map(|s| {
            let shown = if s.savings.is_empty() {
                s.count.to_string()
            } else {
                format!("{} · {}", s.count, s.savings)
            };
            (s.name.clone(), s.count as f64, shown)
        })
        .collect();
    Charts {
        categories: bars("Recommendations by category", &counts(&view.by_category), "#455a64"),
        impacts: bars("Recommendations by business impact", &counts(&view.by_impact), "#455a64"),
        subscriptions: bars("Recommendations and savings by subscription", &subscriptions, "#00695c"),
        risk: risk_matrix(view),
        trend: trend(view),
    }
}
