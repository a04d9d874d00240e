//! Number literals. Terraform numbers have arbitrary precision (`1e999`,
//! `123456789012345678901234567890` and `0.1e-999` are valid and exact there);
//! vpclint evaluates numbers as f64, which is exact for every value network
//! configuration uses (ports, rule numbers, prefix lengths, counts). A literal
//! that f64 cannot hold (beyond its range, an integer above 2^53, a non-zero
//! value that rounds to zero) is Unknown with the literal in the reason, so that
//! nothing is judged on a rounded value.

use super::value::Value;
use hcl_edit::expr::Expression;
use hcl_edit::{Formatted, Number};

/// The largest integer up to which every integer is exact in f64 (2^53).
const MAX_EXACT_INT: u64 = 1 << 53;

/// The value of a number literal: a Number when f64 holds it, else Unknown.
pub fn literal(n: &Formatted<Number>) -> Value {
    let parsed = n.value().as_f64();
    let Some(repr) = n.as_repr() else {
        return parsed.map_or_else(|| Value::unknown("number literal"), Value::Number);
    };
    let text: String = repr.chars().filter(|c| !c.is_whitespace()).collect();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let Ok(magnitude) = digits.parse::<f64>() else {
        return parsed.map_or_else(|| Value::unknown("number literal"), Value::Number);
    };
    let mantissa = digits.split(['e', 'E']).next().unwrap_or(digits);
    let integer = digits.bytes().all(|b| b.is_ascii_digit());
    let exact = magnitude.is_finite()
        && !(magnitude == 0.0 && mantissa.bytes().any(|b| matches!(b, b'1'..=b'9')))
        && !(integer && digits.parse::<u64>().map_or(true, |i| i > MAX_EXACT_INT));
    if exact {
        Value::Number(if negative { -magnitude } else { magnitude })
    } else {
        Value::unknown(format!(
            "number `{text}` needs more precision than vpclint evaluates (64-bit floating point)"
        ))
    }
}

/// The literal's value when `e` is a number literal.
pub fn of_expr(e: &Expression) -> Option<Value> {
    match e {
        Expression::Number(n) => Some(literal(n)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(src: &str) -> Value {
        let e = hcl_edit::parser::parse_expr(src).expect("parses");
        of_expr(&e).expect("a number literal")
    }

    #[test]
    fn numbers_f64_holds_are_numbers() {
        for (src, want) in [
            ("0", 0.0),
            ("443", 443.0),
            ("65535", 65535.0),
            ("1.5", 1.5),
            ("2.5E3", 2500.0),
            ("0.0e-999", 0.0),
            ("1e300", 1e300),
            ("9007199254740992", 9_007_199_254_740_992.0),
            ("18446744073709551615e-10", 1_844_674_407.370_955_2),
        ] {
            assert_eq!(eval(src), Value::Number(want), "{src}");
        }
        // A negative literal: the parser folds the minus into the literal.
        assert_eq!(eval("-5"), Value::Number(-5.0));
        assert!(matches!(eval("-1e999"), Value::Unknown(_)));
    }

    #[test]
    fn numbers_beyond_f64_are_unknown_with_the_literal() {
        for src in [
            "1e999",
            "1E+400",
            "0.1e-999",
            "123456789012345678901234567890123456789",
            "9007199254740993",
            "18446744073709551616",
        ] {
            match eval(src) {
                Value::Unknown(u) => assert!(
                    u.reason.contains(&format!("`{src}`")),
                    "{src}: {}",
                    u.reason
                ),
                other => panic!("{src}: expected Unknown, got {other:?}"),
            }
        }
    }
}
