//! The evaluation budget of one root module: how many collection elements, string
//! bytes and evaluation steps its evaluation may create, so that a hostile or
//! runaway configuration (`setproduct` of three `range(1024)`, 24 doublings by
//! `concat`, a `for` nested three deep) stops with a located error instead of
//! exhausting memory or time.
//!
//! Charges are made before the memory is allocated wherever the size of a result
//! can be told in advance (`setproduct`, `join`, `format` widths, `indent` ...), and
//! as values are built everywhere else (each element a `for` or a list literal adds,
//! each piece a template appends). Once a limit is exceeded the budget stays
//! exhausted: every later charge fails, so the evaluation of the root unwinds quickly.

use super::value::Value;
use std::cell::Cell;
use std::fmt;

/// Most collection elements one root module's evaluation may create (each value placed
/// in a new list, set or object counts, with everything it holds).
pub const MAX_ELEMENTS: u64 = 10_000_000;

/// Most string bytes one root module's evaluation may create (256 MiB).
pub const MAX_STRING_BYTES: u64 = 256 * 1024 * 1024;

/// Most evaluation steps (expressions evaluated, loop iterations, elements that
/// functions visit) one root module's evaluation may take.
pub const MAX_STEPS: u64 = 50_000_000;

/// References copy the value they name: this many copied elements count as one step.
pub const COPIES_PER_STEP: u64 = 4;

/// One of the limits of a [`Budget`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// Collection elements created.
    Elements,
    /// String bytes created.
    StringBytes,
    /// Evaluation steps taken.
    Steps,
}

/// The limits a [`Budget`] enforces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// See [`MAX_ELEMENTS`].
    pub elements: u64,
    /// See [`MAX_STRING_BYTES`].
    pub string_bytes: u64,
    /// See [`MAX_STEPS`].
    pub steps: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            elements: MAX_ELEMENTS,
            string_bytes: MAX_STRING_BYTES,
            steps: MAX_STEPS,
        }
    }
}

/// A limit was exceeded: evaluation of the root module stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exceeded {
    /// Which limit.
    pub limit: Limit,
    /// Its value.
    pub max: u64,
}

impl Exceeded {
    /// The limit in words: `10,000,000 collection elements`.
    pub fn limit_text(&self) -> String {
        let what = match self.limit {
            Limit::Elements => "collection elements",
            Limit::StringBytes => "bytes of strings",
            Limit::Steps => "evaluation steps",
        };
        format!("{} {what}", thousands(self.max))
    }
}

impl fmt::Display for Exceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "evaluation limit exceeded: this expression takes the root module past {} \
             (vpclint's limit); the root module is not evaluated further",
            self.limit_text()
        )
    }
}

/// `10000000` as `10,000,000`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What one root module's evaluation has used so far, against its [`Limits`].
#[derive(Debug, Default)]
pub struct Budget {
    limits: Limits,
    elements: Cell<u64>,
    bytes: Cell<u64>,
    steps: Cell<u64>,
    exceeded: Cell<Option<Exceeded>>,
}

/// The result of a charge.
pub type Charge = Result<(), Exceeded>;

impl Budget {
    /// A budget with the default limits.
    pub fn new() -> Budget {
        Budget::default()
    }

    /// A budget with the given limits.
    pub fn with_limits(limits: Limits) -> Budget {
        Budget {
            limits,
            ..Budget::default()
        }
    }

    /// The limit that was exceeded, if any: from then on every charge fails.
    pub fn exceeded(&self) -> Option<Exceeded> {
        self.exceeded.get()
    }

