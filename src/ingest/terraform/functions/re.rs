//! A small RE2-syntax regular expression engine: a backtracking matcher over
//! a compiled program, with a visited (instruction, position) table that
//! keeps matching linear in pattern size times input length.

/// Why a pattern was not compiled.
#[derive(Debug)]
pub enum ReError {
    /// RE2 rejects the pattern (Terraform reports an error).
    Invalid(String),
    /// Valid RE2 this engine does not implement.
    Unsupported(String),
}

type R<T> = Result<T, ReError>;

fn invalid<T>(m: impl Into<String>) -> R<T> {
    Err(ReError::Invalid(m.into()))
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Look {
    BeginText,
    EndText,
    BeginLine,
    EndLine,
    WordBoundary,
    NotWordBoundary,
}

#[derive(Clone, Debug)]
struct Class {
    ranges: Vec<(u32, u32)>,
    negated: bool,
    fold: bool,
}

impl Class {
    fn has(&self, c: char) -> bool {
        let c = u32::from(c);
        self.ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi)
    }

    fn matches(&self, c: char) -> bool {
        let hit = self.has(c) || (self.fold && (self.has(lower(c)) || self.has(upper(c))));
        hit != self.negated
    }
}

fn lower(c: char) -> char {
    let mut m = c.to_lowercase();
    match (m.next(), m.next()) {
        (Some(x), None) => x,
        _ => c,
    }
}

fn upper(c: char) -> char {
    let mut m = c.to_uppercase();
    match (m.next(), m.next()) {
        (Some(x), None) => x,
        _ => c,
    }
}

fn is_word(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
}

#[derive(Clone, Debug)]
enum Node {
    Empty,
    Lit(char, bool),
    Dot(bool),
    Class(Class),
    Look(Look),
    Group(Box<Node>, Option<usize>),
    Cat(Vec<Node>),
    Alt(Vec<Node>),
    Rep(Box<Node>, u32, Option<u32>, bool),
}

#[derive(Clone, Copy, Default)]
struct Flags {
    fold: bool,
    multi_line: bool,
    dot_nl: bool,
    ungreedy: bool,
}

const PERL_D: &[(u32, u32)] = &[(0x30, 0x39)];
const PERL_S: &[(u32, u32)] = &[(0x09, 0x0A), (0x0C, 0x0D), (0x20, 0x20)];
const PERL_W: &[(u32, u32)] = &[(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)];

fn posix(name: &str) -> Option<&'static [(u32, u32)]> {
    Some(match name {
        "alnum" => &[(0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)],
        "alpha" => &[(0x41, 0x5A), (0x61, 0x7A)],
        "ascii" => &[(0x00, 0x7F)],
        "blank" => &[(0x09, 0x09), (0x20, 0x20)],
        "cntrl" => &[(0x00, 0x1F), (0x7F, 0x7F)],
        "digit" => PERL_D,
        "graph" => &[(0x21, 0x7E)],
        "lower" => &[(0x61, 0x7A)],
        "print" => &[(0x20, 0x7E)],
        "punct" => &[(0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)],
        "space" => &[(0x09, 0x0D), (0x20, 0x20)],
        "upper" => &[(0x41, 0x5A)],
        "word" => PERL_W,
        "xdigit" => &[(0x30, 0x39), (0x41, 0x46), (0x61, 0x66)],
        _ => return None,
    })
}

fn complement(ranges: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut sorted = ranges.to_vec();
    sorted.sort_unstable();
    let mut out = Vec::new();
    let mut next = 0u32;
    for (lo, hi) in sorted {
        if lo > next {
            out.push((next, lo - 1));
        }
        next = next.max(hi.saturating_add(1));
    }
    if next <= 0x10FFFF {
        out.push((next, 0x10FFFF));
    }
    out
}

/// A Perl class escape (`\d`, `\S`, ...) as ranges.
fn perl_class(c: char) -> Option<Vec<(u32, u32)>> {
    let base = match c.to_ascii_lowercase() {
        'd' => PERL_D,
        's' => PERL_S,
        'w' => PERL_W,
        _ => return None,
    };
    Some(if c.is_ascii_uppercase() {
        complement(base)
    } else {
        base.to_vec()
    })
}

