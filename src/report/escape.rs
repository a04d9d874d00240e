//! Escaping of input-derived text (resource labels, tags, export ids, descriptions, paths)
//! for the text formats. A name such as `"a\n::add-mask::x"` must not start a GitHub
//! workflow command on its own line, and ESC bytes must not recolor or hide text in a CI
//! log, so control characters are shown as escapes: `\n`, `\r`, `\t`, `\x1b`, `\u{9b}`.
//!
//! The structured formats escape with their own syntax (JSON strings, XML references).

use std::borrow::Cow;

/// Whether `c` is a control character (C0, DEL, C1) or a character that reorders or hides
/// text on a terminal (bidirectional overrides and isolates, line and paragraph separators).
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

fn push_escape(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
        c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
    }
}

/// `s` with every unsafe character (see [`is_unsafe`]) shown as an escape.
pub fn visible(s: &str) -> Cow<'_, str> {
    visible_except(s, |_, _| false)
}

/// Like [`visible`], but line feeds are kept: for vpclint's own multi-line texts (help
/// with an example block) that quote input-derived names. A line feed is escaped all the
/// same when the line after it would begin with `::` (after blanks): vpclint's texts never
/// do, and such a line is a GitHub workflow command.
pub fn visible_lines(s: &str) -> Cow<'_, str> {
    visible_except(s, |i, c| {
        c == '\n' && !s[i + 1..].trim_start_matches([' ', '\t']).starts_with("::")
    })
}

fn visible_except(s: &str, keep: impl Fn(usize, char) -> bool) -> Cow<'_, str> {
    if !s.char_indices().any(|(i, c)| is_unsafe(c) && !keep(i, c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for (i, c) in s.char_indices() {
        if is_unsafe(c) && !keep(i, c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible_escapes() {
        assert_eq!(
            visible("a\n::add-mask::x\x1b[31m\r\t\u{7f}\u{9b}\u{202e}é"),
            "a\\n::add-mask::x\\x1b[31m\\r\\t\\x7f\\x9b\\u{202e}é"
        );
        assert!(matches!(visible("plain % : ,"), Cow::Borrowed(_)));
    }

    #[test]
    fn visible_lines_keeps_line_feeds_only() {
        assert_eq!(visible_lines("a\nb\x1b\r"), "a\nb\\x1b\\r");
        assert_eq!(visible_lines("a\n  ::x\nb"), "a\\n  ::x\nb");
    }
}
