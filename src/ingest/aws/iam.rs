//! `aws iam get-account-authorization-details`: `UserDetailList`, `GroupDetailList`,
//! `RoleDetailList` and `Policies`.
//!
//! Model keys are ARNs. Policy documents are JSON objects, or URL-encoded JSON strings
//! (older CLI versions); statements are located at their JSON object, or at the string for
//! URL-encoded documents. AWS managed policies listed in `Policies` are not read: like
//! Terraform, vpclint judges them by the documented table of broad managed policies, so the
//! two inputs agree.
//!
//! The per-role commands (`aws iam get-role` ...) are read by `iam_single`; [`link`] merges
//! them in, the authorization details winning for what they list.

use super::shape::{Field, Reader};
use super::{ExportKind, Layout, Snapshot};
use crate::ingest::json_spans::{self, Node};
use crate::ingest::terraform::policy::{attached_policy, is_aws_managed_arn, statements_from_json};
use crate::model::{
    AttachedPolicy, Attachment, DocumentKind, EntityKind, IamEntity, ManagedPolicy, Model, Origin,
    PolicyDocument, Val,
};

const COMMAND: &str = "aws iam get-account-authorization-details";

/// `UserDetailList`.
pub(crate) const USERS: ExportKind = ExportKind {
    key: "UserDetailList",
    command: COMMAND,
    generic: false,
    layout: Layout::List(read_user),
};

/// `GroupDetailList`.
pub(crate) const GROUPS: ExportKind = ExportKind {
    key: "GroupDetailList",
    command: COMMAND,
    generic: false,
    layout: Layout::List(read_group),
};

/// `RoleDetailList`.
pub(crate) const ROLES: ExportKind = ExportKind {
    key: "RoleDetailList",
    command: COMMAND,
    generic: false,
    layout: Layout::List(read_role),
};

/// `Policies` (a key other JSON uses too).
pub(crate) const POLICIES: ExportKind = ExportKind {
    key: "Policies",
    command: COMMAND,
    generic: true,
    layout: Layout::List(read_policy),
};

/// The IAM objects of a snapshot.
#[derive(Default)]
pub(crate) struct IamRecords {
    /// Roles, users and groups (attachments name policies by ARN: `Other` until linked).
    pub entities: Vec<IamEntity>,
    /// Customer managed policies.
    pub policies: Vec<ManagedPolicy>,
    /// Outputs of the commands about one role or policy (`aws iam get-role` ...), merged in
    /// at link time.
    pub singles: super::iam_single::SingleRecords,
}

fn read_user(r: &mut Reader, object: &Node, snap: &mut Snapshot) {
    read_entity(r, object, snap, EntityKind::User);
}

fn read_group(r: &mut Reader, object: &Node, snap: &mut Snapshot) {
    read_entity(r, object, snap, EntityKind::Group);
}

fn read_role(r: &mut Reader, object: &Node, snap: &mut Snapshot) {
    read_entity(r, object, snap, EntityKind::Role);
}

fn read_entity(r: &mut Reader, object: &Node, snap: &mut Snapshot, kind: EntityKind) {
    let (item, name_field, inline_field) = match kind {
        EntityKind::Role => ("IAM role", "RoleName", "RolePolicyList"),
        EntityKind::User => ("IAM user", "UserName", "UserPolicyList"),
        EntityKind::Group => ("IAM group", "GroupName", "GroupPolicyList"),
    };
    let Some(arn) = r.required_str(object, item, "Arn") else {
        return;
    };
    if snap.iam.entities.iter().any(|e| e.key == arn) {
        r.problem(
            &object.span,
            format!(
                "{item} `{arn}` is listed twice; each object may appear in one page or file only"
            ),
        );
        return;
    }
    let name = match r.optional_str(object, name_field) {
        Field::Ok(n) => Val::Known(n),
        _ => Val::Unknown(format!("no `{name_field}`")),
    };
    let location = r.loc(&object.span);
    let mut trust = if kind == EntityKind::Role {
        Some(trust_document(r, object, item, &arn))
    } else {
        None
    };
    let mut inline = Vec::new();
    if let Field::Ok(items) = r.optional_array(object, inline_field, "inline policies") {
        for p in r.objects(items, inline_field) {
            let pname = r
                .optional_str(p, "PolicyName")
                .ok()
                .unwrap_or_else(|| "?".into());
            // `role:policy`, as Terraform's aws_iam_role_policy ids (and the parity tests) name it.
            let owner = name.known().cloned().unwrap_or_else(|| arn.clone());
            let address = format!("{owner}:{pname}");
            match p.get("PolicyDocument") {
                Some(doc) => inline.push(document(r, doc, &address, DocumentKind::Identity)),
                None => r.missing(p, "PolicyDocument", "inline policy", "its document"),
            }
        }
    }
    let mut attached = Vec::new();
    if let Field::Ok(items) =
        r.optional_array(object, "AttachedManagedPolicies", "attached policies")
    {
        for a in r.objects(items, "AttachedManagedPolicies") {
            let Some(parn) = r.required_str(a, "attached policy", "PolicyArn") else {
                continue;
            };
            let policy = attached_policy(parn);
            attached.push(Attachment {
                origin: Origin {
                    location: Some(r.loc(&a.span)),
                    address: arn.clone(),
                },
                policy: Val::Known(policy),
            });
        }
    }
    // `name (ARN)`: the name is the entity's Terraform id.
    let address = match &name {
        Val::Known(n) => format!("{n} ({arn})"),
        Val::Unknown(_) => arn.clone(),
    };
    for a in &mut attached {
        a.origin.address.clone_from(&address);
    }
    if let Some(t) = &mut trust {
        set_address(t, &address);
    }
    snap.iam.entities.push(IamEntity {
        origin: Origin {
            location: Some(location),
            address,
        },
        key: arn.clone(),
        kind,
        name,
        arn: Some(Val::Known(arn)),
        trust,
        inline,
        attached,
        permissions_incomplete: None,
    });
}

