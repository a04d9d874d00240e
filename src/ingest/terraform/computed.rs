//! Provider-computed attributes whose schema type is a collection.
//!
//! An attribute that the configuration does not set is known only after
//! apply. Most of those are strings (`id`, `arn`, `owner_id`) and the
//! evaluator keeps them as [`Value::Ref`](super::value::Value::Ref), so a
//! reference such as `vpc_id = aws_vpc.main.id` can still be followed. The
//! attributes listed here are sets, lists or maps in the AWS provider's schema
//! (`domain_validation_options`, `tags_all`, `name_servers`, ...): they are
//! plain Unknowns instead, which every function and expression form accepts
//! (a `for` over one, `keys()`, `flatten()`, `length()` give Unknown).
//!
//! The table is small on purpose: an attribute not listed here is a Ref,
//! which the evaluator treats as an Unknown of unknown type wherever a
//! collection is needed, never as an error.

/// Attributes that are collections for every resource type.
const ANY_TYPE: &[&str] = &["tags_all"];

/// Collection-typed computed attributes, per resource type (AWS provider 5.x schema).
const BY_TYPE: &[(&str, &[&str])] = &[
    (
        "aws_acm_certificate",
        &[
            "domain_validation_options",
            "subject_alternative_names",
            "validation_emails",
            "renewal_summary",
        ],
    ),
    (
        "aws_acm_certificate_validation",
        &["validation_record_fqdns"],
    ),
    (
        "aws_autoscaling_group",
        &[
            "availability_zones",
            "vpc_zone_identifier",
            "load_balancers",
            "target_group_arns",
        ],
    ),
    (
        "aws_db_instance",
        &["vpc_security_group_ids", "listener_endpoint"],
    ),
    (
        "aws_default_network_acl",
        &["subnet_ids", "ingress", "egress"],
    ),
    ("aws_default_route_table", &["route", "propagating_vgws"]),
    ("aws_default_security_group", &["ingress", "egress"]),
    (
        "aws_directory_service_directory",
        &["dns_ip_addresses", "connect_settings", "vpc_settings"],
    ),
    (
        "aws_ec2_client_vpn_endpoint",
        &["dns_servers", "security_group_ids"],
    ),
    ("aws_efs_file_system", &["size_in_bytes"]),
    (
        "aws_eks_cluster",
        &["certificate_authority", "identity", "vpc_config"],
    ),
    ("aws_elasticache_cluster", &["cache_nodes"]),
    ("aws_globalaccelerator_accelerator", &["ip_sets"]),
    ("aws_iam_role", &["managed_policy_arns", "inline_policy"]),
    (
        "aws_instance",
        &[
            "security_groups",
            "vpc_security_group_ids",
            "secondary_private_ips",
            "ipv6_addresses",
            "network_interface",
            "ebs_block_device",
            "root_block_device",
        ],
    ),
    (
        "aws_lb",
        &[
            "subnets",
            "security_groups",
            "subnet_mapping",
            "access_logs",
        ],
    ),
    ("aws_lb_target_group", &["load_balancer_arns"]),
    ("aws_nat_gateway", &["secondary_private_ip_addresses"]),
    ("aws_network_acl", &["subnet_ids", "ingress", "egress"]),
    ("aws_networkfirewall_firewall", &["firewall_status"]),
    (
        "aws_network_interface",
        &[
            "private_ips",
            "security_groups",
            "ipv6_addresses",
            "attachment",
        ],
    ),
    (
        "aws_rds_cluster",
        &[
            "availability_zones",
            "cluster_members",
            "vpc_security_group_ids",
        ],
    ),
    ("aws_route53_delegation_set", &["name_servers"]),
    ("aws_route53_resolver_endpoint", &["ip_address"]),
    ("aws_route53_zone", &["name_servers", "vpc"]),
    ("aws_route_table", &["route", "propagating_vgws"]),
    ("aws_security_group", &["ingress", "egress"]),
    (
        "aws_vpc_endpoint",
        &[
            "dns_entry",
            "network_interface_ids",
            "cidr_blocks",
            "subnet_ids",
            "security_group_ids",
            "route_table_ids",
            "dns_options",
            "subnet_configuration",
        ],
    ),
    (
        "aws_vpc_endpoint_service",
        &["availability_zones", "base_endpoint_dns_names"],
    ),
    ("aws_vpc_peering_connection", &["accepter", "requester"]),
];

/// True if `attr` of the resource at `address` is a collection in the provider's schema.
pub fn is_collection(address: &str, attr: &str) -> bool {
    if ANY_TYPE.contains(&attr) {
        return true;
    }
    let Some(rtype) = resource_type(address) else {
        return false;
    };
    BY_TYPE
        .iter()
        .any(|(t, attrs)| *t == rtype && attrs.contains(&attr))
}

/// The resource type in an instance address such as
/// `module.net["a.b"].aws_vpc.this[0]` or `data.aws_vpc.main`.
pub fn resource_type(address: &str) -> Option<&str> {
    let mut rest = address;
    while let Some(after) = rest.strip_prefix("module.") {
        let name_end = after.find(['.', '['])?;
        let mut tail = &after[name_end..];
        if tail.starts_with('[') {
            tail = &tail[closing_bracket(tail)? + 1..];
        }
        rest = tail.strip_prefix('.')?;
    }
    let rest = rest.strip_prefix("data.").unwrap_or(rest);
    let end = rest.find('.')?;
    Some(&rest[..end]).filter(|t| !t.is_empty())
}

/// Byte offset of the `]` closing the `[` at the start of `s`, skipping quoted text.
fn closing_bracket(s: &str) -> Option<usize> {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in s.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ']' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_types_of_addresses() {
        assert_eq!(resource_type("aws_vpc.main"), Some("aws_vpc"));
        assert_eq!(resource_type("aws_vpc.main[0]"), Some("aws_vpc"));
        assert_eq!(
            resource_type("module.net[\"a.b]\"].module.x.aws_acm_certificate.c[\"k\"]"),
            Some("aws_acm_certificate")
        );
        assert_eq!(
            resource_type("data.aws_route53_zone.z"),
            Some("aws_route53_zone")
        );
        assert_eq!(resource_type("module.net"), None);
        assert_eq!(resource_type("module.net[\"unterminated"), None);
        assert_eq!(resource_type(""), None);
    }

    #[test]
    fn collection_attributes() {
        assert!(is_collection(
            "aws_acm_certificate.c",
            "domain_validation_options"
        ));
        assert!(is_collection("module.m.aws_vpc.v[1]", "tags_all"));
        assert!(is_collection("aws_route53_zone.z", "name_servers"));
        assert!(!is_collection("aws_acm_certificate.c", "arn"));
        assert!(!is_collection("aws_vpc.v", "id"));
        assert!(!is_collection("aws_vpc.v", "name_servers"));
    }
}
