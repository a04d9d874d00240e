//! Human output: miette's graphical reports, then a one-line summary.

use super::{plural, Report};
use crate::diag::{Finding, Problem, Severity};
use crate::source::{Location, SourceFile};
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, SourceCode,
    SourceSpan, SpanContents,
};
use std::fmt;
use std::sync::Arc;

/// Options of the human format.
#[derive(Clone, Copy, Debug)]
pub struct HumanOptions {
    /// Use colors.
    pub color: bool,
    /// Also list values that could not be evaluated and input notes.
    pub verbose: bool,
    /// Only findings and errors: no summary, no notes.
    pub quiet: bool,
}

/// A source file as miette source code.
#[derive(Debug, Clone)]
struct Src(Arc<SourceFile>);

impl SourceCode for Src {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.0.text.read_span(span, before, after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.0.display_path(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}

#[derive(Debug)]
struct Diag {
    code: String,
    severity: miette::Severity,
    message: String,
    help: Option<String>,
    src: Option<Src>,
    labels: Vec<LabeledSpan>,
    related: Vec<Diag>,
}

impl fmt::Display for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diag {}

impl Diagnostic for Diag {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.code.is_empty()).then(|| Box::new(&self.code) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.src.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.labels.is_empty())
            .then(|| Box::new(self.labels.iter().cloned()) as Box<dyn Iterator<Item = LabeledSpan>>)
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        (!self.related.is_empty()).then(|| {
            Box::new(self.related.iter().map(|d| d as &dyn Diagnostic))
                as Box<dyn Iterator<Item = &dyn Diagnostic>>
        })
    }
}

fn miette_severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Note => miette::Severity::Advice,
    }
}

/// The span to underline: blocks are labelled on their first line.
fn label_span(loc: &Location) -> SourceSpan {
    let l = loc.first_line();
    SourceSpan::new(l.span.start.into(), l.span.end.saturating_sub(l.span.start))
}

/// Labels in one snippet read well only when they are a few lines apart.
fn near(a: &Location, b: &Location) -> bool {
    const LINES: usize = 8;
    Arc::ptr_eq(&a.file, &b.file) && a.first_line() != b.first_line() && {
        let (la, lb) = (a.line_col().line, b.line_col().line);
        la.abs_diff(lb) <= LINES
    }
}

/// Whether a location's line is short enough to show as a snippet (minified JSON, such as
/// `terraform show -json` output, is one line of many kilobytes: show its position instead).
fn showable(loc: &Location) -> bool {
    const MAX_LINE: usize = 300;
    let text = &loc.file.text;
    let start = text
        .get(..loc.span.start)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let end = text
        .get(loc.span.start..)
        .and_then(|t| t.find('\n'))
        .map_or(text.len(), |i| loc.span.start + i);
    end.saturating_sub(start) <= MAX_LINE
}

fn finding_diag(f: &Finding) -> Diag {
    let mut labels = Vec::new();
    let mut related = Vec::new();
    let mut message = f.message.clone();
    let primary = f.location.as_ref().filter(|l| showable(l));
    if let Some(loc) = f.location.as_ref().filter(|l| !showable(l)) {
        message.push_str(&format!(" (at {})", loc_text(&Some(loc.clone()))));
    }
    let src = primary.map(|l| Src(Arc::clone(&l.file)));
    if let Some(loc) = primary {
        let text = match &f.label {
            Some(l) if l != &f.resource => format!("{}: {l}", f.resource),
            _ => f.resource.clone(),
        };
        labels.push(LabeledSpan::new_primary_with_span(
            Some(text),
            label_span(loc),
        ));
    }
    for r in &f.related {
        let shown = r.location.as_ref().filter(|l| showable(l));
        match (shown, primary) {
            (Some(rl), Some(fl)) if near(rl, fl) => {
                labels.push(LabeledSpan::new_with_span(
                    Some(r.message.clone()),
                    label_span(rl),
                ));
            }
            (Some(rl), _) => related.push(Diag {
                code: String::new(),
                severity: miette::Severity::Advice,
                message: r.message.clone(),
                help: None,
                src: Some(Src(Arc::clone(&rl.file))),
                labels: vec![LabeledSpan::new_primary_with_span(None, label_span(rl))],
                related: Vec::new(),
            }),
            (None, _) => related.push(Diag {
                code: String::new(),
                severity: miette::Severity::Advice,
                message: match &r.location {
                    Some(_) => format!("{} (at {})", r.message, loc_text(&r.location)),
                    None => r.message.clone(),
                },
                help: None,
                src: None,
                labels: Vec::new(),
                related: Vec::new(),
            }),
        }
    }
    Diag {
        code: format!("{} {}", f.code, f.name),
        severity: miette_severity(f.severity),
        message,
        help: f.help.clone(),
        src,
        labels,
        related,
    }
}

