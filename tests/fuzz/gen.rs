//! The random source of the generators: proptest's deterministic `TestRng` (XorShift), one
//! per input, seeded from (base seed, kind, iteration), so any input can be made again.

use proptest::prelude::*;
use proptest::test_runner::{RngAlgorithm, TestRng};

/// A random source with the small helpers the generators use.
pub struct Gen {
    rng: TestRng,
    /// Whether the Terraform generator writes budget bombs (see [`bombs`]).
    pub bombs: bool,
}

/// Whether inputs include budget bombs (a `setproduct` of three `range(1024)` ...) that
/// only an evaluation budget stops: `VPCLINT_FUZZ_BUDGET_BOMBS=1` or `0`, else `default`
/// (on in the long runs, off in the smoke runs, which are debug builds and short).
pub fn bombs(default: bool) -> bool {
    match std::env::var("VPCLINT_FUZZ_BUDGET_BOMBS").as_deref() {
        Ok("1") => true,
        Ok("0") => false,
        _ => default,
    }
}

impl Gen {
    /// The source of input `iteration` of `kind` under `seed`.
    pub fn new(seed: u64, kind: &str, iteration: u64) -> Gen {
        // FNV-1a over the kind, mixed with the seed and iteration (SplitMix64 finalizer).
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in kind.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        let mix = |mut z: u64| {
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        let a = mix(seed ^ h);
        let b = mix(a ^ iteration.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&a.to_le_bytes());
        bytes[8..].copy_from_slice(&(b | 1).to_le_bytes());
        Gen {
            rng: TestRng::from_seed(RngAlgorithm::XorShift, &bytes),
            bombs: false,
        }
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.rng.next_u64() % n as u64) as usize
        }
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u32) -> bool {
        self.rng.next_u32() % 100 < percent
    }

    /// One of `items`.
    pub fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        items[self.below(items.len())]
    }

    /// One of `items`, cloned.
    pub fn pick_owned<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }

    /// A raw 64-bit number.
    pub fn u64(&mut self) -> u64 {
        self.rng.next_u64()
    }

    /// A small count, most often 0..=3, sometimes up to `max`.
    pub fn count(&mut self, max: usize) -> usize {
        if self.chance(85) {
            self.below(4.min(max + 1))
        } else {
            self.below(max + 1)
        }
    }
}

/// Hostile fragments the generators and the mutator insert: control characters, workflow
/// commands, huge numbers, odd Unicode.
pub const HOSTILE_TEXT: &[&str] = &[
    "\n::add-mask::secret\n",
    "\n::error file=x::injected\n",
    "::warning::x",
    "\x1b[31mred\x1b[0m",
    "\x1b]8;;http://x\x07link\x1b]8;;\x07",
    "\r\n",
    "\u{7f}",
    "\u{9b}31m",
    "\u{202e}evil",
    "\u{2028}",
    "\u{feff}",
    "\0",
    "%0A::x",
    "${",
    "%{",
    "\"",
    "\\",
    "é😀",
    "",
];

/// Numbers Terraform or JSON accept that stress a parser: huge, tiny, negative, fractional.
pub const HOSTILE_NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1e999",
    "-1e999",
    "1e-999",
    "18446744073709551616",
    "340282366920938463463374607431768211457",
    "9007199254740993",
    "65535",
    "65536",
    "4294967296",
    "-0",
    "0.5",
    "1.0e2",
    "32766",
    "32767",
    "32768",
    "2147483648",
    "99999999999999999999999999999999999999999999999999999999",
];
