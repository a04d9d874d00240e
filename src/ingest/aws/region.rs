//! Which region an export file belongs to. The EC2 API names a region only in some
//! objects (subnet, prefix list and security group ARNs, availability zones, CloudWatch
//! Logs ARNs), so a file's region is, in order: the one region its objects name, a
//! region written in its path (`us-east-1/`, `describe-vpcs.eu-west-1.json`), the
//! `--region` hint, or not known. IAM is global: its exports belong to every region of
//! their directory, unless their path names one.

use crate::ingest::json_spans::{Kind, Node};
use std::collections::BTreeSet;
use std::path::Path;

/// The region of one export file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum FileRegion {
    /// IAM: the same in every region.
    Global,
    /// One region.
    Known(String),
    /// Objects of several regions in one file.
    Mixed(Vec<String>),
    /// Nothing tells.
    Unknown,
}

/// Fields that name the region of the object holding them.
const REGION_FIELDS: &[&str] = &[
    "SubnetArn",
    "PrefixListArn",
    "SecurityGroupArn",
    "AvailabilityZone",
    // describe-log-groups.
    "arn",
    // A flow log's CloudWatch Logs destination is in the flow log's region.
    "LogDestination",
];

/// The region of a file: its objects, then its path, then the hint.
#[cfg(test)]
pub(crate) fn of_file(path: &Path, root: &Node, global: bool, hint: Option<&str>) -> FileRegion {
    of_file_with(path, root, BTreeSet::new(), global, hint)
}

/// [`of_file`] for a file whose streamed items named the regions `found` already.
pub(crate) fn of_file_with(
    path: &Path,
    root: &Node,
    mut found: BTreeSet<String>,
    global: bool,
    hint: Option<&str>,
) -> FileRegion {
    if global {
        // IAM is the same in every region, unless the user filed it under one.
        return in_path(path).map_or(FileRegion::Global, FileRegion::Known);
    }
    collect(root, None, &mut found);
    match found.len() {
        0 => {}
        1 => return FileRegion::Known(found.into_iter().next().unwrap_or_default()),
        _ => return FileRegion::Mixed(found.into_iter().collect()),
    }
    if let Some(r) = in_path(path) {
        return FileRegion::Known(r);
    }
    match hint {
        Some(h) => FileRegion::Known(h.to_string()),
        None => FileRegion::Unknown,
    }
}

/// Adds the regions named in `node` (the value of member `key`) to `out`.
pub(crate) fn collect(node: &Node, key: Option<&str>, out: &mut BTreeSet<String>) {
    match &node.kind {
        Kind::Object(members) => {
            for m in members {
                collect(&m.value, Some(&m.key), out);
            }
        }
        Kind::Array(items) => {
            for i in items {
                collect(i, key, out);
            }
        }
        Kind::String(s) if key.is_some_and(|k| REGION_FIELDS.contains(&k)) => {
            let region = if key == Some("AvailabilityZone") {
                zone_region(s)
            } else {
                arn_region(s)
            };
            out.extend(region);
        }
        _ => {}
    }
}

/// `arn:aws:ec2:us-east-1:123456789012:subnet/...` -> `us-east-1` (EC2 and CloudWatch Logs
/// ARNs only: S3 and IAM ARNs name no region).
fn arn_region(arn: &str) -> Option<String> {
    let mut parts = arn.splitn(5, ':');
    let (scheme, _partition, service, region) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    (scheme == "arn" && matches!(service, "ec2" | "logs") && is_region(region))
        .then(|| region.to_string())
}

/// `us-east-1a` -> `us-east-1` (local and wavelength zones, `us-west-2-lax-1a`, are left out).
fn zone_region(zone: &str) -> Option<String> {
    let region = zone.strip_suffix(|c: char| c.is_ascii_lowercase())?;
    is_region(region).then(|| region.to_string())
}

/// Words of region names: `us-gov-west-1`, `ap-southeast-2`, `eu-central-1`, `il-central-1`.
const DIRECTIONS: &[&str] = &[
    "north",
    "south",
    "east",
    "west",
    "central",
    "northeast",
    "northwest",
    "southeast",
    "southwest",
];