fn read_policy(r: &mut Reader, object: &Node, snap: &mut Snapshot) {
    let Some(arn) = r.required_str(object, "managed policy", "Arn") else {
        return;
    };
    if is_aws_managed_arn(&arn) {
        // Judged by the table, as in Terraform.
        return;
    }
    if snap.iam.policies.iter().any(|p| p.key == arn) {
        r.problem(
            &object.span,
            format!("managed policy `{arn}` is listed twice; each object may appear in one page or file only"),
        );
        return;
    }
    let location = r.loc(&object.span);
    let name = match r.optional_str(object, "PolicyName") {
        Field::Ok(n) => Val::Known(n),
        _ => Val::Unknown("no `PolicyName`".into()),
    };
    let default_id = r.optional_str(object, "DefaultVersionId").ok();
    let mut chosen: Option<&Node> = None;
    if let Field::Ok(items) = r.optional_array(object, "PolicyVersionList", "policy versions") {
        for v in r.objects(items, "PolicyVersionList") {
            let is_default = matches!(r.optional_bool(v, "IsDefaultVersion"), Field::Ok(true))
                || (default_id.is_some() && r.optional_str(v, "VersionId").ok() == default_id);
            if is_default && chosen.is_none() {
                chosen = Some(v);
            }
        }
    }
    let document = match chosen.and_then(|v| v.get("Document")) {
        Some(doc) => document(r, doc, &arn, DocumentKind::Identity),
        None => PolicyDocument {
            origin: Origin {
                location: Some(location.first_line()),
                address: arn.clone(),
            },
            kind: DocumentKind::Identity,
            statements: Val::Unknown("no default version with a `Document`".into()),
        },
    };
    snap.iam.policies.push(ManagedPolicy {
        origin: Origin {
            location: Some(location),
            address: arn.clone(),
        },
        key: arn.clone(),
        name,
        arn: Some(Val::Known(arn)),
        document,
    });
}

/// The `AssumeRolePolicyDocument` of a role object (required: a missing one is reported and
/// Unknown).
pub(super) fn trust_document(
    r: &mut Reader,
    object: &Node,
    item: &str,
    address: &str,
) -> PolicyDocument {
    match object.get("AssumeRolePolicyDocument") {
        Some(doc) => document(r, doc, address, DocumentKind::Trust),
        None => {
            r.missing(object, "AssumeRolePolicyDocument", item, "its trust policy");
            PolicyDocument {
                origin: Origin {
                    location: Some(r.loc(&object.span).first_line()),
                    address: address.to_string(),
                },
                kind: DocumentKind::Trust,
                statements: Val::Unknown("no `AssumeRolePolicyDocument`".into()),
            }
        }
    }
}

/// Names a document and its statements after the resource they belong to, once it is known.
pub(super) fn set_address(doc: &mut PolicyDocument, address: &str) {
    doc.origin.address = address.to_string();
    if let Val::Known(sts) = &mut doc.statements {
        for st in sts {
            st.origin.address = address.to_string();
        }
    }
}

/// A policy document: a JSON object, or a URL-encoded JSON string.
pub(super) fn document(
    r: &mut Reader,
    doc: &Node,
    address: &str,
    kind: DocumentKind,
) -> PolicyDocument {
    let origin = Origin {
        location: Some(r.loc(&doc.span).first_line()),
        address: address.to_string(),
    };
    let statements = match doc.as_str() {
        None => {
            let file = r.file.clone();
            let locate = |span: &std::ops::Range<usize>| {
                Some(crate::source::Location::new(&file, span.clone()))
            };
            statements_from_json(doc, &locate, address)
        }
        Some(encoded) => {
            let decoded = url_decode(encoded);
            match json_spans::parse(&decoded) {
                Ok(inner) => {
                    let at = r.loc(&doc.span);
                    statements_from_json(&inner, &|_| Some(at.clone()), address)
                }
                Err(e) => {
                    r.problem(
                        &doc.span,
                        format!(
                            "the policy document is not JSON (after URL decoding): {}",
                            e.message
                        ),
                    );
                    Val::Unknown("the policy document is not JSON".into())
                }
            }
        }
    };
    PolicyDocument {
        origin,
        kind,
        statements,
    }
}

/// Decodes `%XX` escapes (IAM's URL encoding of policy documents); invalid escapes stay.
fn url_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(b) = hex {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Puts the snapshot's IAM objects in the model: attachments of policies listed in the
/// snapshot point at them.
pub(crate) fn link(model: &mut Model, mut records: IamRecords) {
    super::iam_single::merge(&mut records, &mut model.notes);
    let keys: Vec<String> = records.policies.iter().map(|p| p.key.clone()).collect();
    model.managed_policies.extend(records.policies);
    for mut e in records.entities {
        for a in &mut e.attached {
            if let Val::Known(AttachedPolicy::Other(arn)) = &a.policy {
                if keys.contains(arn) {
                    a.policy = Val::Known(AttachedPolicy::Customer(arn.clone()));
                }
            }
        }
        model.iam_entities.push(e);
    }
}

#[cfg(test)]
mod tests {
    use super::url_decode;

    #[test]
    fn url_decoding() {
        assert_eq!(
            url_decode("%7B%22Version%22%3A%222012-10-17%22%7D"),
            r#"{"Version":"2012-10-17"}"#
        );
        assert_eq!(url_decode("100%"), "100%");
        assert_eq!(url_decode("%zz"), "%zz");
    }
}
