//! Human output: miette's graphical reports, then a one-line summary.

use super::escape;
use super::{plural, Report};
use crate::diag::{Finding, Problem, Severity};
use crate::source::{Location, SourceFile};
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, SourceCode,
    SourceSpan, SpanContents,
};
use std::collections::HashMap;
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

/// A source file as miette source code, with its unsafe characters (see
/// [`escape::is_unsafe`]) shown as escapes, so a snippet cannot carry ESC sequences or
/// bidirectional overrides from the input to the terminal. Spans are mapped to the escaped
/// text with [`Src::span`].
#[derive(Debug, Clone)]
struct Src(Arc<SafeText>);

#[derive(Debug)]
struct SafeText {
    name: String,
    /// The escaped text, when the file has characters to escape.
    escaped: Option<String>,
    file: Arc<SourceFile>,
    /// Offsets (in the original text) of escaped characters, with the bytes added by
    /// the escapes up to and including each one.
    shifts: Vec<(usize, usize)>,
    /// Where each line of the shown (escaped) text starts, so a snippet is cut from its
    /// own lines: miette reading a `str` counts lines from the top of the file on every
    /// snippet, which is quadratic over the findings of a large export.
    line_starts: Vec<usize>,
}

impl Src {
    fn new(file: &Arc<SourceFile>) -> Src {
        let text = &file.text;
        let mut shifts = Vec::new();
        let mut escaped = None;
        let unsafe_at = |i: usize, c: char| {
            escape::is_unsafe(c)
                && c != '\n'
                && c != '\t'
                && !(c == '\r' && text.as_bytes().get(i + 1) == Some(&b'\n'))
        };
        if text.char_indices().any(|(i, c)| unsafe_at(i, c)) {
            let mut out = String::with_capacity(text.len() + 16);
            let mut added = 0;
            for (i, c) in text.char_indices() {
                if unsafe_at(i, c) {
                    let e = escape::visible(c.encode_utf8(&mut [0; 4])).into_owned();
                    added += e.len() - c.len_utf8();
                    out.push_str(&e);
                    shifts.push((i, added));
                } else {
                    out.push(c);
                }
            }
            escaped = Some(out);
        }
        let shown = escaped.as_deref().unwrap_or(text);
        let line_starts = std::iter::once(0)
            .chain(
                shown
                    .bytes()
                    .enumerate()
                    .filter(|(_, b)| *b == b'\n')
                    .map(|(i, _)| i + 1),
            )
            .collect();
        Src(Arc::new(SafeText {
            name: escape::visible(&file.display_path()).into_owned(),
            escaped,
            file: Arc::clone(file),
            shifts,
            line_starts,
        }))
    }

    /// An offset of the original text in the escaped text.
    fn offset(&self, o: usize) -> usize {
        let i = self.0.shifts.partition_point(|(at, _)| *at < o);
        o + i.checked_sub(1).map_or(0, |i| self.0.shifts[i].1)
    }

    /// A span of the original text in the escaped text.
    fn span(&self, start: usize, end: usize) -> SourceSpan {
        let (s, e) = (self.offset(start), self.offset(end));
        SourceSpan::new(s.into(), e.saturating_sub(s))
    }

    fn text(&self) -> &str {
        self.0.escaped.as_deref().unwrap_or(&self.0.file.text)
    }
}

impl SourceCode for Src {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text = self.text();
        let starts = &self.0.line_starts;
        // The lines of the span and `before`/`after` lines around it, cut out by the index.
        let line_of = |offset: usize| starts.partition_point(|s| *s <= offset).saturating_sub(1);
        let first = line_of(span.offset()).saturating_sub(before);
        let last_offset = (span.offset() + span.len())
            .saturating_sub(1)
            .max(span.offset());
        let last = line_of(last_offset) + after + 1;
        let lo = starts.get(first).copied().unwrap_or(0).min(text.len());
        let hi = starts
            .get(last)
            .copied()
            .unwrap_or(text.len())
            .min(text.len());
        // Line starts follow a newline, so they are character boundaries; the whole text is
        // the fallback all the same.
        let (lo, first_line, window) = match text.get(lo..hi) {
            Some(w) => (lo, first, w),
            None => (0, 0, text),
        };
        let local = SourceSpan::new(span.offset().saturating_sub(lo).into(), span.len());
        let inner = window.read_span(&local, before, after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.0.name.clone(),
            inner.data(),
            SourceSpan::new((inner.span().offset() + lo).into(), inner.span().len()),
            inner.line() + first_line,
            inner.column(),
            // miette counts these lines from the top of its input, so from the window's.
            inner.line_count() + first_line,
        )))
    }
}

/// The escaped view of each file, built once per file.
#[derive(Default)]
struct Sources(HashMap<*const SourceFile, Src>);

impl Sources {
    fn get(&mut self, file: &Arc<SourceFile>) -> Src {
        self.0
            .entry(Arc::as_ptr(file))
            .or_insert_with(|| Src::new(file))
            .clone()
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
}

fn miette_severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Note => miette::Severity::Advice,
    }
}

