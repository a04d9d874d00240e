//! `--format concise`: one line per finding or input problem, `path:line:col: CODE message`
//! (as ruff's concise output), then the summary line. Input-derived text is escaped
//! (see [`super::escape`]), so every finding is exactly one line.

use super::escape::visible;
use super::Report;
use crate::source::Location;

fn place(loc: &Option<Location>, path: Option<&str>) -> String {
    match (loc, path) {
        (Some(l), _) => {
            let lc = l.line_col();
            format!(
                "{}:{}:{}",
                visible(&l.file.display_path()),
                lc.line,
                lc.column
            )
        }
        (None, Some(p)) => visible(p).into_owned(),
        (None, None) => "vpclint".to_string(),
    }
}

/// Renders input problems, then findings; the summary line unless `quiet`.
pub fn render_concise(report: &Report, quiet: bool) -> String {
    let mut out = String::new();
    for p in &report.problems {
        out.push_str(&format!(
            "{}: {} {}\n",
            place(&p.location, p.path.as_deref()),
            p.code,
            visible(&p.message)
        ));
    }
    for f in &report.findings {
        out.push_str(&format!(
            "{}: {} {}\n",
            place(&f.location, None),
            f.code,
            visible(&f.message)
        ));
    }
    if !quiet {
        out.push_str(&super::human::summary_line(report));
        out.push('\n');
    }
    out
}
