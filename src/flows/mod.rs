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

/// A fast hasher (the multiply-rotate of rustc's FxHash) for maps whose keys come from
/// the snapshot (addresses of its objects, families, protocol numbers), never from
/// the records alone: those keep std's keyed SipHash.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ModelHasher(u64);

impl ModelHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for ModelHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_u16(&mut self, i: u16) {
        self.add(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Maps keyed by the snapshot's objects.
pub(crate) type ModelMap<K, V> =
    std::collections::HashMap<K, V, std::hash::BuildHasherDefault<ModelHasher>>;
