//! A JSON parser that keeps the byte span of every value and key.
//!
//! serde_json has no spans, and findings on exports must point at the JSON
//! object they are about. The grammar is RFC 8259, as serde_json accepts it,
//! plus a leading UTF-8 byte order mark (Windows tools write one). The parser
//! is iterative and limits nesting to [`MAX_DEPTH`], so no input can exhaust
//! the stack; it never panics.

use std::ops::Range;

/// Deepest nesting of arrays and objects accepted.
pub const MAX_DEPTH: usize = 256;

/// A JSON value with the byte span of its text (strings include their quotes).
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Byte range in the parsed text.
    pub span: Range<usize>,
    /// The value.
    pub kind: Kind,
}

/// The kinds of JSON value.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// An object, members in text order (duplicate keys are kept).
    Object(Vec<Member>),
    /// An array.
    Array(Vec<Node>),
    /// A string, unescaped.
    String(String),
    /// A number (the text is at the node's span).
    Number(serde_json::Number),
    /// `true` / `false`.
    Bool(bool),
    /// `null`.
    Null,
}

/// One `"key": value` member of an object.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    /// The key, unescaped.
    pub key: String,
    /// Span of the key, quotes included.
    pub key_span: Range<usize>,
    /// The value.
    pub value: Node,
}

/// Why the text is not JSON, and where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at byte {offset})")]
pub struct ParseError {
    /// Byte offset of the problem in the text.
    pub offset: usize,
    /// What is wrong, e.g. "expected `,` or `}` after object member".
    pub message: String,
}

