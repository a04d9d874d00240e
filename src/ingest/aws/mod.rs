//! AWS CLI exports (`aws ec2 describe-*` and friends) into the model.
//!
//! A JSON file is recognized by its top-level keys, whatever its name. The
//! export files of one directory are one snapshot (one account and region):
//! pages and files of the same kind merge, and each directory becomes one
//! [`Model`]. Terraform JSON (`*.tf.json`, `*.tfvars.json`) and Terraform
//! plan/state JSON are recognized and handed back untouched; other JSON files
//! are listed as skipped, so a whole repository can be linted.
//!
//! Each kind of export is read by its own module (`vpc`, `subnet`, `nacl`),
//! listed in `KINDS`; `build` links the records of a snapshot into the model.

mod build;
mod flow_log;
mod iam;
mod internet_gateway;
mod log_group;
mod nacl;
mod nat_gateway;
mod prefix_list;
mod route_table;
mod security_group;
mod shape;
mod subnet;
mod vpc;

use crate::diag::{Problem, PARSE_IO, PARSE_SYNTAX};
use crate::ingest::json_spans::{self, Node};
use crate::model::{InputNote, Model};
use crate::source::{display_path, Location, SourceFile};
use shape::Reader;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What reading the JSON files under some paths found.
#[derive(Debug, Default)]
pub struct ExportInput {
    /// One model per directory holding export files, sorted by directory.
    pub models: Vec<Model>,
    /// Unreadable, malformed or wrongly shaped exports (PARSE001/PARSE002/PARSE003).
    pub problems: Vec<Problem>,
    /// Number of export files read.
    pub files: usize,
    /// JSON files that are neither exports nor Terraform JSON: report once as skipped.
    pub skipped: Vec<Skipped>,
    /// Terraform JSON files (configuration, variables, plan, state), for their own loaders.
    pub terraform: Vec<TerraformJson>,
}

/// A JSON file that vpclint does not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// The path as displayed.
    pub path: String,
    /// Why it is not read, e.g. "no top-level key of an AWS CLI export".
    pub reason: String,
}

/// The kinds of Terraform JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TerraformJsonKind {
    /// `*.tf.json`: configuration in JSON syntax.
    Config,
    /// `*.tfvars.json`: variable values.
    Variables,
    /// `terraform show -json PLAN`: `format_version` + `planned_values`.
    Plan,
    /// `terraform show -json`: `format_version` + `values`.
    State,
}

/// A Terraform JSON file found among the inputs.
#[derive(Debug)]
pub struct TerraformJson {
    /// The file.
    pub file: Arc<SourceFile>,
    /// What it is.
    pub kind: TerraformJsonKind,
    /// The parsed document with spans (plan and state only; `.tf.json` files are not parsed here).
    pub root: Option<Node>,
}

/// Reads one `Items` list of an export into the snapshot.
type ReadFn = fn(&mut Reader, &Node, &mut Snapshot);

/// One kind of export, by its top-level key.
pub(crate) struct ExportKind {
    /// The top-level key, e.g. `NetworkAcls`.
    pub key: &'static str,
    /// The command that prints it, for messages.
    pub command: &'static str,
    /// A key other JSON uses too (`Policies`): it counts only when every top-level key belongs to exports.
    pub generic: bool,
    /// Reads one object of the list; `None`: recognized but not mapped to the model yet.
    pub read: Option<ReadFn>,
}

impl ExportKind {
    const fn later(key: &'static str, command: &'static str) -> ExportKind {
        ExportKind {
            key,
            command,
            generic: false,
            read: None,
        }
    }
}

/// Every export vpclint recognizes. A new kind is a new module with its `KIND` listed here.
pub(crate) const KINDS: &[ExportKind] = &[
    vpc::KIND,
    subnet::KIND,
    nacl::KIND,
    security_group::KIND,
    flow_log::KIND,
    route_table::KIND,
    ExportKind::later("NetworkInterfaces", "aws ec2 describe-network-interfaces"),
    ExportKind::later("Reservations", "aws ec2 describe-instances"),
    internet_gateway::KIND,
    nat_gateway::KIND,
    prefix_list::KIND,
    prefix_list::ENTRIES,
    log_group::KIND,
    iam::USERS,
    iam::GROUPS,
    iam::ROLES,
    iam::POLICIES,
];

/// Pagination keys that may sit next to a list: EC2 and the CLI (`NextToken`),
/// CloudWatch Logs (`nextToken`), IAM (`IsTruncated`, `Marker`).
const PAGINATION_KEYS: &[&str] = &["NextToken", "nextToken", "IsTruncated", "Marker"];

fn kind_of(key: &str) -> Option<&'static ExportKind> {
    KINDS.iter().find(|k| k.key == key)
}