fn problem_diag(p: &Problem) -> Diag {
    let message = match (&p.location, &p.path) {
        (None, Some(path)) => format!("{path}: {}", p.message),
        _ => p.message.clone(),
    };
    Diag {
        code: p.code.to_string(),
        severity: miette::Severity::Error,
        message,
        help: None,
        src: p.location.as_ref().map(|l| Src(Arc::clone(&l.file))),
        labels: p
            .location
            .as_ref()
            .map(|l| {
                vec![LabeledSpan::new_primary_with_span(
                    Some("here".into()),
                    SourceSpan::new(l.span.start.into(), l.span.end.saturating_sub(l.span.start)),
                )]
            })
            .unwrap_or_default(),
        related: Vec::new(),
    }
}

fn render(handler: &GraphicalReportHandler, d: &Diag, out: &mut String) {
    let mut s = String::new();
    if handler.render_report(&mut s, d).is_err() {
        s = format!("{}: {}\n", d.code, d.message);
    }
    out.push_str(&s);
    out.push('\n');
}

fn loc_text(loc: &Option<Location>) -> String {
    match loc {
        Some(l) => {
            let lc = l.line_col();
            format!("{}:{}:{}", l.file.display_path(), lc.line, lc.column)
        }
        None => "-".to_string(),
    }
}

/// Renders the report for a terminal.
pub fn render_human(report: &Report, opts: HumanOptions) -> String {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(110)
        .with_context_lines(1);
    let mut out = String::new();
    for p in &report.problems {
        render(&handler, &problem_diag(p), &mut out);
    }
    // With several roots, each header names the finding's root module.
    let several_roots = report.models > 1;
    for f in &report.findings {
        let mut d = finding_diag(f);
        if let (true, Some(root)) = (several_roots, &f.root) {
            d.code = format!("{} (root {root})", d.code);
        }
        render(&handler, &d, &mut out);
    }
    if opts.verbose {
        for n in &report.notes {
            match &n.location {
                Some(_) => {
                    out.push_str(&format!("note: {}: {}\n", loc_text(&n.location), n.message))
                }
                None => out.push_str(&format!("note: {}\n", n.message)),
            }
        }
        for u in &report.unknowns {
            out.push_str(&format!(
                "unknown: {}: {} `{}`: {}\n",
                loc_text(&u.location),
                u.address,
                u.attribute,
                u.reason
            ));
        }
        if !report.notes.is_empty() || !report.unknowns.is_empty() {
            out.push('\n');
        }
    }
    if !opts.quiet {
        out.push_str(&summary_line(report));
        out.push('\n');
    }
    out
}

/// `vpclint: 2 errors, 1 warning, 0 notes in 14 files (3 modules)`.
pub fn summary_line(report: &Report) -> String {
    let c = report.counts();
    let mut s = format!(
        "vpclint: {}, {}, {} in {} ({})",
        plural(c.errors, "error"),
        plural(c.warnings, "warning"),
        plural(c.notes, "note"),
        plural(report.files, "file"),
        plural(report.models, "module"),
    );
    if !report.problems.is_empty() {
        s.push_str(&format!(
            "; {} could not be read or evaluated",
            plural(report.problems.len(), "input error")
        ));
    }
    if !report.notes.is_empty() {
        s.push_str(&format!(
            "; {} (--verbose)",
            plural(report.notes.len(), "input note")
        ));
    }
    s
}
