//! Flow-log records: which layer and rule rejected a recorded flow.
//!
//! Reads records as AWS delivers them ([`source`]), parses them with their format
//! ([`record`]), and attributes every REJECT to the NACL entry or security-group
//! layer of the snapshot that drops it, on top of the reachability engine.

pub mod generate;
pub mod judge;
pub mod record;
pub mod run;
pub mod source;

/// A value taken from the input, as messages show it: cut to 60 characters, unsafe
/// characters escaped ([`crate::report::escape::visible`]).
pub(crate) fn shown(s: &str) -> String {
    let mut cut: String = s.chars().take(60).collect();
    if s.chars().nth(60).is_some() {
        cut.push('…');
    }
    crate::report::escape::visible(&cut).into_owned()
}
