//! The rule engine: rule registry, metadata from `rules/<CODE>.yaml`, and settings.

use crate::diag::{Finding, Related, Severity};
use crate::model::Model;
use crate::source::Location;
use serde::Deserialize;
use std::sync::OnceLock;

// Rule modules: one file per rule (or small family), listed by family.
pub mod flow_common;
pub mod flow_log_coarse_aggregation;
pub mod flow_log_delivery_broken;
pub mod flow_log_format_missing_fields;
pub mod flow_log_group_never_expires;
pub mod flow_log_rejects_not_captured;
pub mod flow_vpc_flow_log_missing;
pub mod iam_allow_not_action;
pub mod iam_common;
pub mod iam_flow_log_role_confused_deputy;
pub mod iam_flow_log_role_overly_broad;
pub mod iam_full_admin;
pub mod iam_privilege_escalation;
pub mod iam_service_wildcard;
pub mod iam_trust_any_principal;
pub mod nacl_admin_port_open_to_world;
pub mod nacl_common;
pub mod nacl_missing_ephemeral_return;
pub mod nacl_shadowed_rule;
pub mod reach_common;
pub mod reach_forbidden_path_open;
pub mod reach_intended_path_blocked;
pub mod route_blackhole;
pub mod route_nat_gateway_without_internet_route;
pub mod sg_all_traffic_open_to_world;
pub mod sg_common;
pub mod sg_default_group_has_rules;
pub mod sg_sensitive_port_open_to_world;

/// Documentation and defaults of a rule, from `rules/<CODE>.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMeta {
    /// Permanent code, e.g. `NACL001`.
    pub code: String,
    /// Kebab-case name of the bad pattern.
    pub name: String,
    /// Default severity (some rules choose per finding; this is the highest they use).
    pub severity: Severity,
    /// Family: nacl, security-group, iam, flow-log, route.
    pub category: String,
    /// One line.
    pub summary: String,
    /// What it finds.
    pub what: String,
    /// Why it matters.
    pub why: String,
    /// A bad example.
    pub example: String,
    /// What to write instead.
    pub use_instead: String,
    /// Links.
    #[serde(default)]
    pub references: Vec<String>,
    /// Tags for SARIF and filtering.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// Tunable parameters of the rules (the config file sets them).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Destination ports of replies to connections (default 1024-65535).
    pub ephemeral_ports: (u16, u16),
    /// Ports that must not be open to the world in NACLs (NACL003).
    pub admin_ports: Vec<u16>,
    /// Fields a custom flow-log format must hold (FLOW003).
    pub flow_log_required_fields: Vec<String>,
    /// Inclusive port ranges that must not be open to the world in security groups (SG001).
    pub sensitive_ports: Vec<(u16, u16)>,
    /// Reachability intents (`reach:` in the config file), judged by REACH001/REACH002.
    pub reach_intents: Vec<crate::reach::intent::Intent>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            ephemeral_ports: (1024, 65535),
            admin_ports: vec![22, 3389],
            flow_log_required_fields: [
                "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "action",
            ]
            .iter()
            .map(|f| f.to_string())
            .collect(),
            sensitive_ports: vec![
                (22, 22),
                (3389, 3389),
                (23, 23),
                (5985, 5986),
                (1433, 1433),
                (1521, 1521),
                (3306, 3306),
                (5432, 5432),
                (6379, 6379),
                (9200, 9200),
                (11211, 11211),
                (27017, 27017),
                (2375, 2376),
            ],
            reach_intents: Vec::new(),
        }
    }
}

/// A rule: reads the model and reports findings.
pub trait Rule: Sync {
    /// Its code.
    fn code(&self) -> &'static str;
    /// Checks one model.
    fn check(&self, model: &Model, settings: &Settings, out: &mut Reporter);
}

/// Collects the findings of one rule.
pub struct Reporter<'m> {
    meta: &'m RuleMeta,
    code: &'static str,
    name: &'static str,
    findings: Vec<Finding>,
}

impl<'m> Reporter<'m> {
    /// A reporter for a rule.
    pub fn new(meta: &'m RuleMeta, code: &'static str, name: &'static str) -> Self {
        Reporter {
            meta,
            code,
            name,
            findings: Vec::new(),
        }
    }

    /// Reports a finding with the rule's default severity.
    pub fn report(
        &mut self,
        resource: &str,
        location: Option<Location>,
        message: String,
    ) -> &mut Finding {
        self.report_with(self.meta.severity, resource, location, message)
    }

    /// Reports a finding with a given severity.
    pub fn report_with(
        &mut self,
        severity: Severity,
        resource: &str,
        location: Option<Location>,
        message: String,
    ) -> &mut Finding {
        self.findings.push(Finding {
            code: self.code,
            name: self.name,
            severity,
            message,
            resource: resource.to_string(),
            location,
            label: None,
            help: None,
            related: Vec::new(),
            root: None,
        });
        let last = self.findings.len() - 1;
        &mut self.findings[last]
    }

    /// The findings.
    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }
}