/// What every mapped AWS object carries.
#[derive(Clone, Debug)]
pub(crate) struct Common {
    /// The AWS id (`acl-0abc`).
    pub id: String,
    /// `OwnerId`, when the object has one.
    pub owner: Option<String>,
    /// The `Name` tag.
    pub name: Option<String>,
    /// The object's JSON.
    pub location: Location,
}

impl Common {
    /// Reads the id (required), `OwnerId` and the `Name` tag of an object.
    pub fn read(r: &mut Reader, object: &Node, item: &str, id_field: &str) -> Option<Common> {
        let id = r.required_str(object, item, id_field);
        let owner = r.optional_str(object, "OwnerId").ok();
        let name = r.name_tag(object);
        Some(Common {
            id: id?,
            owner,
            name,
            location: r.loc(&object.span),
        })
    }
}

/// The records of one directory's export files, before linking.
#[derive(Default)]
pub(crate) struct Snapshot {
    /// VPCs.
    pub vpcs: Vec<vpc::VpcRecord>,
    /// Subnets.
    pub subnets: Vec<subnet::SubnetRecord>,
    /// Network ACLs.
    pub nacls: Vec<nacl::NaclRecord>,
    /// Security groups.
    pub security_groups: Vec<security_group::SgRecord>,
    /// Flow logs.
    pub flow_logs: Vec<flow_log::FlowLogRecord>,
    /// CloudWatch Logs log groups.
    pub log_groups: Vec<log_group::LogGroupRecord>,
    /// Route tables.
    pub route_tables: Vec<route_table::RouteTableRecord>,
    /// Internet gateways.
    pub internet_gateways: Vec<internet_gateway::InternetGatewayRecord>,
    /// NAT gateways (deleted and failed ones left out).
    pub nat_gateways: Vec<nat_gateway::NatGatewayRecord>,
    /// Managed prefix lists.
    pub prefix_lists: Vec<prefix_list::PrefixListRecord>,
    /// `get-managed-prefix-list-entries` output, by list.
    pub prefix_list_entries: prefix_list::EntryPages,
    /// IAM roles, users, groups and customer managed policies.
    pub iam: iam::IamRecords,
    /// Top-level keys present in some file of the snapshot.
    pub kinds: BTreeSet<&'static str>,
    /// Notes for the model.
    pub notes: Vec<InputNote>,
    /// (item kind, owner, id) -> where the object was first seen.
    seen: HashMap<(&'static str, Option<String>, String), Location>,
    /// Per kind: files holding it, files with a `NextToken`, and the last such token.
    pages: BTreeMap<&'static str, (usize, usize, Option<Location>)>,
    /// Kinds recognized but not mapped yet, with where first seen.
    later: BTreeMap<&'static str, Location>,
}

impl Snapshot {
    /// Registers an object; false (and a PARSE002 naming both places) if its id was already seen.
    pub fn claim(&mut self, r: &mut Reader, item: &'static str, c: &Common) -> bool {
        let key = (item, c.owner.clone(), c.id.clone());
        if let Some(first) = self.seen.get(&key) {
            let lc = first.line_col();
            let owner = c
                .owner
                .as_deref()
                .map(|o| format!(" of account {o}"))
                .unwrap_or_default();
            let message = format!(
                "{item} `{}`{owner} is listed twice: first at {}:{}:{}; each object may appear in one page or file only",
                c.id,
                first.file.display_path(),
                lc.line,
                lc.column
            );
            r.problems.push(Problem::at(
                crate::diag::PARSE_EVAL,
                message,
                c.location.first_line(),
            ));
            return false;
        }
        self.seen.insert(key, c.location.clone());
        true
    }
}

/// Finds the JSON files under `paths` (directories are walked; hidden directories
/// and `node_modules` are not) and reads them with [`load`].
pub fn load_paths(paths: &[PathBuf]) -> ExportInput {
    let mut found: BTreeSet<PathBuf> = BTreeSet::new();
    let mut problems = Vec::new();
    for p in paths {
        if p.is_file() {
            if p.extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("json"))
            {
                found.insert(clean(p));
                // Exports of one directory are one snapshot: an export file given alone
                // (pre-commit passes the changed ones) brings its sibling JSON files along.
                let is_export = std::fs::read_to_string(p)
                    .ok()
                    .and_then(|t| json_spans::leading_key(&t))
                    .is_some_and(|k| KINDS.iter().any(|kind| kind.key == k));
                let dir = p
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty())
                    .unwrap_or(Path::new("."));
                let siblings = if is_export {
                    std::fs::read_dir(dir).ok()
                } else {
                    None
                };
                if let Some(entries) = siblings {
                    for e in entries.filter_map(|e| e.ok()) {
                        let sib = e.path();
                        let hidden = e.file_name().to_string_lossy().starts_with('.');
                        if !hidden
                            && sib.is_file()
                            && sib
                                .extension()
                                .is_some_and(|x| x.eq_ignore_ascii_case("json"))
                        {
                            found.insert(clean(&sib));
                        }
                    }
                }
            }
        } else if p.is_dir() {
            walk(p, &mut found, &mut problems);
        }
    }
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for path in found {
        match std::fs::read(&path) {
            Ok(bytes) => match decode(bytes) {
                Some(text) => files.push(SourceFile::new(path, text)),
                None => skipped.push(Skipped {
                    path: display_path(&path),
                    reason: "not UTF-8 or UTF-16 text".into(),
                }),
            },
            Err(e) => problems.push(Problem::path(
                PARSE_IO,
                format!("cannot read file: {e}"),
                display_path(&path),
            )),
        }
    }
    let mut out = load(&files);
    out.problems.splice(0..0, problems);
    out.skipped.splice(0..0, skipped);
    out.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Reads JSON files: exports become one model per directory; Terraform JSON is
