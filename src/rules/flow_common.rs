//! What the flow-log rules share: which flow logs count, the destination log
//! group of a flow log, and where to point at an attribute.

use crate::model::{FlowLog, FlowLogDestinationType, LogGroup, Model, Val};
use crate::source::Location;

/// Whether a flow log is in effect: always for Terraform; in exports only when
/// `FlowLogStatus` is `ACTIVE` (or absent).
pub fn is_active(fl: &FlowLog) -> bool {
    match fl.status.as_deref() {
        None => true,
        Some(s) => s.eq_ignore_ascii_case("ACTIVE"),
    }
}

/// Whether the flow log delivers to CloudWatch Logs (Known).
pub fn is_cloudwatch(fl: &FlowLog) -> bool {
    matches!(
        fl.destination_type,
        Val::Known(FlowLogDestinationType::CloudWatchLogs)
    )
}

/// The log group of the model a CloudWatch Logs flow log delivers to, if it is in the model:
/// the destination is the group's key, its ARN (with or without `:*`) or its name.
pub fn destination_group<'m>(model: &'m Model, fl: &FlowLog) -> Option<&'m LogGroup> {
    if !is_cloudwatch(fl) {
        return None;
    }
    let Some(Val::Known(dest)) = &fl.destination else {
        return None;
    };
    let arn = dest.trim_end_matches(":*");
    model
        .log_groups
        .iter()
        .find(|g| &g.key == dest)
        .or_else(|| {
            model
                .log_groups
                .iter()
                .find(|g| matches!(&g.arn, Some(Val::Known(a)) if a == arn))
        })
        .or_else(|| {
            model
                .log_groups
                .iter()
                .find(|g| matches!(&g.name, Val::Known(n) if n == dest))
        })
}

/// The location of one of the flow log's attributes, else of the flow log.
pub fn attr_location(fl: &FlowLog, attr: &str) -> Option<Location> {
    fl.attr_locations
        .get(attr)
        .cloned()
        .or_else(|| fl.origin.location.clone())
}

/// The field names of a custom record format: `${srcaddr} ${dstaddr}` -> [srcaddr, dstaddr].
pub fn format_fields(format: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = format;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(end) => {
                out.push(after[..end].trim().to_ascii_lowercase());
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::format_fields;

    #[test]
    fn fields_of_a_format() {
        assert_eq!(
            format_fields("${version} ${srcaddr}  ${dstaddr}"),
            vec!["version", "srcaddr", "dstaddr"]
        );
        assert_eq!(format_fields(""), Vec::<String>::new());
        assert_eq!(format_fields("${action"), Vec::<String>::new());
    }
}
