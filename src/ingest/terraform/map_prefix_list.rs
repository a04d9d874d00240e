//! Managed prefix lists: `aws_ec2_managed_prefix_list` (with `entry` blocks) and
//! `aws_ec2_managed_prefix_list_entry` to the model. A prefix list read through a data
//! source is not modelled: rules treat a reference to it as Unknown.

use super::eval::{EvalBody, Expansion};
use super::mapping::{target_of, Builder, Collected, Nested, Target};
use super::value::Value;
use crate::model::{Key, Origin, PrefixList, PrefixListEntry, Val};
use crate::source::Location;

/// Adds the prefix lists of a configuration to the model.
pub(super) fn map(b: &mut Builder, all: &Collected) {
    for r in all.of("aws_ec2_managed_prefix_list") {
        for inst in &r.instances {
            let origin = inst.origin();
            let name = match inst.body.get("name") {
                Some(Value::String(s)) => Val::Known(s.clone()),
                Some(Value::Unknown(u)) => Val::Unknown(u.reason.clone()),
                _ => Val::Unknown("no name".into()),
            };
            let mut list = PrefixList {
                origin,
                key: inst.address.clone(),
                name,
                entries: Vec::new(),
                complete: true,
            };
            for n in b.nested(&inst.body, &inst.address, "entry") {
                match n {
                    Nested::Known { body, location } => {
                        let e = entry(b, &body, &inst.address, location);
                        list.entries.push(e);
                    }
                    Nested::Unknown { .. } => list.complete = false,
                }
            }
            b.model.prefix_lists.push(list);
        }
        if let (Expansion::Unknown(reason), Some(p)) = (&r.expansion, &r.placeholder) {
            let loc = p.location.first_line();
            b.unknown(&loc, &p.address, "count/for_each", reason);
        }
    }
    for r in all.of("aws_ec2_managed_prefix_list_entry") {
        for inst in &r.instances {
            let Some(idx) = target(
                b,
                inst.body.get("prefix_list_id"),
                &inst.address,
                &inst.location,
            ) else {
                continue;
            };
            let e = entry(b, &inst.body, &inst.address, inst.location.first_line());
            b.model.prefix_lists[idx].entries.push(e);
        }
        if let (Expansion::Unknown(reason), Some(p)) = (&r.expansion, &r.placeholder) {
            // An unknown number of entries: the list holds more than the model knows.
            let loc = p.location.first_line();
            b.unknown(&loc, &p.address, "count/for_each", reason);
            if let Some(idx) = target(b, p.body.get("prefix_list_id"), &p.address, &p.location) {
                b.model.prefix_lists[idx].complete = false;
            }
        }
    }
}

/// The list a `prefix_list_id` names, when it is one of this configuration's.
fn target(b: &mut Builder, v: Option<&Value>, address: &str, loc: &Location) -> Option<usize> {
    let key: Result<Key, String> = match target_of(&b.ids, v) {
        Target::Ref(addr, attr) if attr == "id" => Ok(addr),
        Target::Ref(addr, attr) => Err(format!("`{addr}.{attr}` is not a prefix list id")),
        Target::Literal(s) => Err(format!("prefix list `{s}` is not managed here")),
        Target::Unknown(r) => Err(r),
        Target::Absent => Err("not set".into()),
    };
    match key {
        Ok(k) => b.model.prefix_lists.iter().position(|p| p.key == k),
        Err(reason) => {
            b.unknown(&loc.first_line(), address, "prefix_list_id", &reason);
            None
        }
    }
}

fn entry(b: &mut Builder, body: &EvalBody, address: &str, location: Location) -> PrefixListEntry {
    let cidr = b
        .cidr_field(body, "cidr", address)
        .unwrap_or_else(|| Val::Unknown("no cidr".into()));
    let description = match body.get("description") {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    };
    PrefixListEntry {
        origin: Origin {
            location: Some(location),
            address: address.to_string(),
        },
        cidr,
        description,
    }
}
