//! Exact finite unions of N-dimensional integer boxes ("cuboids").
//!
//! A [`Space`] is always kept in one canonical form, so that two spaces holding
//! the same points have the same cuboid list (and `==` is set equality):
//!
//! * the values of dimension 0 are cut into the maximal runs of consecutive
//!   values over which the cross-section (the set of points in dimensions
//!   1..N) stays the same and non-empty;
//! * each cross-section is itself in canonical form, recursively;
//! * the cuboids are listed in lexicographic order of their intervals.
//!
//! Every operation is computed by one sweep over the breakpoints of its inputs
//! (see `combine`): within an elementary interval between two consecutive
//! breakpoints of dimension `d`, the set of input cuboids covering it is
//! constant, so the cross-section is computed once, recursively, and adjacent
//! elementary intervals with equal cross-sections are merged. Only integer
//! comparisons and `±1` steps (guarded against overflow at `u128::MAX`) are
//! used, so the arithmetic is exact.

use super::interval::{merge_intervals, Interval};

/// A box: one inclusive interval per dimension.
pub type Cuboid<const N: usize> = [Interval; N];

/// Filler for the dimensions a recursive step has not decided yet.
const UNSET: Interval = Interval::point(0);

/// A set of points of an N-dimensional integer grid, as canonical disjoint cuboids (`==` is set equality).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Space<const N: usize> {
    cuboids: Vec<Cuboid<N>>,
}

impl<const N: usize> Default for Space<N> {
    fn default() -> Self {
        Self::empty()
    }
}

/// The set operation a sweep computes.
#[derive(Clone, Copy, Debug)]
enum Op {
    Union,
    Intersect,
    Subtract,
}

impl Op {
    /// Whether a point that is (or is not) in each operand belongs to the result.
    fn keep(self, in_a: bool, in_b: bool) -> bool {
        match self {
            Op::Union => in_a || in_b,
            Op::Intersect => in_a && in_b,
            Op::Subtract => in_a && !in_b,
        }
    }
}

fn cuboid_is_empty<const N: usize>(c: &Cuboid<N>) -> bool {
    c.iter().any(Interval::is_empty)
}

fn cuboids_overlap<const N: usize>(a: &Cuboid<N>, b: &Cuboid<N>) -> bool {
    a.iter().zip(b.iter()).all(|(x, y)| x.overlaps(y))
}

fn cuboid_contains<const N: usize>(c: &Cuboid<N>, p: &[u128; N]) -> bool {
    c.iter().zip(p.iter()).all(|(iv, v)| iv.contains(*v))
}

/// Copy of `c` with the dimensions before `d` blanked, as a recursive step returns it.
fn suffix<const N: usize>(c: &Cuboid<N>, d: usize) -> Cuboid<N> {
    let mut out = *c;
    for iv in out.iter_mut().take(d) {
        *iv = UNSET;
    }
    out
}