enum ClassItem {
    Char(char),
    Set(Vec<(u32, u32)>),
}

struct Parser {
    s: Vec<char>,
    pos: usize,
    names: Vec<Option<String>>,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.s.get(self.pos).copied()
    }

    fn peek_at(&self, k: usize) -> Option<char> {
        self.s.get(self.pos + k).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn alt(&mut self, mut flags: Flags, depth: usize) -> R<Node> {
        if depth > 100 {
            return Err(ReError::Unsupported("deeply nested groups".into()));
        }
        let mut branches = vec![self.cat(&mut flags, depth)?];
        while self.eat('|') {
            branches.push(self.cat(&mut flags, depth)?);
        }
        Ok(if branches.len() == 1 {
            branches.pop().unwrap_or(Node::Empty)
        } else {
            Node::Alt(branches)
        })
    }

    fn cat(&mut self, flags: &mut Flags, depth: usize) -> R<Node> {
        let mut items = Vec::new();
        while !matches!(self.peek(), None | Some('|') | Some(')')) {
            match self.atom(flags, depth)? {
                Some(atom) => {
                    let node = self.quantify(atom, *flags)?;
                    items.push(node);
                }
                None => {
                    if self.at_quantifier() {
                        return invalid("missing argument to repetition operator");
                    }
                }
            }
        }
        Ok(match items.len() {
            0 => Node::Empty,
            1 => items.pop().unwrap_or(Node::Empty),
            _ => Node::Cat(items),
        })
    }

    fn digits_at(&self, q: &mut usize) -> Option<u32> {
        let start = *q;
        let mut n: u32 = 0;
        while let Some(d) = self.s.get(*q).and_then(|c| c.to_digit(10)) {
            n = n.saturating_mul(10).saturating_add(d);
            *q += 1;
        }
        (*q > start).then_some(n)
    }

    /// `{n}`, `{n,}` or `{n,m}` at position `p`: (min, max, end position).
    fn repeat_at(&self, p: usize) -> Option<(u32, Option<u32>, usize)> {
        if self.s.get(p) != Some(&'{') {
            return None;
        }
        let mut q = p + 1;
        let min = self.digits_at(&mut q)?;
        match self.s.get(q)? {
            '}' => Some((min, Some(min), q + 1)),
            ',' => {
                q += 1;
                if self.s.get(q) == Some(&'}') {
                    return Some((min, None, q + 1));
                }
                let max = self.digits_at(&mut q)?;
                (self.s.get(q) == Some(&'}')).then_some((min, Some(max), q + 1))
            }
            _ => None,
        }
    }

    fn at_quantifier(&self) -> bool {
        matches!(self.peek(), Some('*' | '+' | '?')) || self.repeat_at(self.pos).is_some()
    }

    fn quantify(&mut self, atom: Node, flags: Flags) -> R<Node> {
        let (min, max) = match self.peek() {
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('?') => (0, Some(1)),
            Some('{') => match self.repeat_at(self.pos) {
                Some((min, max, end)) => {
                    if min > 1000 || max.is_some_and(|m| m > 1000 || m < min) {
                        return invalid("invalid repeat count");
                    }
                    self.pos = end - 1;
                    (min, max)
                }
                None => return Ok(atom),
            },
            _ => return Ok(atom),
        };
        self.pos += 1;
        let lazy = self.eat('?');
        if self.at_quantifier() {
            return invalid("invalid nested repetition operator");
        }
        Ok(Node::Rep(Box::new(atom), min, max, lazy == flags.ungreedy))
    }

    fn atom(&mut self, flags: &mut Flags, depth: usize) -> R<Option<Node>> {
        let Some(c) = self.bump() else {
            return Ok(None);
        };
        Ok(Some(match c {
            '(' => return self.group(flags, depth),
            '[' => Node::Class(self.class(flags.fold)?),
            '.' => Node::Dot(flags.dot_nl),
            '^' => Node::Look(if flags.multi_line {
                Look::BeginLine
            } else {
                Look::BeginText
            }),
            '$' => Node::Look(if flags.multi_line {
                Look::EndLine
            } else {
                Look::EndText
            }),
            '\\' => return self.escape(flags.fold),
            '*' | '+' | '?' => return invalid("missing argument to repetition operator"),
            '{' if self.repeat_at(self.pos - 1).is_some() => {
                return invalid("missing argument to repetition operator")
            }
            c => Node::Lit(c, flags.fold),
        }))
    }

    fn group(&mut self, flags: &mut Flags, depth: usize) -> R<Option<Node>> {
        let mut name = None;
        if self.eat('?') {
            let named = match (self.peek(), self.peek_at(1)) {
                (Some('P'), Some('<')) => {
                    self.pos += 2;
                    true
                }
                (Some('<'), next) if !matches!(next, Some('=' | '!')) => {
                    self.pos += 1;
                    true
                }
                _ => false,
            };
            if named {
                let mut n = String::new();
                loop {
                    match self.bump() {
                        Some('>') => break,
                        Some(c) if c.is_ascii_alphanumeric() || c == '_' => n.push(c),
                        _ => return invalid("invalid named capture"),
                    }
                }
                if n.is_empty() {
                    return invalid("invalid named capture");
                }
                name = Some(n);
            } else {
                let mut new = *flags;
                let mut negate = false;
                let mut seen = false;
                loop {
                    match self.bump() {
                        Some(c @ ('i' | 'm' | 's' | 'U')) => {
                            let on = !negate;
                            match c {
                                'i' => new.fold = on,
                                'm' => new.multi_line = on,
                                's' => new.dot_nl = on,
                                _ => new.ungreedy = on,
                            }
                            seen = true;
                        }
                        Some('-') if !negate => {
                            negate = true;
                            seen = false;
                        }
                        Some(':') if !negate || seen => {
                            let inner = self.alt(new, depth + 1)?;
                            if !self.eat(')') {
                                return invalid("missing closing )");
                            }
                            return Ok(Some(Node::Group(Box::new(inner), None)));
                        }
                        Some(')') if seen => {
                            *flags = new;
                            return Ok(None);
                        }
                        _ => return invalid("invalid or unsupported Perl syntax"),
                    }
                }
            }
        }
        let idx = self.names.len();
        self.names.push(name);
        let inner = self.alt(*flags, depth + 1)?;
        if !self.eat(')') {
            return invalid("missing closing )");
        }
        Ok(Some(Node::Group(Box::new(inner), Some(idx))))
    }

    /// An escape sequence outside a class (after the backslash).
    fn escape(&mut self, fold: bool) -> R<Option<Node>> {
        let Some(c) = self.peek() else {
            return invalid("trailing backslash at end of expression");
        };
        let look = match c {
            'b' => Some(Look::WordBoundary),
            'B' => Some(Look::NotWordBoundary),
            'A' => Some(Look::BeginText),
            'z' => Some(Look::EndText),
            _ => None,
        };
        if let Some(l) = look {
            self.pos += 1;
            return Ok(Some(Node::Look(l)));
        }
        if c == 'Q' {
            self.pos += 1;
            let mut lits = Vec::new();
            while let Some(c) = self.bump() {
                if c == '\\' && self.peek() == Some('E') {
                    self.pos += 1;
                    break;
                }
                lits.push(Node::Lit(c, fold));
            }
            return Ok(Some(Node::Group(Box::new(Node::Cat(lits)), None)));
        }
        Ok(Some(match self.class_escape()? {
            ClassItem::Char(ch) => Node::Lit(ch, fold),
            ClassItem::Set(ranges) => Node::Class(Class {
                ranges,
                negated: false,
                fold: false,
            }),
        }))
    }

    /// An escape that stands for a character or a set (after the backslash).
    fn class_escape(&mut self) -> R<ClassItem> {
        let Some(c) = self.bump() else {
            return invalid("trailing backslash at end of expression");
        };
        if let Some(set) = perl_class(c) {
            return Ok(ClassItem::Set(set));
        }
        let ch = match c {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            'f' => '\x0C',
            'v' => '\x0B',
            'a' => '\x07',
            'p' | 'P' => return Err(ReError::Unsupported(format!("the Unicode class \\{c}"))),
            'C' => return Err(ReError::Unsupported("\\C".into())),
            'x' => self.hex_escape()?,
            '0'..='7' => {
                // Octal: \0, \0NN, or \NNN with at least two digits
                // (a lone \1-\7 would be a back-reference, which RE2 rejects).
                let mut v = c.to_digit(8).unwrap_or(0);
                let mut n = 1;
                while n < 3 {
                    match self.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            self.pos += 1;
                            n += 1;
                        }
                        None => break,
                    }
                }
                if c != '0' && n == 1 {
                    return invalid("invalid escape sequence");
                }
                char::from_u32(v).unwrap_or('\0')
            }
            c if c.is_ascii_punctuation() => c,
            _ => return invalid("invalid escape sequence"),
        };
        Ok(ClassItem::Char(ch))
    }

    fn hex_escape(&mut self) -> R<char> {
        let mut v: u32 = 0;
        if self.eat('{') {
            let mut n = 0;
            loop {
                match self.bump() {
                    Some('}') if n > 0 => break,
                    Some(d) if d.is_ascii_hexdigit() && n < 8 => {
                        v = v * 16 + d.to_digit(16).unwrap_or(0);
                        n += 1;
                    }
                    _ => return invalid("invalid escape sequence"),
                }
            }
        } else {
            for _ in 0..2 {
                match self.bump().and_then(|d| d.to_digit(16)) {
                    Some(d) => v = v * 16 + d,
                    None => return invalid("invalid escape sequence"),
                }
            }
        }
        char::from_u32(v).map_or_else(|| invalid("invalid escape sequence"), Ok)
    }

    /// A bracketed class (after the `[`).
    fn class(&mut self, fold: bool) -> R<Class> {
        let negated = self.eat('^');
        let mut ranges = Vec::new();
        let mut first = true;
        loop {
            let Some(c) = self.bump() else {
                return invalid("missing closing ]");
            };
            if c == ']' && !first {
                break;
            }
            first = false;
            if c == '[' && self.peek() == Some(':') {
                if let Some(set) = self.posix_class()? {
                    ranges.extend(set);
                    continue;
                }
            }
            let lo = if c == '\\' {
                match self.class_escape()? {
                    ClassItem::Char(ch) => ch,
                    ClassItem::Set(set) => {
                        ranges.extend(set);
                        continue;
                    }
                }
            } else {
                c
            };
            if self.peek() == Some('-') && self.peek_at(1).is_some_and(|x| x != ']') {
                self.pos += 1;
                let hi = match self.bump() {
                    Some('\\') => match self.class_escape()? {
                        ClassItem::Char(ch) => ch,
                        ClassItem::Set(_) => return invalid("invalid character class range"),
                    },
                    Some(ch) => ch,
                    None => return invalid("missing closing ]"),
                };
                if hi < lo {
                    return invalid("invalid character class range");
                }
                ranges.push((u32::from(lo), u32::from(hi)));
            } else {
                ranges.push((u32::from(lo), u32::from(lo)));
            }
        }
        Ok(Class {
            ranges,
            negated,
            fold,
        })
    }

    /// `[:name:]` inside a class (the `[` consumed, at the `:`); None if
    /// this is not a POSIX class, leaving the position unchanged.
    fn posix_class(&mut self) -> R<Option<Vec<(u32, u32)>>> {
        let rest: String = self.s.get(self.pos + 1..).unwrap_or(&[]).iter().collect();
        let Some(end) = rest.find(":]") else {
            return Ok(None);
        };
        let name = rest.get(..end).unwrap_or("");
        let (negated, base) = match name.strip_prefix('^') {
            Some(n) => (true, n),
            None => (false, name),
        };
        let Some(set) = posix(base) else {
            return invalid("invalid character class range");
        };
        self.pos += 1 + name.chars().count() + 2;
        Ok(Some(if negated {
            complement(set)
        } else {
            set.to_vec()
        }))
    }
}