    /// Fails if the budget is already exhausted.
    pub fn check(&self) -> Charge {
        match self.exceeded.get() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn add(&self, limit: Limit, n: u64, charge: bool) -> Charge {
        self.check()?;
        let (used, max) = match limit {
            Limit::Elements => (&self.elements, self.limits.elements),
            Limit::StringBytes => (&self.bytes, self.limits.string_bytes),
            Limit::Steps => (&self.steps, self.limits.steps),
        };
        let total = used.get().saturating_add(n);
        if total > max {
            let e = Exceeded { limit, max };
            self.exceeded.set(Some(e));
            return Err(e);
        }
        if charge {
            used.set(total);
        }
        Ok(())
    }

    /// Charges `n` evaluation steps.
    pub fn steps(&self, n: u64) -> Charge {
        self.add(Limit::Steps, n, true)
    }

    /// Charges `n` collection elements.
    pub fn elements(&self, n: u64) -> Charge {
        self.add(Limit::Elements, n, true)
    }

    /// Charges `n` string bytes.
    pub fn bytes(&self, n: u64) -> Charge {
        self.add(Limit::StringBytes, n, true)
    }

    /// Fails (exhausting the budget) unless `n` more elements would fit; charges nothing:
    /// for memory a computation needs for a while (its inputs, a temporary table).
    pub fn fits_elements(&self, n: u64) -> Charge {
        self.add(Limit::Elements, n, false)
    }

    /// Fails (exhausting the budget) unless `n` more string bytes would fit; charges nothing.
    pub fn fits_bytes(&self, n: u64) -> Charge {
        self.add(Limit::StringBytes, n, false)
    }

    /// Charges a value placed in a new collection: its elements and string bytes.
    pub fn value(&self, v: &Value) -> Charge {
        let s = Size::of(v);
        self.elements(s.elements)?;
        self.bytes(s.bytes)
    }

    /// Charges a value copied by a reference (`local.x`, `var.x`, `each.value`):
    /// steps in proportion to its size.
    pub fn copy(&self, v: &Value) -> Charge {
        match v {
            Value::List(_) | Value::Set(_) | Value::Object(_) => {
                self.steps(Size::of(v).elements / COPIES_PER_STEP)
            }
            _ => Ok(()),
        }
    }
}

/// The size of a value: its nodes and the bytes of its strings (object keys included).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Size {
    /// Values, the value itself included.
    pub elements: u64,
    /// Bytes of strings.
    pub bytes: u64,
}

impl Size {
    /// The size of `v`. A resource instance is shared, not copied: it counts as one element.
    pub fn of(v: &Value) -> Size {
        let mut s = Size::default();
        // Iterative, so that a deeply nested value cannot exhaust the stack.
        let mut stack = vec![v];
        while let Some(v) = stack.pop() {
            s.elements += 1;
            match v {
                Value::String(x) => s.bytes += x.len() as u64,
                Value::List(items) | Value::Set(items) => stack.extend(items.iter()),
                Value::Object(m) => {
                    for (k, x) in m {
                        s.bytes += k.len() as u64;
                        stack.push(x);
                    }
                }
                _ => {}
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn small() -> Budget {
        Budget::with_limits(Limits {
            elements: 10,
            string_bytes: 8,
            steps: 5,
        })
    }

    #[test]
    fn charges_up_to_the_limit_then_stays_exhausted() {
        let b = small();
        assert_eq!(b.elements(10), Ok(()));
        let e = b.elements(1).unwrap_err();
        assert_eq!(e.limit, Limit::Elements);
        // Exhausted: even a charge of another kind fails now.
        assert_eq!(b.steps(1).unwrap_err().limit, Limit::Elements);
        assert_eq!(b.exceeded().map(|e| e.limit), Some(Limit::Elements));
    }

    #[test]
    fn fits_checks_without_charging() {
        let b = small();
        assert_eq!(b.fits_bytes(8), Ok(()));
        assert_eq!(b.fits_bytes(8), Ok(()));
        assert_eq!(b.bytes(8), Ok(()));
        assert_eq!(b.fits_bytes(1).unwrap_err().limit, Limit::StringBytes);
    }

    #[test]
    fn huge_charges_saturate() {
        let b = small();
        assert_eq!(b.steps(u64::MAX).unwrap_err().limit, Limit::Steps);
    }

    #[test]
    fn size_counts_nodes_and_string_bytes() {
        let mut m = BTreeMap::new();
        m.insert("ab".to_string(), Value::string("xyz"));
        let v = Value::List(vec![Value::Number(1.0), Value::Object(m)]);
        assert_eq!(
            Size::of(&v),
            Size {
                elements: 4,
                bytes: 5
            }
        );
    }

    #[test]
    fn message_names_the_limit() {
        let e = Exceeded {
            limit: Limit::Elements,
            max: MAX_ELEMENTS,
        };
        let m = e.to_string();
        assert!(m.contains("10,000,000 collection elements"), "{m}");
    }
}