/// Whether `s` is shaped like a region name: geography, optional `gov`/`iso`
/// partition word, direction, number.
pub(crate) fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let (geo, rest) = match parts.split_first() {
        Some((g, r)) => (*g, r),
        None => return false,
    };
    let rest = match rest {
        [p, r @ ..] if matches!(*p, "gov" | "iso" | "isob" | "isof" | "isoe") => r,
        r => r,
    };
    geo.len() == 2
        && geo.chars().all(|c| c.is_ascii_lowercase())
        && matches!(rest, [dir, n] if DIRECTIONS.contains(dir)
            && !n.is_empty() && n.len() <= 2 && n.chars().all(|c| c.is_ascii_digit()))
}

/// A region written in a path: a directory named after it, or a file name holding it.
fn in_path(path: &Path) -> Option<String> {
    let mut found: Vec<String> = Vec::new();
    for comp in path.components() {
        let text = comp.as_os_str().to_string_lossy().to_ascii_lowercase();
        for token in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')) {
            found.extend(regions_in(token));
        }
    }
    // The innermost mention wins (`exports/us-east-1/old-eu-west-1.json` is eu-west-1).
    found.pop()
}

/// Region names inside a dash-separated token (`describe-vpcs-us-east-1`).
fn regions_in(token: &str) -> Vec<String> {
    let words: Vec<&str> = token.split('-').collect();
    let mut out = Vec::new();
    for start in 0..words.len() {
        for len in [3, 4] {
            if let Some(w) = words.get(start..start + len) {
                let candidate = w.join("-");
                if is_region(&candidate) {
                    out.push(candidate);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::json_spans;

    #[test]
    fn region_names() {
        for r in [
            "us-east-1",
            "eu-central-2",
            "us-gov-west-1",
            "ap-southeast-4",
            "il-central-1",
        ] {
            assert!(is_region(r), "{r}");
        }
        for r in [
            "us-east",
            "vpc-east-1",
            "us-up-1",
            "us-east-1a",
            "describe-vpcs",
            "",
        ] {
            assert!(!is_region(r), "{r}");
        }
    }

    #[test]
    fn regions_from_content_path_and_hint() {
        let of = |path: &str, json: &str, hint: Option<&str>| {
            let root = json_spans::parse(json).expect("json");
            of_file(Path::new(path), &root, false, hint)
        };
        let subnets = r#"{"Subnets": [{"SubnetId": "subnet-1", "AvailabilityZone": "eu-west-1b",
            "SubnetArn": "arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-1"}]}"#;
        assert_eq!(
            of("x/a.json", subnets, Some("us-east-1")),
            FileRegion::Known("eu-west-1".into())
        );
        let vpcs = r#"{"Vpcs": [{"VpcId": "vpc-1"}]}"#;
        assert_eq!(
            of("snap/us-west-2/describe-vpcs.json", vpcs, None),
            FileRegion::Known("us-west-2".into())
        );
        assert_eq!(
            of("snap/describe-vpcs.ap-south-1.json", vpcs, None),
            FileRegion::Known("ap-south-1".into())
        );
        assert_eq!(
            of("snap/us-east-1/old-eu-west-1.json", vpcs, None),
            FileRegion::Known("eu-west-1".into())
        );
        assert_eq!(
            of("snap/vpcs.json", vpcs, Some("us-east-2")),
            FileRegion::Known("us-east-2".into())
        );
        assert_eq!(of("snap/vpcs.json", vpcs, None), FileRegion::Unknown);
        let mixed = r#"{"Subnets": [{"AvailabilityZone": "eu-west-1a"}, {"AvailabilityZone": "us-east-1c"}]}"#;
        assert_eq!(
            of("m.json", mixed, None),
            FileRegion::Mixed(vec!["eu-west-1".into(), "us-east-1".into()])
        );
        // S3 and IAM ARNs, and local zones, name no region.
        let flow = r#"{"FlowLogs": [{"LogDestination": "arn:aws:s3:::bucket",
            "DeliverLogsPermissionArn": "arn:aws:iam::123456789012:role/r"}],
            "x": {"AvailabilityZone": "us-west-2-lax-1a"}}"#;
        assert_eq!(of("f.json", flow, None), FileRegion::Unknown);
    }
}
