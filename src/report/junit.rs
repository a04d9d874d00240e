//! `--format junit`: JUnit XML for GitLab, Jenkins and Azure Pipelines.
//!
//! Rules do not report what they checked, only what they found, so: one `<testsuite>` per
//! enabled rule (named `CODE name`), one failing `<testcase>` per finding, and one passing
//! `no findings` testcase for a rule that found nothing. Input problems (PARSE0xx) are
//! `<error>` testcases in a `vpclint-input` suite.

use super::escape;
use super::Report;
use crate::diag::Finding;
use crate::rules::RuleMeta;
use crate::source::Location;

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

fn finding_case(suite: &str, f: &Finding, out: &mut String) {
    let at = place(&f.location);
    let name = match &at {
        Some((file, line, col)) => format!("{} ({file}:{line}:{col})", f.resource),
        None => f.resource.clone(),
    };
    let file_attrs = match &at {
        Some((file, line, _)) => format!(" file=\"{}\" line=\"{line}\"", escape_xml(file)),
        None => String::new(),
    };
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
    out.push_str(&format!(
        "    <testcase classname=\"{}\" name=\"{}\"{file_attrs}>\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>\n",
        escape_xml(suite),
        escape_xml(&name),
        escape_xml(&f.message),
        f.severity.as_str(),
        escape_xml(&body),
    ));
}

/// Renders the report as JUnit XML. `rules` are the enabled rules, in suite order.
pub fn render_junit(report: &Report, rules: &[&RuleMeta]) -> String {
    let mut suites = String::new();
    let (mut tests, mut failures, mut errors) = (0usize, 0usize, 0usize);
    for m in rules {
        let suite = format!("{} {}", m.code, m.name);
        let found: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.code == m.code)
            .collect();
        let n = found.len().max(1);
        tests += n;
        failures += found.len();
        suites.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{n}\" failures=\"{}\" errors=\"0\" skipped=\"0\">\n",
            escape_xml(&suite),
            found.len()
        ));
        if found.is_empty() {
            suites.push_str(&format!(
                "    <testcase classname=\"{}\" name=\"no findings\"/>\n",
                escape_xml(&suite)
            ));
        }
        for f in found {
            finding_case(&suite, f, &mut suites);
        }
        suites.push_str("  </testsuite>\n");
    }
    if !report.problems.is_empty() {
        let n = report.problems.len();
        tests += n;
        errors += n;
        suites.push_str(&format!(
            "  <testsuite name=\"vpclint-input\" tests=\"{n}\" failures=\"0\" errors=\"{n}\" skipped=\"0\">\n"
        ));
        for p in &report.problems {
            let at = place(&p.location);
            let file = at
                .as_ref()
                .map(|(f, _, _)| f.clone())
                .or_else(|| p.path.clone());
            let name = match (&at, &file) {
                (Some((f, line, col)), _) => format!("{} {f}:{line}:{col}", p.code),
                (None, Some(f)) => format!("{} {f}", p.code),
                (None, None) => p.code.to_string(),
            };
            let file_attrs = match (&at, &file) {
                (Some((f, line, _)), _) => format!(" file=\"{}\" line=\"{line}\"", escape_xml(f)),
                (None, Some(f)) => format!(" file=\"{}\"", escape_xml(f)),
                (None, None) => String::new(),
            };
            suites.push_str(&format!(
                "    <testcase classname=\"vpclint-input\" name=\"{}\"{file_attrs}>\n      <error message=\"{}\" type=\"{}\">{}</error>\n    </testcase>\n",
                escape_xml(&name),
                escape_xml(&p.message),
                p.code,
                escape_xml(&p.message),
            ));
        }
        suites.push_str("  </testsuite>\n");
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"vpclint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">\n{suites}</testsuites>\n"
    )
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
