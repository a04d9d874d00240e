//! `--format json`: a stable, versioned document (see README "JSON output").
//!
//! The document is written straight to the writer, finding by finding (serde's serializer
//! over borrowed views of the report), so a report of many findings is never held as a
//! tree of JSON values or as one string.

use super::Report;
use crate::baseline::BaselineStats;
use crate::diag::{Finding, Problem};
use crate::model::{InputNote, UnknownNote};
use crate::source::Location;
use serde::{Serialize, Serializer};
use serde_json::{json, Value};
use std::cell::RefCell;
use std::io::Write;

/// A location as the JSON formats write it (`null` when there is none).
pub fn location(loc: &Option<Location>) -> Value {
    match loc {
        Some(l) => {
            let lc = l.line_col();
            json!({
                "file": l.file.display_path(),
                "line": lc.line,
                "column": lc.column,
                "end_line": lc.end_line,
                "end_column": lc.end_column,
            })
        }
        None => Value::Null,
    }
}

/// A JSON array written from an iterator as it is serialized, item by item, never
/// collected. It is meant to be serialized once; a second time writes `[]`.
pub(crate) struct Seq<I>(RefCell<Option<I>>);

impl<I> Seq<I> {
    /// The array of the items of `items`.
    pub(crate) fn new(items: I) -> Self {
        Seq(RefCell::new(Some(items)))
    }
}

impl<I> Serialize for Seq<I>
where
    I: Iterator,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.borrow_mut().take() {
            Some(items) => s.collect_seq(items),
            None => s.collect_seq(std::iter::empty::<I::Item>()),
        }
    }
}

/// Writes `doc` pretty-printed (as `serde_json::to_string_pretty` does), then a newline.
pub(crate) fn write_pretty<W: Write, T: Serialize>(out: &mut W, doc: &T) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, doc)?;
    out.write_all(b"\n")
}

/// A location, borrowed for serializing (`null` when there is none).
#[derive(Serialize)]
struct Loc {
    file: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

fn loc(l: &Option<Location>) -> Option<Loc> {
    l.as_ref().map(|l| {
        let lc = l.line_col();
        Loc {
            file: l.file.display_path(),
            line: lc.line,
            column: lc.column,
            end_line: lc.end_line,
            end_column: lc.end_column,
        }
    })
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct RelatedOut<'a> {
    message: &'a str,
    location: Option<Loc>,
}

#[derive(Serialize)]
struct FindingOut<'a, R> {
    rule: &'a str,
    name: &'a str,
    severity: &'a str,
    message: &'a str,
    resource: &'a str,
    root: &'a Option<String>,
    location: Option<Loc>,
    help: &'a Option<String>,
    related: R,
}

fn finding(f: &Finding) -> FindingOut<'_, Seq<impl Iterator<Item = RelatedOut<'_>>>> {
    FindingOut {
        rule: f.code,
        name: f.name,
        severity: f.severity.as_str(),
        message: &f.message,
        resource: &f.resource,
        root: &f.root,
        location: loc(&f.location),
        help: &f.help,
        related: Seq::new(f.related.iter().map(|r| RelatedOut {
            message: &r.message,
            location: loc(&r.location),
        })),
    }
}

#[derive(Serialize)]
struct UseOut<'a> {
    location: Option<Loc>,
    instance: &'a Option<String>,
}

#[derive(Serialize)]
struct ErrorOut<'a, U> {
    code: &'a str,
    message: &'a str,
    file: &'a Option<String>,
    location: Option<Loc>,
    // One error for one cause: every other place it was reached.
    #[serde(skip_serializing_if = "Option::is_none")]
    uses: Option<U>,
}

fn error(p: &Problem) -> ErrorOut<'_, Seq<impl Iterator<Item = UseOut<'_>>>> {
    ErrorOut {
        code: p.code,
        message: &p.message,
        file: &p.path,
        location: loc(&p.location),
        uses: (!p.uses.is_empty()).then(|| {
            Seq::new(p.uses.iter().map(|u| UseOut {
                location: loc(&u.location),
                instance: &u.instance,
            }))
        }),
    }
}

#[derive(Serialize)]
struct NoteOut<'a> {
    message: &'a str,
    location: Option<Loc>,
}

fn note(n: &InputNote) -> NoteOut<'_> {
    NoteOut {
        message: &n.message,
        location: loc(&n.location),
    }
}

#[derive(Serialize)]
struct UnknownOut<'a> {
    resource: &'a str,
    attribute: &'a str,
    reason: &'a str,
    location: Option<Loc>,
}

fn unknown(u: &UnknownNote) -> UnknownOut<'_> {
    UnknownOut {
        resource: &u.address,
        attribute: &u.attribute,
        reason: &u.reason,
        location: loc(&u.location),
    }
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
    notes: usize,
    files: usize,
    modules: usize,
    input_errors: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    baselined: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_fixed: Option<usize>,
}

#[derive(Serialize)]
struct Doc<F, E, N, U> {
    version: u32,
    tool: Tool,
    findings: F,
    errors: E,
    summary: Summary,
    notes: N,
    #[serde(skip_serializing_if = "Option::is_none")]
    unknowns: Option<U>,
}

/// Writes the report as JSON (version 1), pretty-printed, with a trailing newline.
/// `verbose` adds the values that could not be evaluated (`unknowns`); `baseline` adds
/// `baselined` and `baseline_fixed` to the summary.
pub fn write_json<W: Write>(
    out: &mut W,
    report: &Report,
    verbose: bool,
    baseline: Option<BaselineStats>,
) -> std::io::Result<()> {
    let c = report.counts();
    let doc = Doc {
        version: 1,
        tool: Tool {
            name: "vpclint",
            version: env!("CARGO_PKG_VERSION"),
        },
        findings: Seq::new(report.findings.iter().map(finding)),
        errors: Seq::new(report.problems.iter().map(error)),
        summary: Summary {
            errors: c.errors,
            warnings: c.warnings,
            notes: c.notes,
            files: report.files,
            modules: report.models,
            input_errors: report.problems.len(),
            baselined: baseline.map(|b| b.baselined),
            baseline_fixed: baseline.map(|b| b.fixed),
        },
        notes: Seq::new(report.notes.iter().map(note)),
        unknowns: verbose.then(|| Seq::new(report.unknowns.iter().map(unknown))),
    };
    write_pretty(out, &doc)
}

/// Renders the report as JSON (version 1), pretty-printed, with a trailing newline.
/// `verbose` adds the values that could not be evaluated (`unknowns`).
pub fn render_json(report: &Report, verbose: bool) -> String {
    let mut out = Vec::new();
    // Writing into memory cannot fail, and serde_json writes UTF-8 only.
    let _ = write_json(&mut out, report, verbose, None);
    String::from_utf8(out).unwrap_or_default()
}