/// handed back in `terraform`; anything else is listed in `skipped`.
pub fn load(files: &[Arc<SourceFile>]) -> ExportInput {
    let mut out = ExportInput::default();
    let mut by_dir: BTreeMap<PathBuf, Vec<ExportDoc>> = BTreeMap::new();
    let mut sorted: Vec<&Arc<SourceFile>> = files.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    for file in sorted {
        match classify(file) {
            Class::Export(root) => {
                by_dir
                    .entry(directory(&file.path))
                    .or_default()
                    .push((Arc::clone(file), root));
            }
            Class::Terraform(kind, root) => out.terraform.push(TerraformJson {
                file: Arc::clone(file),
                kind,
                root,
            }),
            Class::Skipped(reason) => out.skipped.push(Skipped {
                path: file.display_path(),
                reason,
            }),
        }
    }
    for (dir, docs) in by_dir {
        let mut snap = Snapshot::default();
        for (file, root) in &docs {
            out.files += 1;
            match root {
                Some(root) => read_export(file, root, &mut snap, &mut out.problems),
                None => syntax_error(file, &mut out.problems),
            }
        }
        finish_notes(&mut snap);
        let name = display_path(&dir);
        out.models.push(build::build(name, snap, &mut out.problems));
    }
    out
}

/// An export file and its parsed text (`None`: it does not parse).
type ExportDoc = (Arc<SourceFile>, Option<Node>);

/// What a JSON file is.
enum Class {
    /// An export (`None`: it starts like one but does not parse).
    Export(Option<Node>),
    /// Terraform JSON.
    Terraform(TerraformJsonKind, Option<Node>),
    /// Neither.
    Skipped(String),
}

fn classify(file: &SourceFile) -> Class {
    let name = file
        .path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if name.ends_with(".tf.json") {
        return Class::Terraform(TerraformJsonKind::Config, None);
    }
    if name.ends_with(".tfvars.json") {
        return Class::Terraform(TerraformJsonKind::Variables, None);
    }
    let root = match json_spans::parse(&file.text) {
        Ok(root) => root,
        Err(e) => {
            // A broken file that starts like an export (or like plan JSON) is an error;
            // other broken JSON (say a tsconfig.json with comments) is just not ours.
            let lead = json_spans::leading_key(&file.text);
            return match lead.as_deref() {
                Some(k) if kind_of(k).is_some() || k == "format_version" => Class::Export(None),
                _ => {
                    let (line, col) = file.line_col(e.offset);
                    Class::Skipped(format!("not valid JSON ({} at {line}:{col})", e.message))
                }
            };
        }
    };
    let Some(members) = root.as_object() else {
        return Class::Skipped(format!(
            "not an AWS CLI export: the top level is {}, not an object",
            root.describe()
        ));
    };
    let has = |k: &str| members.iter().any(|m| m.key == k);
    if has("format_version") {
        if has("planned_values") {
            return Class::Terraform(TerraformJsonKind::Plan, Some(root));
        }
        if has("values") {
            return Class::Terraform(TerraformJsonKind::State, Some(root));
        }
        return Class::Skipped(
            "JSON from Terraform that is neither a plan nor a state (`terraform show -json`)"
                .into(),
        );
    }
    let known = |k: &str| kind_of(k).is_some() || PAGINATION_KEYS.contains(&k);
    let distinctive = members
        .iter()
        .any(|m| kind_of(&m.key).is_some_and(|k| !k.generic));
    let all_known = members.iter().all(|m| known(&m.key));
    let any_kind = members.iter().any(|m| kind_of(&m.key).is_some());
    if distinctive || (any_kind && all_known) {
        Class::Export(Some(root))
    } else {
        Class::Skipped("no top-level key of an AWS CLI export".into())
    }
}