#[derive(Clone, Debug)]
enum Inst {
    Char(char),
    /// A character compared case-insensitively (holds the lowercase form).
    Fold(char),
    Any,
    AnyNotNl,
    Class(usize),
    Look(Look),
    /// Try the first target, then the second.
    Split(usize, usize),
    Jmp(usize),
    Save(usize),
    Match,
}

const MAX_PROG: usize = 20_000;
const MAX_STATES: usize = 1 << 24;

struct Compiler {
    prog: Vec<Inst>,
    classes: Vec<Class>,
}

impl Compiler {
    fn push(&mut self, i: Inst) -> R<usize> {
        if self.prog.len() >= MAX_PROG {
            return Err(ReError::Unsupported("a very large pattern".into()));
        }
        self.prog.push(i);
        Ok(self.prog.len() - 1)
    }

    fn set(&mut self, at: usize, i: Inst) {
        if let Some(slot) = self.prog.get_mut(at) {
            *slot = i;
        }
    }

    fn split(greedy: bool, body: usize, skip: usize) -> Inst {
        if greedy {
            Inst::Split(body, skip)
        } else {
            Inst::Split(skip, body)
        }
    }

    fn emit(&mut self, n: &Node) -> R<()> {
        match n {
            Node::Empty => {}
            Node::Lit(c, fold) => {
                let inst = if *fold && (lower(*c) != *c || upper(*c) != *c) {
                    Inst::Fold(lower(*c))
                } else {
                    Inst::Char(*c)
                };
                self.push(inst)?;
            }
            Node::Dot(nl) => {
                self.push(if *nl { Inst::Any } else { Inst::AnyNotNl })?;
            }
            Node::Class(c) => {
                self.classes.push(c.clone());
                self.push(Inst::Class(self.classes.len() - 1))?;
            }
            Node::Look(l) => {
                self.push(Inst::Look(*l))?;
            }
            Node::Group(inner, Some(k)) => {
                self.push(Inst::Save(2 * k))?;
                self.emit(inner)?;
                self.push(Inst::Save(2 * k + 1))?;
            }
            Node::Group(inner, None) => self.emit(inner)?,
            Node::Cat(items) => {
                for x in items {
                    self.emit(x)?;
                }
            }
            Node::Alt(branches) => {
                let mut jumps = Vec::new();
                if let Some((last, init)) = branches.split_last() {
                    for b in init {
                        let split = self.push(Inst::Split(0, 0))?;
                        self.emit(b)?;
                        jumps.push(self.push(Inst::Jmp(0))?);
                        let next = self.prog.len();
                        self.set(split, Inst::Split(split + 1, next));
                    }
                    self.emit(last)?;
                }
                let end = self.prog.len();
                for j in jumps {
                    self.set(j, Inst::Jmp(end));
                }
            }
            Node::Rep(inner, min, None, greedy) => {
                // x{n,} is x{n-1} followed by x+, and x* is (x+)?, as
                // Go compiles them: the loop test comes after the body,
                // so an empty iteration ends the loop with its captures.
                for _ in 1..*min {
                    self.emit(inner)?;
                }
                let skip = if *min == 0 {
                    Some(self.push(Inst::Split(0, 0))?)
                } else {
                    None
                };
                let body = self.prog.len();
                self.emit(inner)?;
                let again = self.push(Inst::Split(0, 0))?;
                let end = self.prog.len();
                self.set(again, Self::split(*greedy, body, end));
                if let Some(skip) = skip {
                    self.set(skip, Self::split(*greedy, body, end));
                }
            }
            Node::Rep(inner, min, Some(max), greedy) => {
                for _ in 0..*min {
                    self.emit(inner)?;
                }
                // x{n,m}: m-n nested optional copies, x(x(x)?)?.
                let mut splits = Vec::new();
                for _ in *min..*max {
                    splits.push(self.push(Inst::Split(0, 0))?);
                    self.emit(inner)?;
                }
                let end = self.prog.len();
                for s in splits {
                    self.set(s, Self::split(*greedy, s + 1, end));
                }
            }
        }
        Ok(())
    }
}