/// Canonical form of `op(⋃a, ⋃b)` restricted to dimensions `d..N`.
///
/// The inputs may overlap. The returned cuboids have dimensions `< d` set to
/// [`UNSET`]; the caller fills them in.
fn combine<const N: usize>(a: &[&Cuboid<N>], b: &[&Cuboid<N>], d: usize, op: Op) -> Vec<Cuboid<N>> {
    let keep_a_only = op.keep(true, false);
    let keep_b_only = op.keep(false, true);
    if d >= N {
        return if op.keep(!a.is_empty(), !b.is_empty()) {
            vec![[UNSET; N]]
        } else {
            Vec::new()
        };
    }
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Vec::new(),
        (false, true) if !keep_a_only => return Vec::new(),
        (true, false) if !keep_b_only => return Vec::new(),
        _ => {}
    }
    // A single cuboid that survives is its own canonical form.
    match (a, b) {
        ([only], []) | ([], [only]) => return vec![suffix(only, d)],
        _ => {}
    }

    let mut starts: Vec<u128> = Vec::with_capacity(2 * (a.len() + b.len()));
    for c in a.iter().chain(b.iter()) {
        let iv = c[d];
        starts.push(iv.lo);
        if let Some(next) = iv.hi.checked_add(1) {
            starts.push(next);
        }
    }
    starts.sort_unstable();
    starts.dedup();

    let mut out: Vec<Cuboid<N>> = Vec::new();
    let mut run: Option<(Interval, Vec<Cuboid<N>>)> = None;
    let flush = |run: &mut Option<(Interval, Vec<Cuboid<N>>)>, out: &mut Vec<Cuboid<N>>| {
        if let Some((iv, section)) = run.take() {
            out.extend(section.into_iter().map(|mut c| {
                c[d] = iv;
                c
            }));
        }
    };
    let mut sub_a: Vec<&Cuboid<N>> = Vec::with_capacity(a.len());
    let mut sub_b: Vec<&Cuboid<N>> = Vec::with_capacity(b.len());
    for (k, &lo) in starts.iter().enumerate() {
        let hi = match starts.get(k + 1) {
            Some(&next) => next - 1,
            None => u128::MAX,
        };
        // Breakpoints include every cuboid's bounds, so a cuboid covers the
        // elementary interval `lo..=hi` exactly when it contains `lo`.
        sub_a.clear();
        sub_a.extend(a.iter().copied().filter(|c| c[d].contains(lo)));
        sub_b.clear();
        sub_b.extend(b.iter().copied().filter(|c| c[d].contains(lo)));
        let section = if sub_a.is_empty() && sub_b.is_empty() {
            Vec::new()
        } else {
            combine(&sub_a, &sub_b, d + 1, op)
        };
        if section.is_empty() {
            flush(&mut run, &mut out);
            continue;
        }
        match &mut run {
            Some((iv, prev)) if *prev == section && iv.hi.checked_add(1) == Some(lo) => {
                iv.hi = hi;
            }
            _ => {
                flush(&mut run, &mut out);
                run = Some((Interval::new(lo, hi), section));
            }
        }
    }
    flush(&mut run, &mut out);
    out
}

impl<const N: usize> Space<N> {
    /// The empty set.
    pub const fn empty() -> Self {
        Space {
            cuboids: Vec::new(),
        }
    }

    /// The set of points of one cuboid (empty if any of its intervals is empty).
    pub fn from_cuboid(cuboid: Cuboid<N>) -> Self {
        if cuboid_is_empty(&cuboid) {
            Self::empty()
        } else {
            Space {
                cuboids: vec![cuboid],
            }
        }
    }

    /// The union of any cuboids, which may overlap; empty ones are ignored.
    pub fn from_cuboids<I: IntoIterator<Item = Cuboid<N>>>(cuboids: I) -> Self {
        let list: Vec<Cuboid<N>> = cuboids
            .into_iter()
            .filter(|c| !cuboid_is_empty(c))
            .collect();
        Self::normalize(&list)
    }

    /// The union of several spaces, computed in one sweep.
    pub fn union_all<'a, I>(spaces: I) -> Self
    where
        I: IntoIterator<Item = &'a Space<N>>,
    {
        let list: Vec<Cuboid<N>> = spaces
            .into_iter()
            .flat_map(|s| s.cuboids.iter().copied())
            .collect();
        Self::normalize(&list)
    }

    /// Canonical form of the union of non-empty (possibly overlapping) cuboids.
    fn normalize(list: &[Cuboid<N>]) -> Self {
        let refs: Vec<&Cuboid<N>> = list.iter().collect();
        Space {
            cuboids: combine(&refs, &[], 0, Op::Union),
        }
    }

    /// The canonical, pairwise-disjoint cuboids of the set, in lexicographic order.
    pub fn cuboids(&self) -> &[Cuboid<N>] {
        &self.cuboids
    }

    /// Whether the set holds no point.
    pub fn is_empty(&self) -> bool {
        self.cuboids.is_empty()
    }

    /// Whether `point` is in the set.
    pub fn contains_point(&self, point: &[u128; N]) -> bool {
        self.cuboids.iter().any(|c| cuboid_contains(c, point))
    }

    /// Points in `self` or `other`.
    pub fn union(&self, other: &Self) -> Self {
        if other.is_empty() {
            return self.clone();
        }
        if self.is_empty() {
            return other.clone();
        }
        let a: Vec<&Cuboid<N>> = self.cuboids.iter().collect();
        let b: Vec<&Cuboid<N>> = other.cuboids.iter().collect();
        Space {
            cuboids: combine(&a, &b, 0, Op::Union),
        }
    }

