//! `--format junit`: JUnit XML for GitLab, Jenkins and Azure Pipelines.
//!
//! Rules do not report what they checked, only what they found, so: one `<testsuite>` per
//! enabled rule (named `CODE name`) holding one `<testsuite>` per file (with the `file`
//! attribute), one failing `<testcase>` per finding (a passing one with `<system-out>` for
//! a note), and one passing `no findings` testcase for a rule that found nothing.
//! Test names carry no line numbers. Input problems (PARSE0xx) are `<error>` testcases in
//! a `vpclint-input` suite. The document is valid against Jenkins' junit-10.xsd
//! (tests/assets/junit-10.xsd).

use super::escape;
use super::Report;
use crate::diag::{Finding, Severity};
use crate::rules::RuleMeta;
use crate::source::Location;
use std::collections::BTreeMap;
use std::io::Write;

/// Escapes text for XML content and attribute values. Control characters (which XML 1.0
/// cannot hold, or which a log viewer would interpret) and U+FFFE/U+FFFF become visible
/// escapes (`\x1b`); line breaks and tabs are kept (as references, so attributes keep them too).
pub fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if escape::is_unsafe(c) => out.push_str(&escape::visible(c.encode_utf8(&mut [0; 4]))),
            '\u{FFFE}' | '\u{FFFF}' => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn place(loc: &Option<Location>) -> Option<(String, usize, usize)> {
    loc.as_ref().map(|l| {
        let lc = l.line_col();
        (l.file.display_path(), lc.line, lc.column)
    })
}

/// The test name of a finding: its resource and label, never a line number, so a test
/// keeps its identity (and history) when code moves.
fn case_name(f: &Finding) -> String {
    match &f.label {
        Some(l) if l != &f.resource && !l.is_empty() => format!("{}: {l}", f.resource),
        _ => f.resource.clone(),
    }
}

fn finding_case<W: Write>(suite: &str, f: &Finding, out: &mut W) -> std::io::Result<()> {
    let at = place(&f.location);
    let mut body = match &at {
        Some((file, line, col)) => format!("{file}:{line}:{col}: {}", f.message),
        None => f.message.clone(),
    };
    for r in &f.related {
        match place(&r.location) {
            Some((file, line, col)) => {
                body.push_str(&format!("\n  {file}:{line}:{col}: {}", r.message))
            }
            None => body.push_str(&format!("\n  {}", r.message)),
        }
    }
    if let Some(h) = &f.help {
        body.push_str(&format!("\nhelp: {h}"));
    }
    writeln!(
        out,
        "      <testcase classname=\"{}\" name=\"{}\">",
        escape_xml(suite),
        escape_xml(&case_name(f)),
    )?;
    if f.severity == Severity::Note {
        // Notes are worth knowing, not failures: the test passes and carries the note.
        writeln!(
            out,
            "        <system-out>note: {}</system-out>",
            escape_xml(&body)
        )?;
    } else {
        writeln!(
            out,
            "        <failure message=\"{}\" type=\"{}\">{}</failure>",
            escape_xml(&f.message),
            f.severity.as_str(),
            escape_xml(&body),
        )?;
    }
    writeln!(out, "      </testcase>")
}

/// The number of failing (not note) findings.
fn failing(fs: &[&Finding]) -> usize {
    fs.iter().filter(|f| f.severity != Severity::Note).count()
}

