//! The IAM commands about one role or policy, for users who cannot run
//! `aws iam get-account-authorization-details`: `get-role`, `get-role-policy`,
//! `list-role-policies`, `list-attached-role-policies`, `get-policy`, `get-policy-version`
//! (and `get-user-policy`, `get-group-policy`).
//!
//! Each is recognized only when its top-level keys are exactly the ones the command prints.
//! Reading records each output; [`merge`] links them when the snapshot is linked:
//!
//! - `get-role` gives a role with its trust policy. Its permissions are not in that output:
//!   they are known only once `list-role-policies`, `get-role-policy` for every name listed,
//!   and `list-attached-role-policies` are in the snapshot. Until then the role carries
//!   `permissions_incomplete`, so nothing is concluded from what it lacks.
//! - `get-role-policy` (`get-user-policy`, `get-group-policy`) names its role: the inline
//!   policy joins that role (a role known only by this name when there is no `get-role`).
//! - `list-role-policies` and `list-attached-role-policies` name no role (and print the same
//!   as their user and group variants): they are linked only when the snapshot holds exactly
//!   one role and no user or group. Otherwise they are not read, with a note.
//! - `get-policy-version` names no policy: it is the document of the `get-policy` output
//!   when the snapshot holds exactly one `get-policy` and one default version, with the
//!   default version id the policy names. Otherwise its statements are judged on their own
//!   (IAM001-IAM004) under the name `PolicyVersion <id> in <file>`, with a note. A version
//!   that is not the default grants nothing: it is noted, not judged.
//! - `get-account-authorization-details` lists every policy of what it holds: for a role,
//!   user, group or policy it lists, the outputs about the same thing are not read (a note
//!   says so), so nothing is counted twice.

use super::iam::{document, set_address, trust_document, IamRecords};
use super::shape::{Field, Reader};
use super::{Common, ExportKind, Layout, Snapshot};
use crate::ingest::json_spans::{Kind, Node};
use crate::ingest::terraform::policy::{attached_policy, is_aws_managed_arn};
use crate::model::{
    Attachment, DocumentKind, EntityKind, IamEntity, InputNote, ManagedPolicy, Origin,
    PolicyDocument, Val,
};
use crate::source::Location;

/// `aws iam get-role`: `{"Role": {...}}`.
pub(crate) const GET_ROLE: ExportKind = ExportKind {
    key: "Role",
    command: "aws iam get-role",
    generic: true,
    layout: Layout::Single {
        keys: &["Role"],
        paged: false,
        read: read_get_role,
    },
};

/// `aws iam get-role-policy`: `{"RoleName", "PolicyName", "PolicyDocument"}`.
pub(crate) const GET_ROLE_POLICY: ExportKind = ExportKind {
    key: "RoleName",
    command: "aws iam get-role-policy",
    generic: true,
    layout: Layout::Single {
        keys: &["RoleName", "PolicyName", "PolicyDocument"],
        paged: false,
        read: read_get_role_policy,
    },
};

/// `aws iam get-user-policy`: `{"UserName", "PolicyName", "PolicyDocument"}`.
pub(crate) const GET_USER_POLICY: ExportKind = ExportKind {
    key: "UserName",
    command: "aws iam get-user-policy",
    generic: true,
    layout: Layout::Single {
        keys: &["UserName", "PolicyName", "PolicyDocument"],
        paged: false,
        read: read_get_user_policy,
    },
};

/// `aws iam get-group-policy`: `{"GroupName", "PolicyName", "PolicyDocument"}`.
pub(crate) const GET_GROUP_POLICY: ExportKind = ExportKind {
    key: "GroupName",
    command: "aws iam get-group-policy",
    generic: true,
    layout: Layout::Single {
        keys: &["GroupName", "PolicyName", "PolicyDocument"],
        paged: false,
        read: read_get_group_policy,
    },
};

/// `aws iam list-role-policies`: `{"PolicyNames": [...]}` (the user and group variants print
/// the same).
pub(crate) const LIST_ROLE_POLICIES: ExportKind = ExportKind {
    key: "PolicyNames",
    command: "aws iam list-role-policies",
    generic: true,
    layout: Layout::Single {
        keys: &["PolicyNames"],
        paged: true,
        read: read_policy_names,
    },
};