    /// Points in both `self` and `other`.
    pub fn intersect(&self, other: &Self) -> Self {
        // Only cuboids that meet the other side can contribute.
        let a: Vec<&Cuboid<N>> = self
            .cuboids
            .iter()
            .filter(|c| other.cuboids.iter().any(|o| cuboids_overlap(c, o)))
            .collect();
        let b: Vec<&Cuboid<N>> = other
            .cuboids
            .iter()
            .filter(|o| a.iter().any(|c| cuboids_overlap(c, o)))
            .collect();
        Space {
            cuboids: combine(&a, &b, 0, Op::Intersect),
        }
    }

    /// Points in `self` but not in `other`.
    pub fn subtract(&self, other: &Self) -> Self {
        self.subtract_all([other])
    }

    /// Points in `self` but in none of `others`, computed in one sweep.
    pub fn subtract_all<'a, I>(&self, others: I) -> Self
    where
        I: IntoIterator<Item = &'a Space<N>>,
    {
        // Cuboids of `others` that miss `self` entirely change nothing.
        let b: Vec<&Cuboid<N>> = others
            .into_iter()
            .flat_map(|s| s.cuboids.iter())
            .filter(|o| self.cuboids.iter().any(|c| cuboids_overlap(c, o)))
            .collect();
        if b.is_empty() {
            return self.clone();
        }
        let a: Vec<&Cuboid<N>> = self.cuboids.iter().collect();
        Space {
            cuboids: combine(&a, &b, 0, Op::Subtract),
        }
    }

    /// Whether the two sets share a point.
    pub fn intersects(&self, other: &Self) -> bool {
        // Cuboids within a space are disjoint, but any overlapping pair across
        // the two spaces is a shared point.
        self.cuboids
            .iter()
            .any(|c| other.cuboids.iter().any(|o| cuboids_overlap(c, o)))
    }

    /// Whether every point of `self` is in `other`.
    pub fn is_subset_of(&self, other: &Self) -> bool {
        self.subtract(other).is_empty()
    }

    /// The cylinder over the other dimensions: every point whose coordinates
    /// outside `dim` match some point of `self`, with dimension `dim` set to `interval`.
    ///
    /// An empty `interval` gives the empty set; `dim >= N` leaves the set unchanged.
    pub fn replace_dim(&self, dim: usize, interval: Interval) -> Self {
        if dim >= N {
            return self.clone();
        }
        if interval.is_empty() {
            return Self::empty();
        }
        let list: Vec<Cuboid<N>> = self
            .cuboids
            .iter()
            .map(|c| {
                let mut c = *c;
                c[dim] = interval;
                c
            })
            .collect();
        Self::normalize(&list)
    }

    /// The points of `self` whose coordinate `dim` lies in `interval` (a slab intersection).
    ///
    /// `dim >= N` leaves the set unchanged.
    pub fn restrict_dim(&self, dim: usize, interval: Interval) -> Self {
        if dim >= N {
            return self.clone();
        }
        let list: Vec<Cuboid<N>> = self
            .cuboids
            .iter()
            .filter_map(|c| {
                let clipped = c[dim].intersect(&interval)?;
                let mut c = *c;
                c[dim] = clipped;
                Some(c)
            })
            .collect();
        if list.len() == self.cuboids.len() && list == self.cuboids {
            return self.clone();
        }
        Self::normalize(&list)
    }

    /// The values dimension `dim` takes in the set, as sorted, merged intervals
    /// (empty for `dim >= N`).
    pub fn project_intervals(&self, dim: usize) -> Vec<Interval> {
        if dim >= N {
            return Vec::new();
        }
        merge_intervals(self.cuboids.iter().map(|c| c[dim]).collect())
    }