impl Node {
    /// The members, if this is an object.
    pub fn as_object(&self) -> Option<&[Member]> {
        match &self.kind {
            Kind::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The items, if this is an array.
    pub fn as_array(&self) -> Option<&[Node]> {
        match &self.kind {
            Kind::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The string, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::String(s) => Some(s),
            _ => None,
        }
    }

    /// The bool, if this is a bool.
    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            Kind::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number as a whole number, if it is one that fits in an i64.
    pub fn as_i64(&self) -> Option<i64> {
        match &self.kind {
            Kind::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    /// The member with this key (the last one if the key is repeated, as serde_json does).
    pub fn member(&self, key: &str) -> Option<&Member> {
        self.as_object()?.iter().rev().find(|m| m.key == key)
    }

    /// The value of the member with this key.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.member(key).map(|m| &m.value)
    }

    /// A short description of the value for messages: `a string`, `the number 6`, `null`.
    pub fn describe(&self) -> String {
        match &self.kind {
            Kind::Object(_) => "an object".into(),
            Kind::Array(_) => "an array".into(),
            Kind::String(s) if s.chars().count() <= 40 => format!("the string {s:?}"),
            Kind::String(_) => "a string".into(),
            Kind::Number(n) => format!("the number {n}"),
            Kind::Bool(b) => format!("`{b}`"),
            Kind::Null => "`null`".into(),
        }
    }
}

/// Converts a node to a serde_json value (duplicate keys: the last one wins, as in serde_json).
pub fn to_serde(node: &Node) -> serde_json::Value {
    use serde_json::Value;
    match &node.kind {
        Kind::Object(members) => {
            let mut map = serde_json::Map::new();
            for m in members {
                map.insert(m.key.clone(), to_serde(&m.value));
            }
            Value::Object(map)
        }
        Kind::Array(items) => Value::Array(items.iter().map(to_serde).collect()),
        Kind::String(s) => Value::String(s.clone()),
        Kind::Number(n) => Value::Number(n.clone()),
        Kind::Bool(b) => Value::Bool(*b),
        Kind::Null => Value::Null,
    }
}

/// Parses a whole JSON text.
pub fn parse(text: &str) -> Result<Node, ParseError> {
    let mut p = Parser::new(text);
    p.skip_bom();
    p.document()
}

/// The first key of the top-level object, if the text starts like one (`{ "Key"`),
/// even when the rest does not parse: tells a broken export from other broken JSON.
pub fn leading_key(text: &str) -> Option<String> {
    let mut p = Parser::new(text);
    p.skip_bom();
    p.skip_ws();
    if p.peek() != Some(b'{') {
        return None;
    }
    p.pos += 1;
    p.skip_ws();
    if p.peek() != Some(b'"') {
        return None;
    }
    p.string().ok().map(|(s, _)| s)
}

/// Parses a whole JSON text like [`parse`], accepting and rejecting exactly the same
/// texts with the same errors, but hands the items of the top-level object's array
/// members whose key `stream` accepts to `on_item` one at a time instead of keeping
/// them: memory holds one item, not the document. Those members come back as empty
/// arrays with their real span; [`for_each_item`] reads their items again.
pub fn parse_streaming(
    text: &str,
    stream: impl Fn(&str) -> bool,
    mut on_item: impl FnMut(&str, Node),
) -> Result<Node, ParseError> {
    let mut p = Parser::new(text);
    p.skip_bom();
    p.skip_ws();
    if p.peek() != Some(b'{') {
        return p.document();
    }
    let start = p.pos;
    p.pos += 1;
    p.skip_ws();
    let mut members = Vec::new();
    if p.peek() == Some(b'}') {
        p.pos += 1;
    } else {
        let mut what = "expected a string key or `}`";
        loop {
            let (key, key_span) = p.key(what)?;
            p.skip_ws();
            let value = if p.peek() == Some(b'[') && stream(&key) {
                p.items(1, |item| on_item(&key, item))?
            } else {
                p.value(1)?
            };
            members.push(Member {
                key,
                key_span,
                value,
            });
            p.skip_ws();
            match p.peek() {
                Some(b',') => {
                    p.pos += 1;
                    what = "expected a string key after `,`";
                }
                Some(b'}') => {
                    p.pos += 1;
                    break;
                }
                _ => return Err(p.expected("expected `,` or `}` after object member")),
            }
        }
    }
    let node = Node {
        span: start..p.pos,
        kind: Kind::Object(members),
    };
    p.end()?;
    Ok(node)
}

/// Parses again, one at a time, the items of a top-level member's array that
/// [`parse_streaming`] handed out (`span`: the array's span in `text`).
pub fn for_each_item(
    text: &str,
    span: &Range<usize>,
    each: impl FnMut(Node),
) -> Result<(), ParseError> {
    let mut p = Parser::new(text);
    p.pos = span.start;
    if p.peek() != Some(b'[') {
        return Err(p.expected("expected `[`"));
    }
    p.items(1, each).map(|_| ())
}

/// An open array or object while its contents are parsed.
enum Frame {
    Object {
        start: usize,
        members: Vec<Member>,
        key: String,
        key_span: Range<usize>,
    },
    Array {
        start: usize,
        items: Vec<Node>,
    },
}

struct Parser<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
}

impl<'t> Parser<'t> {
    fn new(text: &'t str) -> Self {
        Parser {
            text,
            bytes: text.as_bytes(),
            pos: 0,
        }
    }

    fn skip_bom(&mut self) {
        if self.text.starts_with('\u{feff}') {
            self.pos = '\u{feff}'.len_utf8();
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// An error at the current position: "unexpected end of input: ..." at the end,
    /// else "..., found `x`".
    fn expected(&self, what: &str) -> ParseError {
        let message = match self.text.get(self.pos..).and_then(|s| s.chars().next()) {
            None => format!("unexpected end of input: {what}"),
            Some(c) => format!("{what}, found {}", show_char(c)),
        };
        ParseError {
            offset: self.pos,
            message,
        }
    }

    fn error(offset: usize, message: impl Into<String>) -> ParseError {
        ParseError {
            offset,
            message: message.into(),
        }
    }

    fn document(&mut self) -> Result<Node, ParseError> {
        let node = self.value(0)?;
        self.end()?;
        Ok(node)
    }

    /// Only whitespace may follow the document's value.
    fn end(&mut self) -> Result<(), ParseError> {
        self.skip_ws();
        if self.pos < self.bytes.len() {
            return Err(Self::error(
                self.pos,
                "trailing characters after the JSON value",
            ));
        }
        Ok(())
    }

    /// One value, inside `open` arrays and objects already open (for the depth limit).
    fn value(&mut self, open: usize) -> Result<Node, ParseError> {
        let mut stack: Vec<Frame> = Vec::new();
        loop {
            // Expecting a value.
            self.skip_ws();
            let start = self.pos;
            let mut node = match self.peek() {
                Some(b'{') => {
                    self.check_depth(open + stack.len())?;
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                        Node {
                            span: start..self.pos,
                            kind: Kind::Object(Vec::new()),
                        }
                    } else {
                        let (key, key_span) = self.key("expected a string key or `}`")?;
                        stack.push(Frame::Object {
                            start,
                            members: Vec::new(),
                            key,
                            key_span,
                        });
                        continue;
                    }
                }
                Some(b'[') => {
                    self.check_depth(open + stack.len())?;
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                        Node {
                            span: start..self.pos,
                            kind: Kind::Array(Vec::new()),
                        }
                    } else {
                        stack.push(Frame::Array {
                            start,
                            items: Vec::new(),
                        });
                        continue;
                    }
                }
                Some(b'"') => {
                    let (s, span) = self.string()?;
                    Node {
                        span,
                        kind: Kind::String(s),
                    }
                }
                Some(b'-' | b'0'..=b'9') => self.number()?,
                Some(b't') => self.literal("true", Kind::Bool(true))?,
                Some(b'f') => self.literal("false", Kind::Bool(false))?,
                Some(b'n') => self.literal("null", Kind::Null)?,
                Some(_) => return Err(self.found_word("expected a value")),
                None => return Err(self.expected("expected a value")),
            };
            // A value is complete: attach it to the open containers, closing those that end.
            loop {
                match stack.last_mut() {
                    None => return Ok(node),
                    Some(Frame::Object {
                        start,
                        members,
                        key,
                        key_span,
                    }) => {
                        members.push(Member {
                            key: std::mem::take(key),
                            key_span: key_span.clone(),
                            value: node,
                        });
                        self.skip_ws();
                        match self.peek() {
                            Some(b',') => {
                                self.pos += 1;
                                let (k, ks) = self.key("expected a string key after `,`")?;
                                *key = k;
                                *key_span = ks;
                                break;
                            }
                            Some(b'}') => {
                                self.pos += 1;
                                let start = *start;
                                let members = std::mem::take(members);
                                stack.pop();
                                node = Node {
                                    span: start..self.pos,
                                    kind: Kind::Object(members),
                                };
                            }
                            _ => {
                                return Err(self.expected("expected `,` or `}` after object member"))
                            }
                        }
                    }
                    Some(Frame::Array { start, items }) => {
                        items.push(node);
                        self.skip_ws();
                        match self.peek() {
                            Some(b',') => {
                                self.pos += 1;
                                self.skip_ws();
                                if self.peek() == Some(b']') {
                                    return Err(self.expected("expected a value after `,`"));
                                }
                                break;
                            }
                            Some(b']') => {
                                self.pos += 1;
                                let start = *start;
                                let items = std::mem::take(items);
                                stack.pop();
                                node = Node {
                                    span: start..self.pos,
                                    kind: Kind::Array(items),
                                };
                            }
                            _ => {
                                return Err(self.expected("expected `,` or `]` after array element"))
                            }
                        }
                    }
                }
            }
        }
    }

    /// The array at the current `[`, inside `open` containers, each item handed to `each`
    /// as soon as it is parsed; returns the array with its span and no items.
    fn items(&mut self, open: usize, mut each: impl FnMut(Node)) -> Result<Node, ParseError> {
        let start = self.pos;
        self.check_depth(open)?;
        self.pos += 1;
        self.skip_ws();
        if self.peek() != Some(b']') {
            loop {
                each(self.value(open + 1)?);
                self.skip_ws();
                match self.peek() {
                    Some(b',') => {
                        self.pos += 1;
                        self.skip_ws();
                        if self.peek() == Some(b']') {
                            return Err(self.expected("expected a value after `,`"));
                        }
                    }
                    Some(b']') => break,
                    _ => return Err(self.expected("expected `,` or `]` after array element")),
                }
            }
        }
        self.pos += 1;
        Ok(Node {
            span: start..self.pos,
            kind: Kind::Array(Vec::new()),
        })
    }

    fn check_depth(&self, open: usize) -> Result<(), ParseError> {
        if open >= MAX_DEPTH {
            Err(Self::error(
                self.pos,
                format!("arrays and objects nested deeper than {MAX_DEPTH} levels"),
            ))
        } else {
            Ok(())
        }
    }

    /// `"key"` then `:`.
    fn key(&mut self, what: &str) -> Result<(String, Range<usize>), ParseError> {
        self.skip_ws();
        if self.peek() != Some(b'"') {
            return Err(self.expected(what));
        }
        let (key, span) = self.string()?;
        self.skip_ws();
        if self.peek() != Some(b':') {
            return Err(self.expected("expected `:` after object key"));
        }
        self.pos += 1;
        Ok((key, span))
    }

    /// An error naming the word at the current position (`True`, `None`, `'x'`).
    fn found_word(&self, what: &str) -> ParseError {
        let rest = self.text.get(self.pos..).unwrap_or("");
        let word: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .take(20)
            .collect();
        if word.is_empty() {
            return self.expected(what);
        }
        Self::error(self.pos, format!("{what}, found `{word}`"))
    }

    fn literal(&mut self, word: &str, kind: Kind) -> Result<Node, ParseError> {
        let start = self.pos;
        let end = start + word.len();
        let matches = self.bytes.get(start..end) == Some(word.as_bytes());
        // `nullx` / `trueish`: the literal must not run on into a word.
        let runs_on =
            matches!(self.bytes.get(end), Some(b) if b.is_ascii_alphanumeric() || *b == b'_');
        if !matches || runs_on {
            return Err(self.found_word("expected a value"));
        }
        self.pos = end;
        Ok(Node {
            span: start..end,
            kind,
        })
    }

    fn number(&mut self) -> Result<Node, ParseError> {
        let start = self.pos;
        let invalid = |p: &Parser, why: &str| {
            let end = p.pos.max(start + 1).min(p.bytes.len());
            let shown = p.text.get(start..end).unwrap_or("");
            Self::error(start, format!("invalid number `{shown}`: {why}"))
        };
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                if matches!(self.peek(), Some(b'0'..=b'9')) {
                    self.pos += 1;
                    return Err(invalid(self, "leading zeros are not allowed"));
                }
            }
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(invalid(self, "expected a digit")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(invalid(self, "expected a digit after `.`"));
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(invalid(self, "expected a digit in the exponent"));
            }
            self.digits();
        }
        let raw = self.text.get(start..self.pos).unwrap_or("");
        match raw.parse::<serde_json::Number>() {
            Ok(n) => Ok(Node {
                span: start..self.pos,
                kind: Kind::Number(n),
            }),
            Err(_) => Err(invalid(self, "out of range")),
        }
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
    }