/// `aws iam list-attached-role-policies`: `{"AttachedPolicies": [{PolicyName, PolicyArn}]}`.
pub(crate) const LIST_ATTACHED_ROLE_POLICIES: ExportKind = ExportKind {
    key: "AttachedPolicies",
    command: "aws iam list-attached-role-policies",
    generic: true,
    layout: Layout::Single {
        keys: &["AttachedPolicies"],
        paged: true,
        read: read_attached_policies,
    },
};

/// `aws iam get-policy`: `{"Policy": {...}}`.
pub(crate) const GET_POLICY: ExportKind = ExportKind {
    key: "Policy",
    command: "aws iam get-policy",
    generic: true,
    layout: Layout::Single {
        keys: &["Policy"],
        paged: false,
        read: read_get_policy,
    },
};

/// `aws iam get-policy-version`: `{"PolicyVersion": {Document, VersionId, IsDefaultVersion}}`.
pub(crate) const GET_POLICY_VERSION: ExportKind = ExportKind {
    key: "PolicyVersion",
    command: "aws iam get-policy-version",
    generic: true,
    layout: Layout::Single {
        keys: &["PolicyVersion"],
        paged: false,
        read: read_get_policy_version,
    },
};

/// The single-object IAM outputs of a snapshot, in file order.
#[derive(Default)]
pub(crate) struct SingleRecords {
    roles: Vec<RoleOutput>,
    inline: Vec<InlineOutput>,
    policy_names: Vec<Listing>,
    attached: Vec<Listing>,
    policies: Vec<PolicyOutput>,
    versions: Vec<VersionOutput>,
}

/// `get-role`.
struct RoleOutput {
    name: String,
    arn: String,
    trust: PolicyDocument,
    location: Location,
}

/// `get-role-policy`, `get-user-policy`, `get-group-policy`.
struct InlineOutput {
    kind: EntityKind,
    owner: String,
    policy: String,
    document: PolicyDocument,
    location: Location,
}

/// `list-role-policies` (policy names) or `list-attached-role-policies` (policy ARNs): one
/// file, each item with where it is written.
struct Listing {
    items: Vec<(String, Location)>,
    /// Whether the output says more follows (`NextToken`, `IsTruncated: true`).
    truncated: bool,
    location: Location,
}

/// `get-policy`.
struct PolicyOutput {
    arn: String,
    name: Val<String>,
    default_version: Option<String>,
    location: Location,
}

/// `get-policy-version`.
struct VersionOutput {
    version: Option<String>,
    is_default: Option<bool>,
    document: PolicyDocument,
    location: Location,
}

/// The object under `key`; another shape is reported.
fn the_object<'n>(r: &mut Reader, root: &'n Node, key: &str, command: &str) -> Option<&'n Node> {
    let value = root.get(key)?;
    if value.as_object().is_some() {
        return Some(value);
    }
    r.wrong(value, key, &format!("an object (as `{command}` prints it)"));
    None
}

/// Registers an output about `id`; false (and a PARSE002 naming both places) if the same
/// command's output about it was already read.
fn claim(r: &mut Reader, snap: &mut Snapshot, item: &'static str, id: &str, at: &Node) -> bool {
    let c = Common {
        id: id.to_string(),
        owner: None,
        name: None,
        location: r.loc(&at.span),
    };
    snap.claim(r, item, &c)
}

fn read_get_role(r: &mut Reader, root: &Node, snap: &mut Snapshot) {
    const ITEM: &str = "IAM role (`aws iam get-role`)";
    let Some(role) = the_object(r, root, "Role", GET_ROLE.command) else {
        return;
    };
    let name = r.required_str(role, ITEM, "RoleName");
    let arn = r.required_str(role, ITEM, "Arn");
    let (Some(name), Some(arn)) = (name, arn) else {
        return;
    };
    if !claim(r, snap, ITEM, &arn, role) {
        return;
    }
    let trust = trust_document(r, role, ITEM, &arn);
    snap.iam.singles.roles.push(RoleOutput {
        name,
        arn,
        trust,
        location: r.loc(&role.span),
    });
}