/// A compiled regular expression.
pub struct Regex {
    prog: Vec<Inst>,
    classes: Vec<Class>,
    /// Capture group names; index 0 is the whole match.
    names: Vec<Option<String>>,
}

/// Match positions (in chars): start and end of each group, if it matched.
pub type Slots = Vec<Option<usize>>;

enum Job {
    Try(usize, usize),
    Restore(usize, Option<usize>),
}

/// Compiles an RE2-syntax pattern.
pub fn compile(pattern: &str) -> R<Regex> {
    let mut p = Parser {
        s: pattern.chars().collect(),
        pos: 0,
        names: vec![None],
    };
    let root = p.alt(Flags::default(), 0)?;
    if p.pos < p.s.len() {
        return invalid("unexpected )");
    }
    let mut c = Compiler {
        prog: Vec::new(),
        classes: Vec::new(),
    };
    c.push(Inst::Save(0))?;
    c.emit(&root)?;
    c.push(Inst::Save(1))?;
    c.push(Inst::Match)?;
    Ok(Regex {
        prog: c.prog,
        classes: c.classes,
        names: p.names,
    })
}

impl Regex {
    /// Capture group names; index 0 is the whole match.
    pub fn names(&self) -> &[Option<String>] {
        &self.names
    }

    /// Whether matching an input of `n` chars stays within the state budget.
    pub fn fits(&self, n: usize) -> bool {
        self.prog.len().saturating_mul(n.saturating_add(1)) <= MAX_STATES
    }

