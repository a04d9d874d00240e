//! Source files and locations inside them.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A file read from disk, with a line index for byte offset -> line/column.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as displayed: relative to the current directory where possible.
    pub path: PathBuf,
    /// The file's text.
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// Wraps a file's text.
    pub fn new(path: PathBuf, text: String) -> Arc<SourceFile> {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        // Kept for the file's lifetime: no growth slack (a large export has millions of lines).
        line_starts.shrink_to_fit();
        Arc::new(SourceFile {
            path,
            text,
            line_starts,
        })
    }

    /// 1-based line and column (in Unicode code points) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        let col = self
            .text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(offset - start);
        (line + 1, col + 1)
    }

    /// The byte offset of a 1-based line and column (column in code points).
    pub fn offset_of(&self, line: usize, col: usize) -> usize {
        let start = self
            .line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(self.text.len());
        let rest = self.text.get(start..).unwrap_or("");
        let mut offset = start;
        for (i, (b, ch)) in rest.char_indices().enumerate() {
            if i + 1 >= col || ch == '\n' {
                return start + b;
            }
            offset = start + b + ch.len_utf8();
        }
        offset
    }

    /// The path with forward slashes, as printed in reports.
    pub fn display_path(&self) -> String {
        display_path(&self.path)
    }
}

/// A path with forward slashes and without a leading `./`.
pub fn display_path(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// A span in a source file.
#[derive(Clone, Debug)]
pub struct Location {
    /// The file.
    pub file: Arc<SourceFile>,
    /// Byte range in the file.
    pub span: Range<usize>,
}

/// Line/column form of a location, 1-based, end inclusive of the last character.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    /// Start line.
    pub line: usize,
    /// Start column.
    pub column: usize,
    /// End line.
    pub end_line: usize,
    /// End column (exclusive, as in SARIF).
    pub end_column: usize,
}

impl Location {
    /// Creates a location.
    pub fn new(file: &Arc<SourceFile>, span: Range<usize>) -> Location {
        Location {
            file: Arc::clone(file),
            span,
        }
    }

    /// Start and end as lines and columns.
    pub fn line_col(&self) -> LineCol {
        let (line, column) = self.file.line_col(self.span.start);
        let (end_line, end_column) = self.file.line_col(self.span.end.max(self.span.start));
        LineCol {
            line,
            column,
            end_line,
            end_column,
        }
    }

    /// The location narrowed to its first line (blocks span many lines; labels read better on one).
    pub fn first_line(&self) -> Location {
        let text = self.file.text.get(self.span.clone()).unwrap_or("");
        let end = text
            .find('\n')
            .map(|i| self.span.start + i)
            .unwrap_or(self.span.end);
        Location::new(&self.file, self.span.start..end)
    }
}

impl PartialEq for Location {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.file, &other.file) && self.span == other.span
    }
}

/// Which input paths to leave out (`exclude` in the configuration): true means excluded.
pub type PathFilter = std::sync::Arc<dyn Fn(&Path) -> bool + Send + Sync>;