fn syntax_error(file: &Arc<SourceFile>, problems: &mut Vec<Problem>) {
    if let Err(e) = json_spans::parse(&file.text) {
        problems.push(Problem::at(
            PARSE_SYNTAX,
            format!("invalid JSON: {}", e.message),
            Location::new(file, e.offset..e.offset),
        ));
    }
}

fn read_export(
    file: &Arc<SourceFile>,
    root: &Node,
    snap: &mut Snapshot,
    problems: &mut Vec<Problem>,
) {
    let mut r = Reader { file, problems };
    let members = root.as_object().unwrap_or_default();
    let mut kinds_here = Vec::new();
    let mut token: Option<Location> = None;
    for m in members {
        if m.key == "NextToken" || m.key == "nextToken" {
            match &m.value.kind {
                json_spans::Kind::String(_) => token = Some(r.loc(&m.value.span)),
                json_spans::Kind::Null => {}
                _ => r.wrong(&m.value, &m.key, "a string"),
            }
            continue;
        }
        if PAGINATION_KEYS.contains(&m.key.as_str()) {
            continue;
        }
        let Some(kind) = kind_of(&m.key) else {
            snap.notes.push(InputNote {
                location: Some(r.loc(&m.key_span)),
                message: format!(
                    "top-level key `{}` is not part of an AWS CLI export; ignored",
                    m.key
                ),
            });
            continue;
        };
        snap.kinds.insert(kind.key);
        kinds_here.push(kind.key);
        let Some(items) = m.value.as_array() else {
            r.wrong(
                &m.value,
                kind.key,
                &format!("an array of objects (as `{}` prints it)", kind.command),
            );
            continue;
        };
        match kind.read {
            Some(read) => {
                for object in r.objects(items, kind.key) {
                    read(&mut r, object, snap);
                }
            }
            None => {
                snap.later
                    .entry(kind.key)
                    .or_insert_with(|| Location::new(file, m.key_span.clone()));
            }
        }
    }
    for k in kinds_here {
        let p = snap.pages.entry(k).or_insert((0, 0, None));
        p.0 += 1;
        if token.is_some() {
            p.1 += 1;
            p.2.clone_from(&token);
        }
    }
}

fn finish_notes(snap: &mut Snapshot) {
    for (key, (files, with_token, last)) in &snap.pages {
        if files == with_token {
            let command = kind_of(key).map(|k| k.command).unwrap_or("aws");
            snap.notes.push(InputNote {
                location: last.clone(),
                message: format!(
                    "every saved page of `{command}` output has a NextToken: the last page is missing, so this snapshot may be incomplete"
                ),
            });
        }
    }
    for (key, loc) in &snap.later {
        let command = kind_of(key).map(|k| k.command).unwrap_or("aws");
        snap.notes.push(InputNote {
            location: Some(loc.clone()),
            message: format!("`{key}` (`{command}` output) is recognized but not checked yet"),
        });
    }
}

/// The directory of a file, `.` when it has none.
fn directory(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A path without a leading `./`.
fn clean(p: &Path) -> PathBuf {
    p.strip_prefix(".")
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| p.to_path_buf())
}

fn walk(dir: &Path, out: &mut BTreeSet<PathBuf>, problems: &mut Vec<Problem>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            problems.push(Problem::path(
                PARSE_IO,
                format!("cannot read directory: {e}"),
                display_path(dir),
            ));
            return;
        }
    };
    let mut subdirs = Vec::new();
    for e in entries.filter_map(|e| e.ok()) {
        let name = e.file_name();
        let name = name.to_string_lossy();
        let Ok(ft) = e.file_type() else { continue };
        if name.starts_with('.') {
            continue;
        }
        if ft.is_dir() {
            if name != "node_modules" {
                subdirs.push(e.path());
            }
        } else if ft.is_file() && name.to_ascii_lowercase().ends_with(".json") {
            out.insert(clean(&e.path()));
        }
    }
    subdirs.sort();
    for d in subdirs {
        walk(&d, out, problems);
    }
}

/// The text of a file: UTF-8 (a byte order mark is kept; the parser skips it), or
/// UTF-16 with a byte order mark (what Windows PowerShell 5 redirection writes).
fn decode(bytes: Vec<u8>) -> Option<String> {
    let utf16 = |le: bool| {
        let units: Vec<u16> = bytes
            .get(2..)?
            .chunks(2)
            .map(|c| {
                let pair = [c[0], c.get(1).copied().unwrap_or(0)];
                if le {
                    u16::from_le_bytes(pair)
                } else {
                    u16::from_be_bytes(pair)
                }
            })
            .collect();
        String::from_utf16(&units).ok()
    };
    match bytes.get(..2) {
        Some([0xFF, 0xFE]) => utf16(true),
        Some([0xFE, 0xFF]) => utf16(false),
        _ => String::from_utf8(bytes).ok(),
    }
}