    /// Number of points, `None` if it does not fit in a `u128`.
    pub fn point_count(&self) -> Option<u128> {
        self.cuboids.iter().try_fold(0u128, |total, c| {
            let volume = c
                .iter()
                .try_fold(1u128, |v, iv| v.checked_mul(iv.count()?))?;
            total.checked_add(volume)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iv(lo: u128, hi: u128) -> Interval {
        Interval::new(lo, hi)
    }

    fn sq(x: (u128, u128), y: (u128, u128)) -> Space<2> {
        Space::from_cuboid([iv(x.0, x.1), iv(y.0, y.1)])
    }

    #[test]
    fn empty_cuboid_gives_empty_space() {
        assert!(sq((3, 2), (0, 5)).is_empty());
        assert!(Space::<2>::from_cuboids([[iv(1, 0), iv(0, 0)]]).is_empty());
    }

    #[test]
    fn union_merges_adjacent_boxes() {
        let u = sq((0, 4), (0, 9)).union(&sq((5, 9), (0, 9)));
        assert_eq!(u.cuboids(), &[[iv(0, 9), iv(0, 9)]]);
        let u = sq((0, 9), (0, 4)).union(&sq((0, 9), (5, 9)));
        assert_eq!(u.cuboids(), &[[iv(0, 9), iv(0, 9)]]);
    }

    #[test]
    fn subtract_punches_a_hole() {
        let big = sq((0, 9), (0, 9));
        let hole = sq((3, 5), (4, 6));
        let d = big.subtract(&hole);
        assert_eq!(
            d.cuboids(),
            &[
                [iv(0, 2), iv(0, 9)],
                [iv(3, 5), iv(0, 3)],
                [iv(3, 5), iv(7, 9)],
                [iv(6, 9), iv(0, 9)],
            ]
        );
        assert_eq!(d.point_count(), Some(100 - 9));
        assert!(!d.contains_point(&[4, 5]));
        assert!(d.contains_point(&[4, 3]));
        assert_eq!(d.union(&hole), big);
        assert!(hole.is_subset_of(&big));
        assert!(!big.is_subset_of(&hole));
        assert!(!d.intersects(&hole));
        assert!(d.intersect(&hole).is_empty());
    }

    #[test]
    fn canonical_form_is_independent_of_construction() {
        let a = Space::from_cuboids([[iv(0, 1), iv(0, 3)], [iv(2, 3), iv(0, 1)]]);
        let b = Space::from_cuboids([[iv(0, 3), iv(0, 1)], [iv(0, 1), iv(2, 3)]]);
        assert_eq!(a, b);
    }

    #[test]
    fn extreme_values_do_not_overflow() {
        let top = Space::<1>::from_cuboid([iv(u128::MAX - 2, u128::MAX)]);
        let full = Space::<1>::from_cuboid([Interval::FULL]);
        let rest = full.subtract(&top);
        assert_eq!(rest.cuboids(), &[[iv(0, u128::MAX - 3)]]);
        assert_eq!(rest.union(&top), full);
        assert_eq!(full.point_count(), None);
        assert_eq!(top.point_count(), Some(3));
    }

    #[test]
    fn replace_restrict_project() {
        let s = Space::from_cuboids([[iv(0, 1), iv(0, 0)], [iv(5, 6), iv(3, 4)]]);
        let cyl = s.replace_dim(1, iv(0, 9));
        assert_eq!(cyl.cuboids(), &[[iv(0, 1), iv(0, 9)], [iv(5, 6), iv(0, 9)]]);
        let flat = s.replace_dim(0, iv(0, 9));
        assert_eq!(
            flat.cuboids(),
            &[[iv(0, 9), iv(0, 0)], [iv(0, 9), iv(3, 4)]]
        );
        let slab = s.restrict_dim(0, iv(1, 5));
        assert_eq!(
            slab.cuboids(),
            &[[iv(1, 1), iv(0, 0)], [iv(5, 5), iv(3, 4)]]
        );
        assert_eq!(s.project_intervals(1), vec![iv(0, 0), iv(3, 4)]);
        assert_eq!(s.project_intervals(7), Vec::<Interval>::new());
        assert_eq!(s.replace_dim(1, iv(4, 3)), Space::empty());
    }

    #[test]
    fn restrict_renormalizes() {
        // Two runs in dim 0 differ only in dim 1 outside the slab; after the
        // slab they are equal and must merge.
        let s = Space::from_cuboids([[iv(0, 1), iv(0, 5)], [iv(2, 3), iv(0, 3)]]);
        assert_eq!(s.cuboids().len(), 2);
        let r = s.restrict_dim(1, iv(0, 2));
        assert_eq!(r.cuboids(), &[[iv(0, 3), iv(0, 2)]]);
    }
}
