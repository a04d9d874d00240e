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

/// A value taken from the input, as messages show it: control characters escaped,
/// cut to 60 characters.
pub(crate) fn shown(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == 60 {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}
