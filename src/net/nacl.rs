//! First-match evaluation of an ordered NACL entry list.

use super::space::Space;

/// The effective part of each entry: its space minus the spaces of all earlier entries.
///
/// `spaces` are the match spaces in evaluation order (lowest rule number
/// first); `result[i]` holds exactly the points for which entry `i` is the
/// first match.
pub fn effective_parts<const N: usize>(spaces: &[Space<N>]) -> Vec<Space<N>> {
    // Subtracting the earlier spaces themselves (they may overlap) in one sweep
    // avoids maintaining their canonical union.
    spaces
        .iter()
        .enumerate()
        .map(|(i, space)| space.subtract_all(&spaces[..i]))
        .collect()
}

/// Index of the first space (in evaluation order) that holds `point`.
pub fn first_match<const N: usize>(spaces: &[Space<N>], point: &[u128; N]) -> Option<usize> {
    spaces.iter().position(|s| s.contains_point(point))
}

/// Indices of the entries that are the first match for some point of `target`,
/// given the effective parts of a list.
///
/// For a shadowed entry `i` (empty effective part), passing its match space and
/// `&parts[..i]` names the entries that cover it.
pub fn first_matchers<const N: usize>(parts: &[Space<N>], target: &Space<N>) -> Vec<usize> {
    parts
        .iter()
        .enumerate()
        .filter(|(_, part)| part.intersects(target))
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::interval::Interval;

    fn line(lo: u128, hi: u128) -> Space<1> {
        Space::from_cuboid([Interval::new(lo, hi)])
    }

    #[test]
    fn effective_parts_in_one_dimension() {
        let spaces = [line(0, 4), line(3, 9), line(5, 6), line(10, 12)];
        let parts = effective_parts(&spaces);
        assert_eq!(parts[0], line(0, 4));
        assert_eq!(parts[1], line(5, 9));
        assert!(parts[2].is_empty());
        assert_eq!(parts[3], line(10, 12));
        assert_eq!(first_match(&spaces, &[6]), Some(1));
        assert_eq!(first_match(&spaces, &[13]), None);
        assert_eq!(first_matchers(&parts[..2], &spaces[2]), vec![1]);
        assert_eq!(first_matchers(&parts, &line(4, 5)), vec![0, 1]);
    }

    #[test]
    fn empty_list() {
        assert!(effective_parts::<3>(&[]).is_empty());
        assert_eq!(first_match::<3>(&[], &[0, 0, 0]), None);
    }
}