/// The span to underline: blocks are labelled on their first line.
fn label_span(src: &Src, loc: &Location) -> SourceSpan {
    let l = loc.first_line();
    src.span(l.span.start, l.span.end)
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

/// Input-derived text, escaped for a terminal.
fn safe(s: &str) -> String {
    escape::visible(s).into_owned()
}

/// A finding's report, and the reports of its related locations that are not labels of its
/// snippet (rendered after it, each with its own snippet).
fn finding_diag(f: &Finding, sources: &mut Sources) -> (Diag, Vec<Diag>) {
    let mut labels = Vec::new();
    let mut related = Vec::new();
    let mut message = safe(&f.message);
    let primary = f.location.as_ref().filter(|l| showable(l));
    if let Some(loc) = f.location.as_ref().filter(|l| !showable(l)) {
        message.push_str(&format!(" (at {})", loc_text(&Some(loc.clone()))));
    }
    let src = primary.map(|l| sources.get(&l.file));
    if let (Some(loc), Some(src)) = (primary, &src) {
        let text = match &f.label {
            Some(l) if l != &f.resource => format!("{}: {}", safe(&f.resource), safe(l)),
            _ => safe(&f.resource),
        };
        labels.push(LabeledSpan::new_primary_with_span(
            Some(text),
            label_span(src, loc),
        ));
    }
    for r in &f.related {
        let shown = r.location.as_ref().filter(|l| showable(l));
        match (shown, primary, &src) {
            (Some(rl), Some(fl), Some(src)) if near(rl, fl) => {
                labels.push(LabeledSpan::new_with_span(
                    Some(safe(&r.message)),
                    label_span(src, rl),
                ));
            }
            (Some(rl), _, _) => {
                let rsrc = sources.get(&rl.file);
                let span = label_span(&rsrc, rl);
                related.push(Diag {
                    code: String::new(),
                    severity: miette::Severity::Advice,
                    message: safe(&r.message),
                    help: None,
                    src: Some(rsrc),
                    labels: vec![LabeledSpan::new_primary_with_span(None, span)],
                })
            }
            (None, _, _) => related.push(Diag {
                code: String::new(),
                severity: miette::Severity::Advice,
                message: match &r.location {
                    Some(_) => format!("{} (at {})", safe(&r.message), loc_text(&r.location)),
                    None => safe(&r.message),
                },
                help: None,
                src: None,
                labels: Vec::new(),
            }),
        }
    }
    let diag = Diag {
        code: format!("{} {}", f.code, f.name),
        severity: miette_severity(f.severity),
        message,
        // Help quotes the resource address in examples: escape it whole there, keeping the
        // help's own line breaks.
        help: f.help.as_deref().map(|h| {
            escape::visible_lines(&h.replace(&f.resource, &safe(&f.resource))).into_owned()
        }),
        src,
        labels,
    };
    (diag, related)
}

fn problem_diag(p: &Problem, sources: &mut Sources) -> Diag {
    let mut message = match (&p.location, &p.path) {
        (None, Some(path)) => format!("{}: {}", safe(path), safe(&p.message)),
        _ => safe(&p.message),
    };
    // As for findings: a line too long for a snippet (a syntax error deep in minified
    // JSON, where miette's layout also panics past column 65,535) shows its position.
    let shown = p.location.as_ref().filter(|l| showable(l));
    if let Some(loc) = p.location.as_ref().filter(|l| !showable(l)) {
        message.push_str(&format!(" (at {})", loc_text(&Some(loc.clone()))));
    }
    let src = shown.map(|l| sources.get(&l.file));
    let labels = match (shown, &src) {
        (Some(l), Some(src)) => vec![LabeledSpan::new_primary_with_span(
            Some("here".into()),
            src.span(l.span.start, l.span.end),
        )],
        _ => Vec::new(),
    };
    Diag {
        code: p.code.to_string(),
        severity: miette::Severity::Error,
        message,
        help: None,
        src,
        labels,
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

/// A related location: indented under its finding, without a heading of its own.
fn render_related(handler: &GraphicalReportHandler, d: &Diag, out: &mut String) {
    let mut s = String::new();
    if handler.render_report(&mut s, d).is_err() {
        s = format!("☞ {}\n", d.message);
    }
    for line in s.trim_start_matches('\n').lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            out.push_str("  ");
            out.push_str(line);
            out.push('\n');
        }
    }
    out.push('\n');
}

fn loc_text(loc: &Option<Location>) -> String {
    match loc {
        Some(l) => {
            let lc = l.line_col();
            format!("{}:{}:{}", safe(&l.file.display_path()), lc.line, lc.column)
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
    let mut sources = Sources::default();
    for p in &report.problems {
        render(&handler, &problem_diag(p, &mut sources), &mut out);
    }
    // With several roots, each header names the finding's root module.
    let several_roots = report.models > 1;
    for f in &report.findings {
        let (mut diag, related) = finding_diag(f, &mut sources);
        if let (true, Some(root)) = (several_roots, &f.root) {
            diag.code = format!("{} (root {root})", diag.code);
        }
        render(&handler, &diag, &mut out);
        for r in &related {
            render_related(&handler, r, &mut out);
        }
    }
    if opts.verbose {
        for n in &report.notes {
            match &n.location {
                Some(_) => out.push_str(&format!(
                    "note: {}: {}\n",
                    loc_text(&n.location),
                    safe(&n.message)
                )),
                None => out.push_str(&format!("note: {}\n", safe(&n.message))),
            }
        }
        for u in &report.unknowns {
            out.push_str(&format!(
                "unknown: {}: {} `{}`: {}\n",
                loc_text(&u.location),
                safe(&u.address),
                safe(&u.attribute),
                safe(&u.reason)
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
