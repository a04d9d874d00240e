//! Byte-level mutation of the repository's fixtures: bit flips, truncation, splicing with
//! another fixture, duplicated and deleted spans, and hostile tokens (deep nesting, huge
//! numbers, invalid UTF-8, control characters, unterminated constructs) at random places.

use crate::corpus::{corpus, Scenario};
use crate::driver::Input;
use crate::gen::{Gen, HOSTILE_NUMBERS, HOSTILE_TEXT};

const TOKENS: &[&[u8]] = &[
    b"\xff\xfe",
    b"\xc3",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\x00",
    b"\x1b[2J\x1b[31m",
    b"\r",
    b"\r\n",
    b"\xef\xbb\xbf",
    b"${",
    b"%{",
    b"<<EOT\n",
    b"/*",
    b"\"",
    b"}",
    b"{",
    b"]",
    b"[",
    b",",
    b":",
    b"\\u0000",
    b"\\ud800",
    b"\n::add-mask::x\n",
    b"\"\\n::error::x\"",
    b"# vpclint:ignore SG001 reason=\"x\"\n",
    b"&a [*a]\n",
    b"---\n",
    b"NaN",
    b"null",
];

fn one_mutation(g: &mut Gen, bytes: &mut Vec<u8>, other: &[u8]) {
    let len = bytes.len();
    let at = g.below(len + 1);
    match g.below(10) {
        0 if len > 0 => {
            let i = g.below(len);
            bytes[i] ^= 1 << g.below(8);
        }
        1 if len > 0 => {
            let i = g.below(len);
            bytes[i] = g.u64() as u8;
        }
        2 => bytes.truncate(at),
        3 if !other.is_empty() => {
            // Splice: our head, the other file's tail.
            let from = g.below(other.len());
            bytes.truncate(at);
            bytes.extend_from_slice(&other[from..]);
        }
        4 if len > 0 => {
            let start = g.below(len);
            let end = (start + g.range(1, 400)).min(len);
            let span = bytes[start..end].to_vec();
            let times = if g.chance(10) { g.range(2, 200) } else { 1 };
            let mut insert = Vec::with_capacity(span.len() * times);
            for _ in 0..times {
                insert.extend_from_slice(&span);
            }
            let at = g.below(len + 1);
            bytes.splice(at..at, insert);
        }
        5 if len > 0 => {
            let start = g.below(len);
            let end = (start + g.range(1, 200)).min(len);
            bytes.drain(start..end);
        }
        6 => {
            let n = g.pick_owned(&[64usize, 65, 129, 1000, 50_000]);
            let (open, close): (&[u8], &[u8]) = match g.below(4) {
                0 => (b"[", b"]"),
                1 => (b"{\"a\":", b"}"),
                2 => (b"(", b")"),
                _ => (b"{a=", b"}"),
            };
            let mut insert = open.repeat(n);
            if g.chance(50) {
                insert.extend_from_slice(b"1");
                insert.extend_from_slice(&close.repeat(n));
            }
            bytes.splice(at..at, insert);
        }
        7 => {
            let number = g.pick(HOSTILE_NUMBERS).as_bytes().to_vec();
            // Over a number when one is here, else inserted.
            let start = bytes[at..]
                .iter()
                .position(|b| b.is_ascii_digit())
                .map(|p| at + p);
            match start {
                Some(s) => {
                    let end = bytes[s..]
                        .iter()
                        .position(|b| !b.is_ascii_digit())
                        .map_or(bytes.len(), |p| s + p);
                    bytes.splice(s..end, number);
                }
                None => {
                    bytes.splice(at..at, number);
                }
            }
        }
        8 => {
            let text = g.pick(HOSTILE_TEXT).as_bytes().to_vec();
            bytes.splice(at..at, text);
        }
        _ => {
            let token = TOKENS[g.below(TOKENS.len())].to_vec();
            bytes.splice(at..at, token);
        }
    }
}

fn pick_scenario<'a>(g: &mut Gen, all: &'a [&'a Scenario]) -> &'a Scenario {
    all[g.below(all.len())]
}

/// A fixture directory with one to three of its files mutated.
pub fn input(g: &mut Gen) -> Input {
    let c = corpus();
    let all: Vec<&Scenario> = c
        .terraform
        .iter()
        .chain(c.exports.iter())
        .chain(c.plans.iter())
        .collect();
    let s = pick_scenario(g, &all);
    let donor = pick_scenario(g, &all);
    let mut files = s.files.clone();
    // Large plans and exports are mutated as a few files, not all of them.
    if files.len() > 4 && g.chance(50) {
        let keep = g.range(1, 4);
        let start = g.below(files.len() - keep + 1);
        files = files[start..start + keep].to_vec();
    }
    for _ in 0..g.range(1, 3) {
        let i = g.below(files.len());
        let other = &donor.files[g.below(donor.files.len())].1;
        for _ in 0..g.range(1, 4) {
            one_mutation(g, &mut files[i].1, other);
        }
    }
    let has_config = files.iter().any(|(p, _)| p.ends_with(".vpclint.yaml"));
    Input {
        files,
        config: has_config,
        region: g.chance(20).then(|| "eu-west-1".to_string()),
        ..Input::default()
    }
}