    /// A string starting at the current `"`: its value and span (quotes included).
    fn string(&mut self) -> Result<(String, Range<usize>), ParseError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            // Copy the run of plain characters in one go.
            let run_start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(self.text.get(run_start..self.pos).unwrap_or(""));
            match self.peek() {
                None | Some(b'\n') | Some(b'\r') => {
                    return Err(Self::error(start, "unterminated string"));
                }
                Some(b'"') => {
                    self.pos += 1;
                    return Ok((out, start..self.pos));
                }
                Some(b'\\') => {
                    let esc = self.pos;
                    self.pos += 1;
                    let c = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.pos += 1;
                            let c = self.unicode_escape(esc)?;
                            out.push(c);
                            continue;
                        }
                        None => return Err(Self::error(start, "unterminated string")),
                        Some(_) => {
                            let shown = self
                                .text
                                .get(esc..)
                                .and_then(|s| s.chars().nth(1))
                                .map(|c| format!("\\{c}"))
                                .unwrap_or_default();
                            return Err(Self::error(
                                esc,
                                format!("invalid escape `{shown}` in string"),
                            ));
                        }
                    };
                    self.pos += 1;
                    out.push(c);
                }
                Some(b) => {
                    return Err(Self::error(
                        self.pos,
                        format!("control character U+{b:04X} in string must be escaped"),
                    ));
                }
            }
        }
    }

    /// The four hex digits after `\u` (and a low surrogate after a high one).
    fn hex4(&mut self, esc: usize) -> Result<u32, ParseError> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| Self::error(esc, "invalid `\\u` escape: expected four hex digits"))?;
        let v = u32::from_str_radix(digits, 16)
            .map_err(|_| Self::error(esc, "invalid `\\u` escape: expected four hex digits"))?;
        self.pos += 4;
        Ok(v)
    }

    fn unicode_escape(&mut self, esc: usize) -> Result<char, ParseError> {
        let hi = self.hex4(esc)?;
        let lone = || Self::error(esc, "invalid `\\u` escape: unpaired surrogate");
        match hi {
            0xD800..=0xDBFF => {
                if self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u") {
                    return Err(lone());
                }
                let esc2 = self.pos;
                self.pos += 2;
                let lo = self.hex4(esc2)?;
                if !(0xDC00..=0xDFFF).contains(&lo) {
                    return Err(lone());
                }
                let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                char::from_u32(c).ok_or_else(lone)
            }
            0xDC00..=0xDFFF => Err(lone()),
            _ => char::from_u32(hi).ok_or_else(lone),
        }
    }
}