    /// The leftmost-first match starting at or after `start`.
    pub fn find_at(&self, input: &[char], start: usize) -> Option<Slots> {
        let states = self.prog.len() * (input.len() + 1);
        let mut visited = vec![0u64; states.div_ceil(64)];
        let anchored = matches!(self.prog.get(1), Some(Inst::Look(Look::BeginText)));
        for s in start..=input.len() {
            if anchored && s > 0 {
                break;
            }
            // Failures from earlier start positions stay failures, so
            // the visited table is shared across them.
            if let Some(slots) = self.run(input, s, &mut visited) {
                return Some(slots);
            }
        }
        None
    }

    fn look(l: Look, input: &[char], pos: usize) -> bool {
        let before = pos.checked_sub(1).and_then(|p| input.get(p));
        match l {
            Look::BeginText => pos == 0,
            Look::EndText => pos == input.len(),
            Look::BeginLine => pos == 0 || before == Some(&'\n'),
            Look::EndLine => pos == input.len() || input.get(pos) == Some(&'\n'),
            Look::WordBoundary => is_word(before) != is_word(input.get(pos)),
            Look::NotWordBoundary => is_word(before) == is_word(input.get(pos)),
        }
    }

    fn run(&self, input: &[char], start: usize, visited: &mut [u64]) -> Option<Slots> {
        let stride = input.len() + 1;
        let mut slots: Slots = vec![None; self.names.len() * 2];
        let mut stack = vec![Job::Try(0, start)];
        while let Some(job) = stack.pop() {
            let (mut pc, mut pos) = match job {
                Job::Restore(i, v) => {
                    if let Some(s) = slots.get_mut(i) {
                        *s = v;
                    }
                    continue;
                }
                Job::Try(pc, pos) => (pc, pos),
            };
            loop {
                let key = pc * stride + pos;
                match visited.get_mut(key / 64) {
                    Some(word) if *word & (1u64 << (key % 64)) == 0 => *word |= 1u64 << (key % 64),
                    _ => break,
                }
                let Some(inst) = self.prog.get(pc) else { break };
                let cur = input.get(pos);
                let step = match inst {
                    Inst::Char(c) => cur == Some(c),
                    Inst::Fold(c) => cur.is_some_and(|x| lower(*x) == *c),
                    Inst::Any => cur.is_some(),
                    Inst::AnyNotNl => cur.is_some_and(|x| *x != '\n'),
                    Inst::Class(k) => {
                        cur.is_some_and(|x| self.classes.get(*k).is_some_and(|cl| cl.matches(*x)))
                    }
                    Inst::Look(l) => {
                        if Self::look(*l, input, pos) {
                            pc += 1;
                            continue;
                        }
                        break;
                    }
                    Inst::Split(x, y) => {
                        stack.push(Job::Try(*y, pos));
                        pc = *x;
                        continue;
                    }
                    Inst::Jmp(x) => {
                        pc = *x;
                        continue;
                    }
                    Inst::Save(i) => {
                        stack.push(Job::Restore(*i, slots.get(*i).copied().flatten()));
                        if let Some(s) = slots.get_mut(*i) {
                            *s = Some(pos);
                        }
                        pc += 1;
                        continue;
                    }
                    Inst::Match => return Some(slots),
                };
                if !step {
                    break;
                }
                pc += 1;
                pos += 1;
            }
        }
        None
    }