fn read_get_role_policy(r: &mut Reader, root: &Node, snap: &mut Snapshot) {
    read_inline(r, root, snap, EntityKind::Role);
}

fn read_get_user_policy(r: &mut Reader, root: &Node, snap: &mut Snapshot) {
    read_inline(r, root, snap, EntityKind::User);
}

fn read_get_group_policy(r: &mut Reader, root: &Node, snap: &mut Snapshot) {
    read_inline(r, root, snap, EntityKind::Group);
}

fn read_inline(r: &mut Reader, root: &Node, snap: &mut Snapshot, kind: EntityKind) {
    let (item, owner_field): (&'static str, &str) = match kind {
        EntityKind::Role => ("inline policy (`aws iam get-role-policy`)", "RoleName"),
        EntityKind::User => ("inline policy (`aws iam get-user-policy`)", "UserName"),
        EntityKind::Group => ("inline policy (`aws iam get-group-policy`)", "GroupName"),
    };
    let owner = r.required_str(root, item, owner_field);
    let policy = r.required_str(root, item, "PolicyName");
    let (Some(owner), Some(policy)) = (owner, policy) else {
        return;
    };
    // `role:policy`, as get-account-authorization-details and Terraform name inline policies.
    let address = format!("{owner}:{policy}");
    if !claim(r, snap, item, &address, root) {
        return;
    }
    let Some(doc) = root.get("PolicyDocument") else {
        return;
    };
    let document = document(r, doc, &address, DocumentKind::Identity);
    snap.iam.singles.inline.push(InlineOutput {
        kind,
        owner,
        policy,
        document,
        location: r.loc(&root.span),
    });
}

/// Whether a list output says that more pages follow.
fn truncated(root: &Node) -> bool {
    let token = matches!(
        root.get("NextToken").map(|t| &t.kind),
        Some(Kind::String(_))
    );
    token || root.get("IsTruncated").and_then(Node::as_bool) == Some(true)
}

fn read_policy_names(r: &mut Reader, root: &Node, snap: &mut Snapshot) {
    let Field::Ok(names) = r.optional_array(root, "PolicyNames", "policy names") else {
        return;
    };
    let mut items = Vec::new();
    for n in names {
        match n.as_str() {
            Some(s) => items.push((s.to_string(), r.loc(&n.span))),
            None => r.wrong(n, "PolicyNames", "a list of strings"),
        }
    }
    snap.iam.singles.policy_names.push(Listing {
        items,
        truncated: truncated(root),
        location: r.loc(&root.span).first_line(),
    });
}

fn read_attached_policies(r: &mut Reader, root: &Node, snap: &mut Snapshot) {
    let field = "AttachedPolicies";
    let Field::Ok(list) = r.optional_array(root, field, "{\"PolicyName\", \"PolicyArn\"} objects")
    else {
        return;
    };
    let mut items = Vec::new();
    for a in r.objects(list, field) {
        if let Some(arn) = r.required_str(a, "attached policy", "PolicyArn") {
            items.push((arn, r.loc(&a.span)));
        }
    }
    snap.iam.singles.attached.push(Listing {
        items,
        truncated: truncated(root),
        location: r.loc(&root.span).first_line(),
    });
}

fn read_get_policy(r: &mut Reader, root: &Node, snap: &mut Snapshot) {
    const ITEM: &str = "managed policy (`aws iam get-policy`)";
    let Some(policy) = the_object(r, root, "Policy", GET_POLICY.command) else {
        return;
    };
    let Some(arn) = r.required_str(policy, ITEM, "Arn") else {
        return;
    };
    if !claim(r, snap, ITEM, &arn, policy) {
        return;
    }
    let name = match r.optional_str(policy, "PolicyName") {
        Field::Ok(n) => Val::Known(n),
        _ => Val::Unknown("no `PolicyName`".into()),
    };
    let default_version = r.optional_str(policy, "DefaultVersionId").ok();
    snap.iam.singles.policies.push(PolicyOutput {
        arn,
        name,
        default_version,
        location: r.loc(&policy.span),
    });
}