/// A character for an error message: `x`, or its code point when invisible.
fn show_char(c: char) -> String {
    if c.is_control() || c.is_whitespace() {
        format!("U+{:04X}", c as u32)
    } else if c == '`' {
        "a backtick".into()
    } else {
        format!("`{c}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn err(text: &str) -> ParseError {
        match parse(text) {
            Ok(n) => panic!("{text:?} parsed: {n:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn spans_of_values_keys_and_containers() {
        let text = "{\n  \"a\": [1, \"x\", true],\n  \"b\": null\n}";
        let root = parse(text).unwrap();
        assert_eq!(root.span, 0..text.len());
        let a = root.member("a").unwrap();
        assert_eq!(&text[a.key_span.clone()], "\"a\"");
        assert_eq!(&text[a.value.span.clone()], "[1, \"x\", true]");
        let items = a.value.as_array().unwrap();
        assert_eq!(&text[items[1].span.clone()], "\"x\"");
        assert_eq!(items[0].as_i64(), Some(1));
        assert_eq!(&text[root.get("b").unwrap().span.clone()], "null");
    }

    #[test]
    fn escapes_and_unicode() {
        let root = parse(r#""a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00é""#).unwrap();
        assert_eq!(
            root.as_str(),
            Some("a\"\\/\u{8}\u{c}\n\r\t\u{e9}\u{1f600}é")
        );
    }

    #[test]
    fn byte_order_mark_is_skipped() {
        let text = "\u{feff}{\"k\": 1}";
        let root = parse(text).unwrap();
        assert_eq!(root.span.start, 3);
        assert_eq!(leading_key(text).as_deref(), Some("k"));
    }

    #[test]
    fn error_messages_and_offsets() {
        let cases: &[(&str, usize, &str)] = &[
            ("", 0, "unexpected end of input: expected a value"),
            (
                "{\"a\": 1",
                7,
                "unexpected end of input: expected `,` or `}` after object member",
            ),
            (
                "{\"a\": 1 \"b\": 2}",
                8,
                "expected `,` or `}` after object member, found `\"`",
            ),
            (
                "[1 2]",
                3,
                "expected `,` or `]` after array element, found `2`",
            ),
            ("{\"a\" 1}", 5, "expected `:` after object key, found `1`"),
            (
                "{\"a\": 1,}",
                8,
                "expected a string key after `,`, found `}`",
            ),
            ("{1: 2}", 1, "expected a string key or `}`, found `1`"),
            ("[1,]", 3, "expected a value after `,`, found `]`"),
            ("\"abc", 0, "unterminated string"),
            ("[\"abc\n\"]", 1, "unterminated string"),
            (
                "\"a\tb\"",
                2,
                "control character U+0009 in string must be escaped",
            ),
            ("\"\\x\"", 1, "invalid escape `\\x` in string"),
            (
                "\"\\u12\"",
                1,
                "invalid `\\u` escape: expected four hex digits",
            ),
            ("\"\\udc00\"", 1, "invalid `\\u` escape: unpaired surrogate"),
            (
                "\"\\ud800x\"",
                1,
                "invalid `\\u` escape: unpaired surrogate",
            ),
            ("{} x", 3, "trailing characters after the JSON value"),
            (
                "01",
                0,
                "invalid number `01`: leading zeros are not allowed",
            ),
            ("1.", 0, "invalid number `1.`: expected a digit after `.`"),
            ("-", 0, "invalid number `-`: expected a digit"),
            ("1e400", 0, "invalid number `1e400`: out of range"),
            ("True", 0, "expected a value, found `True`"),
            ("nul", 0, "expected a value, found `nul`"),
            ("nullx", 0, "expected a value, found `nullx`"),
            ("[None]", 1, "expected a value, found `None`"),
            ("{'a': 1}", 1, "expected a string key or `}`, found `'`"),
        ];
        for (text, offset, message) in cases {
            let e = err(text);
            assert_eq!(
                (e.offset, e.message.as_str()),
                (*offset, *message),
                "{text:?}"
            );
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
        let deep = "[".repeat(MAX_DEPTH + 1);
        let e = err(&deep);
        assert_eq!(e.offset, MAX_DEPTH);
        assert!(e.message.contains("nested deeper than 256"), "{e}");
        let huge = "{\"a\":".repeat(1_000_000);
        assert!(err(&huge).message.contains("nested deeper"));
    }

    #[test]
    fn duplicate_keys_last_wins_like_serde_json() {
        let text = r#"{"a": 1, "b": 2, "a": 3}"#;
        let root = parse(text).unwrap();
        assert_eq!(root.as_object().unwrap().len(), 3);
        assert_eq!(root.get("a").unwrap().as_i64(), Some(3));
        let expected: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(to_serde(&root), expected);
    }

    #[test]
    fn leading_key_of_broken_text() {
        assert_eq!(
            leading_key("{\n  \"NetworkAcls\": [ {").as_deref(),
            Some("NetworkAcls")
        );
        assert_eq!(leading_key("[1, 2"), None);
        assert_eq!(leading_key("{ 3"), None);
    }

    fn arb_json() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::Value;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            ".*".prop_map(Value::String),
            "[a-zA-Z\\\\\"\u{0}-\u{1f}\u{80}-\u{10ffff}]{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(6, 64, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                prop::collection::vec((".{0,6}", inner), 0..8)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    /// Every node's span slices back to text that serde_json reads as the same value.
    fn check_spans(text: &str, node: &Node) {
        let slice = &text[node.span.clone()];
        let v: serde_json::Value = serde_json::from_str(slice).unwrap();
        assert_eq!(v, to_serde(node), "span {:?} = {slice:?}", node.span);
        match &node.kind {
            Kind::Object(members) => {
                for m in members {
                    let k: String = serde_json::from_str(&text[m.key_span.clone()]).unwrap();
                    assert_eq!(k, m.key);
                    check_spans(text, &m.value);
                }
            }
            Kind::Array(items) => items.iter().for_each(|i| check_spans(text, i)),
            _ => {}
        }
    }

    proptest! {
        #[test]
        fn round_trip_matches_serde_json(v in arb_json(), pretty in any::<bool>()) {
            let text = if pretty {
                serde_json::to_string_pretty(&v).unwrap()
            } else {
                serde_json::to_string(&v).unwrap()
            };
            let node = parse(&text).unwrap();
            let expected: serde_json::Value = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(to_serde(&node), expected);
            prop_assert_eq!(node.span.clone(), 0..text.len());
            check_spans(&text, &node);
        }

        #[test]
        fn accepts_exactly_what_serde_json_accepts(
            text in "[ \\n{}\\[\\],:\"\\\\a-fnrtu0-9.eE+\\-]{0,40}"
        ) {
            let ours = parse(&text);
            let theirs = serde_json::from_str::<serde_json::Value>(&text);
            prop_assert_eq!(ours.is_ok(), theirs.is_ok(), "{:?}: {:?}", text, ours);
            if let (Ok(n), Ok(v)) = (ours, theirs) {
                prop_assert_eq!(to_serde(&n), v);
            }
        }

        #[test]
        fn one_edit_away_from_json_agrees_with_serde_json(
            v in arb_json(),
            at in any::<prop::sample::Index>(),
            edit in prop_oneof![
                Just(None),
                prop::sample::select(
                    "{}[],:\"\\ \n0123456789.eE+-tfnulra\u{0}\u{1f}é".chars().collect::<Vec<_>>()
                ).prop_map(Some),
            ],
        ) {
            let text = serde_json::to_string_pretty(&v).unwrap();
            let mut at = at.index(text.len() + 1);
            while !text.is_char_boundary(at) { at -= 1; }
            let mut edited = text.clone();
            match edit {
                // Delete the character at `at`.
                None => {
                    if let Some(c) = text[at..].chars().next() {
                        edited.replace_range(at..at + c.len_utf8(), "");
                    }
                }
                Some(c) => edited.insert(at, c),
            }
            let ours = parse(&edited);
            let theirs = serde_json::from_str::<serde_json::Value>(&edited);
            prop_assert_eq!(ours.is_ok(), theirs.is_ok(), "{:?}: {:?}", edited, ours);
            if let (Ok(n), Ok(v)) = (ours, theirs) {
                prop_assert_eq!(to_serde(&n), v);
            }
        }

        #[test]
        fn streaming_agrees_with_parse(
            v in arb_json(),
            keys in prop::collection::vec(prop::sample::select(vec!["A", "B", "C"]), 0..4),
            at in any::<prop::sample::Index>(),
            edit in prop_oneof![
                Just(None),
                prop::sample::select("{}[],:\"0 ".chars().collect::<Vec<_>>()).prop_map(Some),
            ],
        ) {
            // A top-level object whose members are arrays (streamed for "A" and "B") or not.
            let mut map = serde_json::Map::new();
            for (n, k) in keys.iter().enumerate() {
                let value = if n % 2 == 0 { serde_json::Value::Array(vec![v.clone(), v.clone()]) } else { v.clone() };
                map.insert((*k).to_string(), value);
            }
            let mut text = serde_json::to_string_pretty(&serde_json::Value::Object(map)).unwrap();
            if let Some(c) = edit {
                let mut at = at.index(text.len() + 1);
                while !text.is_char_boundary(at) { at -= 1; }
                text.insert(at, c);
            }
            let full = parse(&text);
            let mut streamed: Vec<(String, Node)> = Vec::new();
            let stub = parse_streaming(&text, |k| k != "C", |k, item| streamed.push((k.to_string(), item)));
            match (&full, &stub) {
                (Err(a), Err(b)) => prop_assert_eq!(a, b),
                (Ok(full), Ok(stub)) => {
                    // Putting the streamed items back gives the full tree.
                    let mut rebuilt = stub.clone();
                    let mut items = streamed.into_iter();
                    if let Kind::Object(members) = &mut rebuilt.kind {
                        for m in members.iter_mut() {
                            if m.key != "C" && matches!(m.value.kind, Kind::Array(_)) {
                                let mut again = Vec::new();
                                for_each_item(&text, &m.value.span, |i| again.push(i)).unwrap();
                                let taken: Vec<Node> = items.by_ref().take(again.len()).map(|(_, n)| n).collect();
                                prop_assert_eq!(&taken, &again);
                                m.value.kind = Kind::Array(again);
                            }
                        }
                    }
                    prop_assert!(items.next().is_none());
                    prop_assert_eq!(&rebuilt, full);
                }
                _ => prop_assert!(false, "{:?}: {:?} vs {:?}", text, full, stub),
            }
        }

        #[test]
        fn never_panics_and_errors_point_inside(text in ".{0,200}") {
            if let Err(e) = parse(&text) {
                prop_assert!(e.offset <= text.len());
                prop_assert!(text.is_char_boundary(e.offset));
            }
        }

        #[test]
        fn truncation_is_an_error_at_or_before_the_cut(v in arb_json(), cut in any::<prop::sample::Index>()) {
            let text = serde_json::to_string_pretty(&v).unwrap();
            let mut at = cut.index(text.len().max(1));
            while !text.is_char_boundary(at) { at -= 1; }
            let part = &text[..at];
            let ours = parse(part);
            let theirs = serde_json::from_str::<serde_json::Value>(part);
            prop_assert_eq!(ours.is_ok(), theirs.is_ok(), "{:?}", part);
            if let Err(e) = ours {
                prop_assert!(e.offset <= part.len());
            }
        }
    }
}