/// One suite per rule (`CODE name`), holding one suite per file (`name` and `file` are the
/// file's path, which is where Jenkins' junit-10.xsd allows `file`), each with a testcase per
/// finding; a rule that found nothing has one passing `no findings` testcase.
fn rule_suite<W: Write>(suite: &str, found: &[&Finding], out: &mut W) -> std::io::Result<()> {
    let n = found.len().max(1);
    let failures = failing(found);
    writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{n}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">",
        escape_xml(suite),
    )?;
    if found.is_empty() {
        writeln!(
            out,
            "    <testcase classname=\"{}\" name=\"no findings\"/>",
            escape_xml(suite)
        )?;
    }
    let mut by_file: BTreeMap<String, Vec<&Finding>> = BTreeMap::new();
    for f in found {
        let file = place(&f.location).map(|p| p.0).unwrap_or_default();
        by_file.entry(file).or_default().push(f);
    }
    for (file, fs) in &by_file {
        let file_attr = if file.is_empty() {
            String::new()
        } else {
            format!(" file=\"{}\"", escape_xml(file))
        };
        let name = if file.is_empty() { suite } else { file };
        writeln!(
            out,
            "    <testsuite name=\"{}\"{file_attr} tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">",
            escape_xml(name),
            fs.len(),
            failing(fs),
        )?;
        for f in fs {
            finding_case(suite, f, out)?;
        }
        writeln!(out, "    </testsuite>")?;
    }
    writeln!(out, "  </testsuite>")
}

/// Writes the report as JUnit XML, valid against Jenkins' junit-10.xsd, suite by suite.
/// `rules` are the enabled rules, in suite order; vpclint's own diagnostics (VPCLINT00x)
/// follow when they found something, and input problems (PARSE00x) are `<error>` testcases
/// in a `vpclint-input` suite.
pub fn write_junit<W: Write>(
    out: &mut W,
    report: &Report,
    rules: &[&RuleMeta],
) -> std::io::Result<()> {
    // The findings of each code, in report order, gathered in one pass.
    let mut by_code: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        by_code.entry(f.code).or_default().push(f);
    }
    let mut listed: Vec<(String, &str)> = rules
        .iter()
        .map(|m| (format!("{} {}", m.code, m.name), m.code.as_str()))
        .collect();
    for (code, name, ..) in crate::suppress::DIAGNOSTICS {
        if by_code.contains_key(code) {
            listed.push((format!("{code} {name}"), code));
        }
    }
    let found = |code: &str| -> &[&Finding] { by_code.get(code).map_or(&[], Vec::as_slice) };
    // The totals open the document: count first, then write suite by suite.
    let problems = report.problems.len();
    let (mut tests, mut failures) = (problems, 0usize);
    for (_, code) in &listed {
        let fs = found(code);
        tests += fs.len().max(1);
        failures += failing(fs);
    }
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(
        out,
        "<testsuites name=\"vpclint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{problems}\">"
    )?;
    for (suite, code) in &listed {
        rule_suite(suite, found(code), out)?;
    }
    if problems > 0 {
        let n = problems;
        writeln!(
            out,
            "  <testsuite name=\"vpclint-input\" tests=\"{n}\" failures=\"0\" errors=\"{n}\" skipped=\"0\">"
        )?;
        for p in &report.problems {
            let at = place(&p.location);
            let file = at
                .as_ref()
                .map(|(f, _, _)| f.clone())
                .or_else(|| p.path.clone());
            let name = match &file {
                Some(f) => format!("{} {f}", p.code),
                None => p.code.to_string(),
            };
            let body = match &at {
                Some((f, line, col)) => format!("{f}:{line}:{col}: {}", p.message),
                None => p.message.clone(),
            };
            writeln!(
                out,
                "    <testcase classname=\"vpclint-input\" name=\"{}\">\n      <error message=\"{}\" type=\"{}\">{}</error>\n    </testcase>",
                escape_xml(&name),
                escape_xml(&p.message),
                p.code,
                escape_xml(&body),
            )?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

/// Renders the report as JUnit XML (see [`write_junit`]).
pub fn render_junit(report: &Report, rules: &[&RuleMeta]) -> String {
    let mut out = Vec::new();
    // Writing into memory cannot fail, and the text is UTF-8.
    let _ = write_junit(&mut out, report, rules);
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_quotes_and_control_characters() {
        assert_eq!(
            escape_xml("a & <b> \"c\" 'd'\n\u{1}e"),
            "a &amp; &lt;b&gt; &quot;c&quot; &apos;d&apos;&#10;\\x01e"
        );
    }
}
