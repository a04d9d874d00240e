//! `--format github`: GitHub Actions workflow commands, one per finding or input problem,
//! so findings show inline on the pull request without code scanning.
//!
//! `::error file=F,line=L,col=C,endLine=E,endColumn=EC,title=CODE name::message`, with
//! `warning` and `notice` for the other severities. Positions are the ones of every other
//! format (1-based, columns in code points, `endColumn` exclusive); `col` and `endColumn`
//! are left out when the span covers several lines, since GitHub rejects columns there.

use super::escape;
use super::Report;
use crate::diag::Severity;
use crate::source::Location;

/// Escapes the message of a workflow command: `%`, CR and LF as the runner decodes them
/// (`%25`, `%0D`, `%0A`), other control characters as visible escapes (`\x1b`), so that
/// input-derived text can neither end the command nor recolor the log.
pub fn escape_data(s: &str) -> String {
    escape(s, false)
}

/// Escapes a property value of a workflow command (as data, plus `:` and `,`).
pub fn escape_property(s: &str) -> String {
    escape(s, true)
}

fn escape(s: &str, property: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' if property => out.push_str("%3A"),
            ',' if property => out.push_str("%2C"),
            c if escape::is_unsafe(c) => out.push_str(&escape::visible(c.encode_utf8(&mut [0; 4]))),
            c => out.push(c),
        }
    }
    out
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    }
}

fn position(loc: &Location) -> String {
    let lc = loc.line_col();
    let file = escape_property(&loc.file.display_path());
    if lc.line == lc.end_line {
        format!(
            "file={file},line={},col={},endLine={},endColumn={}",
            lc.line, lc.column, lc.end_line, lc.end_column
        )
    } else {
        // GitHub accepts columns only when the annotation starts and ends on the same line.
        format!("file={file},line={},endLine={}", lc.line, lc.end_line)
    }
}

fn line(cmd: &str, place: Option<String>, title: &str, message: &str) -> String {
    let mut props = Vec::new();
    if let Some(p) = place {
        props.push(p);
    }
    props.push(format!("title={}", escape_property(title)));
    format!("::{cmd} {}::{}\n", props.join(","), escape_data(message))
}

/// Renders input problems, then findings, one workflow command per line.
pub fn render_github(report: &Report) -> String {
    let mut out = String::new();
    for p in &report.problems {
        let place = match (&p.location, &p.path) {
            (Some(loc), _) => Some(position(loc)),
            (None, Some(path)) => Some(format!("file={}", escape_property(path))),
            (None, None) => None,
        };
        out.push_str(&line("error", place, p.code, &p.message));
    }
    for f in &report.findings {
        let title = format!("{} {}", f.code, f.name);
        out.push_str(&line(
            command(f.severity),
            f.location.as_ref().map(position),
            &title,
            &f.message,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_escapes_percent_and_line_breaks_only() {
        assert_eq!(escape_data("50% a:b, c\r\nd"), "50%25 a:b, c%0D%0Ad");
    }

    #[test]
    fn properties_also_escape_colon_and_comma() {
        assert_eq!(escape_property("a,b:c%\n"), "a%2Cb%3Ac%25%0A");
    }

    #[test]
    fn other_control_characters_are_visible_escapes() {
        assert_eq!(
            escape_data("a\u{1b}[31m\t\u{202e}"),
            "a\\x1b[31m\\t\\u{202e}"
        );
        assert_eq!(escape_property("\u{7}"), "\\x07");
    }
}