fn read_get_policy_version(r: &mut Reader, root: &Node, snap: &mut Snapshot) {
    const ITEM: &str = "policy version (`aws iam get-policy-version`)";
    let Some(v) = the_object(r, root, "PolicyVersion", GET_POLICY_VERSION.command) else {
        return;
    };
    let version = r.optional_str(v, "VersionId").ok();
    let is_default = r.optional_bool(v, "IsDefaultVersion").ok();
    let Some(doc) = v.get("Document") else {
        r.missing(v, "Document", ITEM, "the policy document");
        return;
    };
    // Named once it is known which policy it belongs to.
    let document = document(r, doc, "PolicyVersion", DocumentKind::Identity);
    snap.iam.singles.versions.push(VersionOutput {
        version,
        is_default,
        document,
        location: r.loc(&v.span),
    });
}

/// Moves the single-object outputs into the snapshot's entities and policies, as the module
/// documentation says; what cannot be linked is noted.
pub(crate) fn merge(records: &mut IamRecords, notes: &mut Vec<InputNote>) {
    let singles = std::mem::take(&mut records.singles);
    merge_policies(records, singles.policies, singles.versions, notes);
    let listings = Listings {
        names: singles.policy_names,
        attached: singles.attached,
    };
    merge_entities(records, singles.roles, singles.inline, listings, notes);
}

fn note(notes: &mut Vec<InputNote>, location: &Location, message: String) {
    notes.push(InputNote {
        location: Some(location.clone()),
        message,
    });
}

const DETAILS: &str = "aws iam get-account-authorization-details";

fn merge_policies(
    records: &mut IamRecords,
    policies: Vec<PolicyOutput>,
    versions: Vec<VersionOutput>,
    notes: &mut Vec<InputNote>,
) {
    let mut judged = Vec::new();
    for v in versions {
        if v.is_default == Some(false) {
            note(
                notes,
                &v.location,
                "this `aws iam get-policy-version` output is not the default version (`IsDefaultVersion` is false): it grants nothing while it is not the default, so it is not judged".to_string(),
            );
        } else {
            judged.push(v);
        }
    }
    // A version names no policy: it is the policy's only when nothing else could be meant.
    let pair = matches!(
        (policies.as_slice(), judged.as_slice()),
        ([p], [v]) if p.default_version.is_some() && p.default_version == v.version
    );
    let mut linked = if pair { judged.pop() } else { None };
    for p in policies {
        let version = linked.take();
        if is_aws_managed_arn(&p.arn) {
            // Judged by the table of broad AWS managed policies, as everywhere else.
            continue;
        }
        if records.policies.iter().any(|q| q.key == p.arn) {
            let at = std::iter::once(("get-policy", &p.location)).chain(
                version
                    .as_ref()
                    .map(|v| ("get-policy-version", &v.location)),
            );
            for (command, at) in at {
                note(
                    notes,
                    at,
                    format!(
                        "this `aws iam {command}` output is not read: `{DETAILS}` in this snapshot lists policy `{}` with its documents",
                        p.arn
                    ),
                );
            }
            continue;
        }
        let document = match version {
            Some(mut v) => {
                set_address(&mut v.document, &p.arn);
                v.document
            }
            None => {
                let version = p.default_version.as_deref().unwrap_or("<default version>");
                PolicyDocument {
                    origin: Origin {
                        location: Some(p.location.first_line()),
                        address: p.arn.clone(),
                    },
                    kind: DocumentKind::Identity,
                    statements: Val::Unknown(format!(
                        "the document of policy `{}` is not in this snapshot as the one `aws iam get-policy-version --policy-arn {} --version-id {version}` output next to its only `aws iam get-policy` output",
                        p.arn, p.arn
                    )),
                }
            }
        };
        records.policies.push(ManagedPolicy {
            origin: Origin {
                location: Some(p.location),
                address: p.arn.clone(),
            },
            key: p.arn.clone(),
            name: p.name,
            arn: Some(Val::Known(p.arn)),
            document,
        });
    }
    for mut v in judged {
        let file = v.location.file.display_path();
        let id = v.version.as_deref().unwrap_or("?");
        let address = format!("PolicyVersion {id} in {file}");
        note(
            notes,
            &v.location,
            format!(
                "this `aws iam get-policy-version` output names no policy, and it is not the default version of the only `aws iam get-policy` output of this snapshot: its statements are judged on their own as `{address}`, not as part of any role"
            ),
        );
        set_address(&mut v.document, &address);
        records.policies.push(ManagedPolicy {
            origin: Origin {
                location: Some(v.location.first_line()),
                address: address.clone(),
            },
            key: address,
            name: Val::Unknown("`aws iam get-policy-version` names no policy".into()),
            arn: None,
            document: v.document,
        });
    }
}

