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
    /// Code points before each [`CHAR_MARK_STRIDE`]-byte block of the text, so that a column on
    /// a long line (minified JSON is one line) is counted from a nearby mark, not the line start.
    char_marks: Vec<usize>,
}

/// Bytes between two entries of `SourceFile::char_marks`.
const CHAR_MARK_STRIDE: usize = 4096;

/// Code points in a byte range of UTF-8: the bytes that are not continuation bytes. Counts
/// correctly from any byte position, a char boundary or not.
fn code_points(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| (**b & 0xC0) != 0x80).count()
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
        let mut char_marks = Vec::with_capacity(text.len() / CHAR_MARK_STRIDE + 1);
        let mut before = 0;
        for block in text.as_bytes().chunks(CHAR_MARK_STRIDE) {
            char_marks.push(before);
            before += code_points(block);
        }
        char_marks.push(before);
        Arc::new(SourceFile {
            path,
            text,
            line_starts,
            char_marks,
        })
    }

    /// Code points before a byte offset (at most the text's length).
    fn code_points_before(&self, offset: usize) -> usize {
        let block = offset / CHAR_MARK_STRIDE;
        let mark = self.char_marks.get(block).copied().unwrap_or(0);
        let from = (block * CHAR_MARK_STRIDE).min(offset);
        mark + code_points(self.text.as_bytes().get(from..offset).unwrap_or(&[]))
    }

    /// 1-based line and column (in Unicode code points) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        let col = if self.text.is_char_boundary(offset) {
            self.code_points_before(offset) - self.code_points_before(start)
        } else {
            offset - start
        };
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Line and column counted the slow way, from the start of the text.
    fn naive_line_col(text: &str, offset: usize) -> (usize, usize) {
        let before = &text.as_bytes()[..offset];
        let line = before.iter().filter(|b| **b == b'\n').count();
        let start = before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        let col = text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line + 1, col + 1)
    }

    #[test]
    fn columns_on_long_lines_count_code_points() {
        // Multi-byte characters straddle the mark blocks; one line far longer than a block.
        let mut text = String::new();
        for i in 0..3000 {
            text.push_str(if i % 7 == 0 { "é€😀" } else { "ab" });
            if i % 1000 == 999 {
                text.push('\n');
            }
        }
        let file = SourceFile::new(PathBuf::from("x.json"), text.clone());
        for offset in (0..=text.len()).step_by(37).chain([text.len()]) {
            assert_eq!(
                file.line_col(offset),
                naive_line_col(&text, offset),
                "offset {offset}"
            );
        }
        let exact = "a".repeat(CHAR_MARK_STRIDE * 2);
        let file = SourceFile::new(PathBuf::from("y.json"), exact.clone());
        assert_eq!(file.line_col(exact.len()), (1, exact.len() + 1));
        assert_eq!(file.line_col(exact.len() + 5), (1, exact.len() + 1));
    }
}