    fn bounds(m: &Slots, fallback: usize) -> (usize, usize) {
        let s = m.first().copied().flatten().unwrap_or(fallback);
        let e = m.get(1).copied().flatten().unwrap_or(s);
        (s, e)
    }

    /// All successive non-overlapping matches, as Go's FindAll: an empty
    /// match right after a previous match is skipped.
    pub fn find_all(&self, input: &[char]) -> Vec<Slots> {
        let mut out = Vec::new();
        let mut pos = 0;
        let mut prev_end = None;
        while pos <= input.len() {
            let Some(m) = self.find_at(input, pos) else {
                break;
            };
            let (s, e) = Self::bounds(&m, pos);
            let mut accept = true;
            if e == pos {
                if prev_end == Some(s) {
                    accept = false;
                }
                pos += 1;
            } else {
                pos = e;
            }
            prev_end = Some(e);
            if accept {
                out.push(m);
            }
        }
        out
    }

    /// Replaces every match, expanding `$1`, `${1}`, `$name`, `${name}`
    /// and `$$` in `template`, as Go's ReplaceAllString.
    pub fn replace_all(&self, input: &[char], template: &str) -> String {
        let mut out = String::new();
        let mut last = 0;
        let mut search = 0;
        while search <= input.len() {
            let Some(m) = self.find_at(input, search) else {
                break;
            };
            let (a, b) = Self::bounds(&m, search);
            out.extend(input.get(last..a).unwrap_or(&[]));
            if b > last || a == 0 {
                self.expand(template, &m, input, &mut out);
            }
            last = b;
            search = if search + 1 > b { search + 1 } else { b };
        }
        out.extend(input.get(last..).unwrap_or(&[]));
        out
    }