/// The outputs that name no role.
struct Listings {
    names: Vec<Listing>,
    attached: Vec<Listing>,
}

fn kind_word(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Role => "role",
        EntityKind::User => "user",
        EntityKind::Group => "group",
    }
}

fn merge_entities(
    records: &mut IamRecords,
    roles: Vec<RoleOutput>,
    inline: Vec<InlineOutput>,
    listings: Listings,
    notes: &mut Vec<InputNote>,
) {
    let details = std::mem::take(&mut records.entities);
    let in_details = |kind: EntityKind, name: &str, arn: Option<&str>| {
        details.iter().any(|e| {
            e.kind == kind
                && (e.name.known().is_some_and(|n| n == name) || arn.is_some_and(|a| e.key == a))
        })
    };
    let mut added: Vec<IamEntity> = Vec::new();
    // Per entity of `added`: the names of its inline policies.
    let mut inline_names: Vec<Vec<String>> = Vec::new();
    for role in roles {
        if in_details(EntityKind::Role, &role.name, Some(&role.arn)) {
            note(
                notes,
                &role.location,
                format!(
                    "this `aws iam get-role` output is not read: `{DETAILS}` in this snapshot lists role `{}` with all its policies",
                    role.name
                ),
            );
            continue;
        }
        let address = format!("{} ({})", role.name, role.arn);
        let mut trust = role.trust;
        set_address(&mut trust, &address);
        added.push(IamEntity {
            origin: Origin {
                location: Some(role.location),
                address,
            },
            key: role.arn.clone(),
            kind: EntityKind::Role,
            name: Val::Known(role.name),
            arn: Some(Val::Known(role.arn)),
            trust: Some(trust),
            inline: Vec::new(),
            attached: Vec::new(),
            permissions_incomplete: None,
        });
        inline_names.push(Vec::new());
    }
    for p in inline {
        let word = kind_word(p.kind);
        if in_details(p.kind, &p.owner, None) {
            note(
                notes,
                &p.location,
                format!(
                    "this `aws iam get-{word}-policy` output is not read: `{DETAILS}` in this snapshot lists {word} `{}` with all its policies",
                    p.owner
                ),
            );
            continue;
        }
        let owner = Val::Known(p.owner.clone());
        let i = match added
            .iter()
            .position(|e| e.kind == p.kind && e.name == owner)
        {
            Some(i) => i,
            None => {
                // Known only by name: no ARN, no trust policy.
                added.push(IamEntity {
                    origin: Origin {
                        location: Some(p.location.first_line()),
                        address: p.owner.clone(),
                    },
                    key: format!("{word}/{}", p.owner),
                    kind: p.kind,
                    name: owner,
                    arn: None,
                    trust: None,
                    inline: Vec::new(),
                    attached: Vec::new(),
                    permissions_incomplete: None,
                });
                inline_names.push(Vec::new());
                added.len() - 1
            }
        };
        added[i].inline.push(p.document);
        inline_names[i].push(p.policy);
    }
    let target = listing_target(&details, &added, &listings, notes);
    for (i, e) in added.iter_mut().enumerate() {
        let name = e.name.known().cloned().unwrap_or_default();
        if e.kind != EntityKind::Role {
            let word = kind_word(e.kind);
            e.permissions_incomplete = Some(format!(
                "only `aws iam get-{word}-policy` output is read for {word} `{name}`: its other inline and its attached policies are not known"
            ));
            continue;
        }
        let mut missing: Vec<String> = Vec::new();
        if target == Some(i) {
            complete_inline(&listings.names, &inline_names[i], &name, &mut missing);
            attach(e, &listings.attached, &name, &mut missing);
        } else {
            missing.push(format!("`aws iam list-role-policies --role-name {name}`"));
            missing.push(format!(
                "`aws iam list-attached-role-policies --role-name {name}`"
            ));
        }
        if !missing.is_empty() {
            let why = format!(
                "not every policy of role `{name}` is in this snapshot; missing: {}",
                missing.join(", ")
            );
            if let Some(at) = &e.origin.location {
                note(
                    notes,
                    at,
                    format!("{why}: what the role may do is not judged, only what its known policies grant"),
                );
            }
            e.permissions_incomplete = Some(why);
        }
    }
    records.entities = details;
    records.entities.extend(added);
}