impl Finding {
    /// Sets the help text.
    pub fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }

    /// Sets the text shown at the primary location.
    pub fn label(&mut self, label: impl Into<String>) -> &mut Self {
        self.label = Some(label.into());
        self
    }

    /// Adds a related location.
    pub fn related(&mut self, message: impl Into<String>, location: Option<Location>) -> &mut Self {
        self.related.push(Related {
            message: message.into(),
            location,
        });
        self
    }
}

struct Registered {
    rule: &'static dyn Rule,
    yaml: &'static str,
}

macro_rules! registry {
    ($($code:literal => $rule:expr),* $(,)?) => {
        fn registered() -> Vec<Registered> {
            vec![$(Registered { rule: &$rule, yaml: include_str!(concat!("../../rules/", $code, ".yaml")) }),*]
        }
    };
}

registry! {
    "NACL001" => nacl_missing_ephemeral_return::NaclMissingEphemeralReturn,
    "NACL002" => nacl_shadowed_rule::NaclShadowedRule,
    "NACL003" => nacl_admin_port_open_to_world::NaclAdminPortOpenToWorld,
    // Security-group rules (SG0xx) register below this line.
    "SG001" => sg_sensitive_port_open_to_world::SgSensitivePortOpenToWorld,
    "SG002" => sg_all_traffic_open_to_world::SgAllTrafficOpenToWorld,
    "SG003" => sg_default_group_has_rules::SgDefaultGroupHasRules,
    // IAM rules (IAM0xx) register below this line.
    "IAM001" => iam_full_admin::IamFullAdmin,
    "IAM002" => iam_service_wildcard::IamServiceWildcard,
    "IAM003" => iam_allow_not_action::IamAllowNotAction,
    "IAM004" => iam_privilege_escalation::IamPrivilegeEscalation,
    "IAM005" => iam_trust_any_principal::IamTrustAnyPrincipal,
    "IAM006" => iam_flow_log_role_overly_broad::FlowLogRoleOverlyBroad,
    "IAM007" => iam_flow_log_role_confused_deputy::FlowLogRoleConfusedDeputy,
    // Flow-log rules (FLOW0xx) register below this line.
    "FLOW001" => flow_vpc_flow_log_missing::VpcFlowLogMissing,
    "FLOW002" => flow_log_rejects_not_captured::FlowLogRejectsNotCaptured,
    "FLOW003" => flow_log_format_missing_fields::FlowLogFormatMissingFields,
    "FLOW004" => flow_log_coarse_aggregation::FlowLogCoarseAggregation,
    "FLOW005" => flow_log_delivery_broken::FlowLogDeliveryBroken,
    "FLOW006" => flow_log_group_never_expires::FlowLogGroupNeverExpires,
    // Route-table rules (ROUTE0xx) register below this line.
    "ROUTE001" => route_nat_gateway_without_internet_route::NatGatewayWithoutInternetRoute,
    "ROUTE002" => route_blackhole::RouteBlackhole,
    // Reachability intents (REACH0xx) register below this line.
    "REACH001" => reach_intended_path_blocked::IntendedPathBlocked,
    "REACH002" => reach_forbidden_path_open::ForbiddenPathOpen,
}

/// A registered rule with its metadata.
pub struct RuleEntry {
    /// The rule.
    pub rule: &'static dyn Rule,
    /// Its metadata.
    pub meta: RuleMeta,
}

/// Every rule, sorted by code. The YAML is embedded and checked by the tests.
pub fn all() -> &'static [RuleEntry] {
    static RULES: OnceLock<Vec<RuleEntry>> = OnceLock::new();
    RULES.get_or_init(|| {
        let mut v: Vec<RuleEntry> = registered()
            .into_iter()
            .filter_map(|r| {
                // The meta test guarantees every embedded YAML parses; a broken one drops the rule.
                let meta: RuleMeta = serde_yaml::from_str(r.yaml).ok()?;
                Some(RuleEntry { rule: r.rule, meta })
            })
            .collect();
        v.sort_by(|a, b| a.meta.code.cmp(&b.meta.code));
        v
    })
}

/// The embedded YAML of every registered rule, for the meta test.
pub fn embedded_yaml() -> Vec<(&'static str, &'static str)> {
    registered()
        .into_iter()
        .map(|r| (r.rule.code(), r.yaml))
        .collect()
}

/// Finds a rule by code or name (case-insensitive).
pub fn find(code_or_name: &str) -> Option<&'static RuleEntry> {
    all().iter().find(|r| {
        r.meta.code.eq_ignore_ascii_case(code_or_name)
            || r.meta.name.eq_ignore_ascii_case(code_or_name)
    })
}

/// Runs the given rules on a model.
pub fn run(model: &Model, settings: &Settings, rules: &[&'static RuleEntry]) -> Vec<Finding> {
    let mut out = Vec::new();
    for r in rules {
        let code = r.rule.code();
        let name: &'static str = r.meta.name.as_str();
        let mut rep = Reporter::new(&r.meta, code, name);
        r.rule.check(model, settings, &mut rep);
        let root = (!model.name.is_empty()).then(|| model.name.clone());
        out.extend(rep.into_findings().into_iter().map(|mut f| {
            f.root = root.clone();
            f
        }));
    }
    out
}