    fn group_text(&self, m: &Slots, k: usize, input: &[char], out: &mut String) {
        if let (Some(s), Some(e)) = (
            m.get(2 * k).copied().flatten(),
            m.get(2 * k + 1).copied().flatten(),
        ) {
            out.extend(input.get(s..e).unwrap_or(&[]));
        }
    }

    fn expand(&self, template: &str, m: &Slots, input: &[char], out: &mut String) {
        let t: Vec<char> = template.chars().collect();
        let mut i = 0;
        while let Some(&c) = t.get(i) {
            i += 1;
            if c != '$' {
                out.push(c);
                continue;
            }
            if t.get(i) == Some(&'$') {
                out.push('$');
                i += 1;
                continue;
            }
            let brace = t.get(i) == Some(&'{');
            let mut j = if brace { i + 1 } else { i };
            let name_start = j;
            while t.get(j).is_some_and(|c| c.is_alphanumeric() || *c == '_') {
                j += 1;
            }
            let name: String = t.get(name_start..j).unwrap_or(&[]).iter().collect();
            if name.is_empty() || (brace && t.get(j) != Some(&'}')) {
                // Malformed: the `$` is literal text.
                out.push('$');
                continue;
            }
            i = if brace { j + 1 } else { j };
            if name.chars().all(|c| c.is_ascii_digit()) {
                if let Ok(k) = name.parse::<usize>() {
                    if k < self.names.len() {
                        self.group_text(m, k, input, out);
                    }
                }
            } else if let Some(k) = self
                .names
                .iter()
                .position(|n| n.as_deref() == Some(name.as_str()))
            {
                self.group_text(m, k, input, out);
            }
        }
    }
}
