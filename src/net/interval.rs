//! Inclusive integer intervals, the one-dimensional building block of packet spaces.

use std::fmt;

/// An inclusive interval `lo..=hi` of `u128` values; empty when `lo > hi`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Interval {
    /// Smallest value in the interval.
    pub lo: u128,
    /// Largest value in the interval (inclusive).
    pub hi: u128,
}

impl Interval {
    /// The interval `lo..=hi` (empty when `lo > hi`).
    pub const fn new(lo: u128, hi: u128) -> Self {
        Interval { lo, hi }
    }

    /// The interval holding the single value `v`.
    pub const fn point(v: u128) -> Self {
        Interval { lo: v, hi: v }
    }

    /// The whole `u128` range.
    pub const FULL: Interval = Interval {
        lo: 0,
        hi: u128::MAX,
    };

    /// Whether the interval holds no value (`lo > hi`).
    pub const fn is_empty(&self) -> bool {
        self.lo > self.hi
    }

    /// Whether `v` lies in the interval.
    pub const fn contains(&self, v: u128) -> bool {
        self.lo <= v && v <= self.hi
    }

    /// Whether every value of `self` lies in `other` (an empty interval is a subset of anything).
    pub const fn is_subset_of(&self, other: &Interval) -> bool {
        self.is_empty() || (other.lo <= self.lo && self.hi <= other.hi)
    }

    /// Whether the two intervals share a value.
    pub const fn overlaps(&self, other: &Interval) -> bool {
        !self.is_empty() && !other.is_empty() && self.lo <= other.hi && other.lo <= self.hi
    }

    /// The common part of two intervals, `None` when they do not overlap.
    pub fn intersect(&self, other: &Interval) -> Option<Interval> {
        let iv = Interval::new(self.lo.max(other.lo), self.hi.min(other.hi));
        (!iv.is_empty()).then_some(iv)
    }

    /// Number of values, `None` when it is 2^128 (the full range) and `Some(0)` when empty.
    pub const fn count(&self) -> Option<u128> {
        if self.is_empty() {
            Some(0)
        } else {
            (self.hi - self.lo).checked_add(1)
        }
    }
}

impl fmt::Display for Interval {
    /// `lo` for a single value, `lo-hi` otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.lo == self.hi {
            write!(f, "{}", self.lo)
        } else {
            write!(f, "{}-{}", self.lo, self.hi)
        }
    }
}

/// Sorts intervals and merges overlapping or adjacent ones; empty intervals are dropped.
pub fn merge_intervals(mut intervals: Vec<Interval>) -> Vec<Interval> {
    intervals.retain(|iv| !iv.is_empty());
    intervals.sort_unstable();
    let mut merged: Vec<Interval> = Vec::with_capacity(intervals.len());
    for iv in intervals {
        match merged.last_mut() {
            // `last.hi + 1 >= iv.lo`, written so that `hi == u128::MAX` cannot overflow.
            Some(last) if iv.lo <= last.hi || iv.lo - last.hi == 1 => {
                last.hi = last.hi.max(iv.hi);
            }
            _ => merged.push(iv),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_predicates() {
        let a = Interval::new(3, 7);
        assert!(a.contains(3) && a.contains(7) && !a.contains(8) && !a.contains(2));
        assert!(Interval::new(4, 5).is_subset_of(&a));
        assert!(!Interval::new(4, 8).is_subset_of(&a));
        assert!(Interval::new(9, 1).is_subset_of(&a));
        assert!(Interval::new(9, 1).is_empty());
        assert!(a.overlaps(&Interval::new(7, 9)));
        assert!(!a.overlaps(&Interval::new(8, 9)));
        assert_eq!(
            a.intersect(&Interval::new(5, 20)),
            Some(Interval::new(5, 7))
        );
        assert_eq!(a.intersect(&Interval::new(8, 20)), None);
    }

    #[test]
    fn count_handles_full_range() {
        assert_eq!(Interval::new(3, 7).count(), Some(5));
        assert_eq!(Interval::new(7, 3).count(), Some(0));
        assert_eq!(Interval::FULL.count(), None);
        assert_eq!(Interval::new(1, u128::MAX).count(), Some(u128::MAX));
    }

    #[test]
    fn display() {
        assert_eq!(Interval::point(22).to_string(), "22");
        assert_eq!(Interval::new(1024, 65535).to_string(), "1024-65535");
    }

    #[test]
    fn merge_sorts_and_joins_adjacent() {
        let merged = merge_intervals(vec![
            Interval::new(10, 12),
            Interval::new(0, 2),
            Interval::new(3, 4),
            Interval::new(6, 8),
            Interval::new(7, 9),
            Interval::new(5, 1),
            Interval::new(u128::MAX - 1, u128::MAX),
            Interval::new(u128::MAX, u128::MAX),
        ]);
        assert_eq!(
            merged,
            vec![
                Interval::new(0, 4),
                Interval::new(6, 12),
                Interval::new(u128::MAX - 1, u128::MAX)
            ]
        );
    }
}