/// The entity of `added` that the listings (which name no role) belong to: the snapshot's
/// only role, when it holds no user or group. Listings that cannot be linked are noted.
fn listing_target(
    details: &[IamEntity],
    added: &[IamEntity],
    listings: &Listings,
    notes: &mut Vec<InputNote>,
) -> Option<usize> {
    let files: Vec<(&str, &Location)> = listings
        .names
        .iter()
        .map(|l| (LIST_ROLE_POLICIES.command, &l.location))
        .chain(
            listings
                .attached
                .iter()
                .map(|l| (LIST_ATTACHED_ROLE_POLICIES.command, &l.location)),
        )
        .collect();
    if files.is_empty() {
        return None;
    }
    let all = || details.iter().chain(added);
    let roles = all().filter(|e| e.kind == EntityKind::Role).count();
    let others = all().any(|e| e.kind != EntityKind::Role);
    let only = added.iter().position(|e| e.kind == EntityKind::Role);
    if roles == 1 && !others {
        if only.is_some() {
            return only;
        }
        for (command, at) in files {
            note(
                notes,
                at,
                format!("this `{command}` output is not read: `{DETAILS}` in this snapshot lists the role's policies"),
            );
        }
        return None;
    }
    let what = match (roles, others) {
        (0, _) => "no role".to_string(),
        (1, _) => "one role and some user or group".to_string(),
        (n, false) => format!("{n} roles"),
        (n, true) => format!("{n} roles and some user or group"),
    };
    for (command, at) in files {
        note(
            notes,
            at,
            format!(
                "this `{command}` output names no role, and this snapshot holds {what}: it is read only in a snapshot of exactly one role (and no user or group), so it is not read"
            ),
        );
    }
    None
}

/// Checks that the role's inline policies are all in the snapshot: a complete
/// `list-role-policies` listing, and a `get-role-policy` output for each name in it.
fn complete_inline(listed: &[Listing], have: &[String], role: &str, missing: &mut Vec<String>) {
    if listed.is_empty() {
        missing.push(format!("`aws iam list-role-policies --role-name {role}`"));
        return;
    }
    if listed.iter().all(|l| l.truncated) {
        missing.push(format!(
            "the last page of `aws iam list-role-policies --role-name {role}`"
        ));
    }
    let mut asked: Vec<&str> = Vec::new();
    for (name, _) in listed.iter().flat_map(|l| &l.items) {
        if !have.contains(name) && !asked.contains(&name.as_str()) {
            asked.push(name);
            missing.push(format!(
                "`aws iam get-role-policy --role-name {role} --policy-name {name}`"
            ));
        }
    }
}

/// Attaches the listed policies to the role, and checks that the listing is complete.
fn attach(role: &mut IamEntity, listed: &[Listing], name: &str, missing: &mut Vec<String>) {
    if listed.is_empty() {
        missing.push(format!(
            "`aws iam list-attached-role-policies --role-name {name}`"
        ));
        return;
    }
    if listed.iter().all(|l| l.truncated) {
        missing.push(format!(
            "the last page of `aws iam list-attached-role-policies --role-name {name}`"
        ));
    }
    for (arn, at) in listed.iter().flat_map(|l| &l.items) {
        let policy = attached_policy(arn.clone());
        if role
            .attached
            .iter()
            .any(|a| a.policy.known() == Some(&policy))
        {
            continue;
        }
        role.attached.push(Attachment {
            origin: Origin {
                location: Some(at.clone()),
                address: role.origin.address.clone(),
            },
            policy: Val::Known(policy),
        });
    }
}
