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
mod iam_single;
mod internet_gateway;
mod log_group;
mod nacl;
mod nat_gateway;
mod network_interface;
mod prefix_list;
mod region;
mod route_table;
mod security_group;
mod shape;
mod subnet;
mod vpc;
mod vpc_peering;

use crate::diag::{Problem, PARSE_IO, PARSE_SYNTAX};
use crate::ingest::fs::Confinement;
use crate::ingest::json_spans::{self, Node};
use crate::model::{InputNote, Model};
use crate::source::{display_path, Location, PathFilter, SourceFile};
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

/// Reads one object of an export into the snapshot: an item of a list, or the top-level
/// object of a single-object output.
type ReadFn = fn(&mut Reader, &Node, &mut Snapshot);

/// How the output of a command is laid out.
pub(crate) enum Layout {
    /// `{"<key>": [objects], "NextToken": ...}` (`aws ec2 describe-*`): each object of the
    /// list is read by the function; pages and files merge.
    List(ReadFn),
    /// The output of a command about one thing (`aws iam get-role`): a top-level object whose
    /// keys are exactly `keys`, in any order (plus pagination keys when `paged`). Its keys are
    /// words other JSON uses too, so nothing else counts. The function reads the top-level
    /// object once.
    Single {
        /// Every top-level key the command prints.
        keys: &'static [&'static str],
        /// Whether the output may carry pagination keys (`list-*` commands).
        paged: bool,
        /// Reads the top-level object.
        read: ReadFn,
    },
}

/// One kind of export, by its top-level key.
pub(crate) struct ExportKind {
    /// The top-level key, e.g. `NetworkAcls` (for single-object outputs: the first key the
    /// command prints).
    pub key: &'static str,
    /// The command that prints it, for messages.
    pub command: &'static str,
    /// A list key other JSON uses too (`Policies`): it counts only when every top-level key
    /// belongs to exports.
    pub generic: bool,
    /// How the output is laid out and read.
    pub layout: Layout,
}

impl ExportKind {
    /// Whether this kind's output is a list of objects under its key.
    fn is_list(&self) -> bool {
        matches!(self.layout, Layout::List(_))
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
    network_interface::KIND,
    network_interface::INSTANCES,
    internet_gateway::KIND,
    nat_gateway::KIND,
    vpc_peering::KIND,
    prefix_list::KIND,
    prefix_list::ENTRIES,
    log_group::KIND,
    iam::USERS,
    iam::GROUPS,
    iam::ROLES,
    iam::POLICIES,
    iam_single::GET_ROLE,
    iam_single::GET_ROLE_POLICY,
    iam_single::GET_USER_POLICY,
    iam_single::GET_GROUP_POLICY,
    iam_single::LIST_ROLE_POLICIES,
    iam_single::LIST_ATTACHED_ROLE_POLICIES,
    iam_single::GET_POLICY,
    iam_single::GET_POLICY_VERSION,
];

/// Pagination keys that may sit next to a list: EC2 and the CLI (`NextToken`),
/// CloudWatch Logs (`nextToken`), IAM (`IsTruncated`, `Marker`).
const PAGINATION_KEYS: &[&str] = &["NextToken", "nextToken", "IsTruncated", "Marker"];

/// The kind with this key (list or single-object).
fn kind_of(key: &str) -> Option<&'static ExportKind> {
    KINDS.iter().find(|k| k.key == key)
}

/// The list kind whose list sits under this top-level key.
fn list_kind_of(key: &str) -> Option<&'static ExportKind> {
    kind_of(key).filter(|k| k.is_list())
}

/// The single-object kind whose top-level keys are exactly these.
fn single_kind(members: &[json_spans::Member]) -> Option<&'static ExportKind> {
    KINDS.iter().find(|k| {
        let Layout::Single { keys, paged, .. } = &k.layout else {
            return false;
        };
        let counted = members
            .iter()
            .filter(|m| !(*paged && PAGINATION_KEYS.contains(&m.key.as_str())));
        let mut seen: Vec<&str> = Vec::new();
        for m in counted {
            if !keys.contains(&m.key.as_str()) || seen.contains(&m.key.as_str()) {
                return false;
            }
            seen.push(&m.key);
        }
        seen.len() == keys.len()
    })
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
        let name = r.name_tag(object, "Tags");
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
    /// VPC peering connections (deleted ones left out).
    pub vpc_peerings: Vec<vpc_peering::VpcPeeringRecord>,
    /// Managed prefix lists.
    pub prefix_lists: Vec<prefix_list::PrefixListRecord>,
    /// Network interfaces (`describe-network-interfaces`).
    pub interfaces: Vec<network_interface::InterfaceRecord>,
    /// Network interfaces of instances (`describe-instances`).
    pub instance_interfaces: Vec<network_interface::InterfaceRecord>,
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
    load_paths_in(paths, None, None, &Confinement::for_paths(paths))
}

/// [`load_paths`], with the region of export files that do not show their own
/// (`--region`), leaving out the files `exclude` names and reading only what `access`
/// allows.
pub fn load_paths_in(
    paths: &[PathBuf],
    region: Option<&str>,
    exclude: Option<&PathFilter>,
    access: &Confinement,
) -> ExportInput {
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
                let is_export = access
                    .read_text(p)
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
                            && !sib.is_dir()
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
    if let Some(excluded) = exclude {
        found.retain(|p| !excluded(p));
    }
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for path in found {
        match access.read(&path) {
            Ok(bytes) => match decode(bytes) {
                Some(text) => files.push(SourceFile::new(path, text)),
                None => skipped.push(Skipped {
                    path: display_path(&path),
                    reason: "not UTF-8 or UTF-16 text".into(),
                }),
            },
            Err(e) => problems.push(e.problem(&path, None)),
        }
    }
    let mut out = load_in(&files, region);
    out.problems.splice(0..0, problems);
    out.skipped.splice(0..0, skipped);
    out.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Reads JSON files: exports become one model per directory (and region, when a
/// directory holds several); Terraform JSON is handed back in `terraform`; anything else
/// is listed in `skipped`.
pub fn load(files: &[Arc<SourceFile>]) -> ExportInput {
    load_in(files, None)
}

/// [`load`], with the region of export files that do not show their own.
pub fn load_in(files: &[Arc<SourceFile>], region: Option<&str>) -> ExportInput {
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
        out.files += docs.len();
        let groups = by_region(&docs, region, &mut out.problems);
        let several = groups.len() > 1;
        for (region, docs) in groups {
            let mut snap = Snapshot::default();
            for (file, parsed) in docs {
                match parsed {
                    Some(parsed) => read_export(file, &parsed.root, &mut snap, &mut out.problems),
                    None => syntax_error(file, &mut out.problems),
                }
            }
            finish_notes(&mut snap);
            // Only reading needed the ids seen; free them before the model is built.
            drop(std::mem::take(&mut snap.seen));
            let name = match region {
                Some(r) if several => format!("{} ({r})", display_path(&dir)),
                _ => display_path(&dir),
            };
            out.models.push(build::build(name, snap, &mut out.problems));
        }
    }
    out
}

/// Splits the export files of one directory by region. IAM exports (global) and files
/// that do not parse go with every region; a regional file whose region is not known
/// joins the directory's one region, and is an error (not read) when there are several,
/// as is a file mixing regions.
fn by_region<'d>(
    docs: &'d [ExportDoc],
    hint: Option<&str>,
    problems: &mut Vec<Problem>,
) -> BTreeMap<Option<String>, Vec<&'d ExportDoc>> {
    use region::FileRegion;
    let regions: Vec<FileRegion> = docs
        .iter()
        .map(|(file, parsed)| match parsed {
            Some(p) => region::of_file_with(
                &file.path,
                &p.root,
                p.regions.clone(),
                is_global(&p.root),
                hint,
            ),
            None => FileRegion::Global,
        })
        .collect();
    let known: BTreeSet<&String> = regions
        .iter()
        .filter_map(|r| match r {
            FileRegion::Known(r) => Some(r),
            _ => None,
        })
        .collect();
    let mut groups: BTreeMap<Option<String>, Vec<&ExportDoc>> = BTreeMap::new();
    let only = match known.len() {
        0 => Some(None),
        1 => known.iter().next().map(|r| Some((*r).clone())),
        _ => None,
    };
    for r in &known {
        groups.insert(Some((*r).clone()), Vec::new());
    }
    if let Some(only) = &only {
        groups.entry(only.clone()).or_default();
    }
    let names = known
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    for (doc, r) in docs.iter().zip(regions) {
        let at = Location::new(&doc.0, 0..0);
        match r {
            FileRegion::Known(r) => groups.entry(Some(r)).or_default().push(doc),
            FileRegion::Global => groups.values_mut().for_each(|g| g.push(doc)),
            FileRegion::Unknown => match &only {
                Some(only) => groups.entry(only.clone()).or_default().push(doc),
                None => problems.push(Problem::at(
                    crate::diag::PARSE_EVAL,
                    format!(
                        "cannot tell which region this export belongs to: its directory holds exports of {names}, and neither its objects (ARNs, availability zones) nor its path name a region; keep one region per directory, put the region in the file name (describe-vpcs.us-east-1.json), or pass --region"
                    ),
                    at,
                )),
            },
            FileRegion::Mixed(rs) => problems.push(Problem::at(
                crate::diag::PARSE_EVAL,
                format!(
                    "this export holds objects of several regions ({}); save each region's output in its own directory",
                    rs.join(", ")
                ),
                at,
            )),
        }
    }
    groups
}

/// Whether `s` is shaped like an AWS region name (`us-east-1`, `us-gov-west-1`).
pub fn is_region(s: &str) -> bool {
    region::is_region(s)
}

/// Whether every top-level key of an export is an IAM one (IAM is global).
fn is_global(root: &Node) -> bool {
    let members = root.as_object().unwrap_or_default();
    let mut kinds = members.iter().filter_map(|m| kind_of(&m.key)).peekable();
    kinds.peek().is_some() && kinds.all(|k| k.command.starts_with("aws iam "))
}

/// An export file and its parsed text (`None`: it does not parse).
type ExportDoc = (Arc<SourceFile>, Option<Parsed>);

/// A JSON file that parses, as far as classifying it needs: the lists of exports are
/// read item by item and left out of `root` (they are read again, item by item, by
/// [`read_export`]), so a file's tree is never held whole.
struct Parsed {
    /// The document, with the arrays of top-level export-list members empty (spans kept).
    root: Node,
    /// Regions named by the objects of those lists.
    regions: BTreeSet<String>,
}

/// Whether a top-level member's array is an export list, streamed item by item. No key
/// of a single-object output is one (see the test), so those files are parsed whole.
fn streamed(key: &str) -> bool {
    list_kind_of(key).is_some()
}

/// What a JSON file is.
enum Class {
    /// An export (`None`: it starts like one but does not parse).
    Export(Option<Parsed>),
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
    // Plan and state JSON (10-100 MB for large estates) are read by their own loader
    // without a tree of the whole document.
    if let Some(kind) = crate::ingest::plan::sniff(&file.text) {
        return Class::Terraform(kind, None);
    }
    let mut regions = BTreeSet::new();
    let parsed = json_spans::parse_streaming(&file.text, streamed, |key, item| {
        region::collect(&item, Some(key), &mut regions)
    });
    let root = match parsed {
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
    if single_kind(members).is_some() {
        return Class::Export(Some(Parsed { root, regions }));
    }
    let known = |k: &str| list_kind_of(k).is_some() || PAGINATION_KEYS.contains(&k);
    let distinctive = members
        .iter()
        .any(|m| list_kind_of(&m.key).is_some_and(|k| !k.generic));
    let all_known = members.iter().all(|m| known(&m.key));
    let any_kind = members.iter().any(|m| list_kind_of(&m.key).is_some());
    if distinctive || (any_kind && all_known) {
        Class::Export(Some(Parsed { root, regions }))
    } else {
        Class::Skipped("no top-level key of an AWS CLI export".into())
    }
}

fn syntax_error(file: &Arc<SourceFile>, problems: &mut Vec<Problem>) {
    if let Err(e) = json_spans::parse_streaming(&file.text, streamed, |_, _| {}) {
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
    let mut token: Option<Location> = None;
    for m in members {
        if m.key == "NextToken" || m.key == "nextToken" {
            match &m.value.kind {
                json_spans::Kind::String(_) => token = Some(r.loc(&m.value.span)),
                json_spans::Kind::Null => {}
                _ => r.wrong(&m.value, &m.key, "a string"),
            }
        }
    }
    let mut kinds_here = Vec::new();
    if let Some(kind) = single_kind(members) {
        if let Layout::Single { read, .. } = kind.layout {
            snap.kinds.insert(kind.key);
            kinds_here.push(kind.key);
            read(&mut r, root, snap);
        }
    } else {
        for m in members {
            if PAGINATION_KEYS.contains(&m.key.as_str()) {
                continue;
            }
            let Some(kind) = list_kind_of(&m.key) else {
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
            if let Layout::List(read) = kind.layout {
                // Streamed lists come back empty: their items are parsed again one at a time.
                for object in r.objects(items, kind.key) {
                    read(&mut r, object, snap);
                }
                if streamed(&m.key) {
                    let each = |item: Node| {
                        if let Some(object) = r.object_item(&item, kind.key) {
                            read(&mut r, object, snap);
                        }
                    };
                    // The file parsed when it was classified, so this cannot fail.
                    let _ = json_spans::for_each_item(&file.text, &m.value.span, each);
                }
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
        } else if name.to_ascii_lowercase().ends_with(".json") && !e.path().is_dir() {
            // Links and special files too: reading them reports what they are.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_of_a_single_object_output_is_streamed() {
        // `read_export` hands single-object outputs their root as classified: it must be whole.
        for kind in KINDS {
            if let Layout::Single { keys, .. } = &kind.layout {
                for k in *keys {
                    assert!(!streamed(k), "`{k}` of `{}` is a list key", kind.command);
                }
            }
        }
        assert!(streamed("SecurityGroups") && streamed("Entries"));
    }

    #[test]
    fn streamed_lists_are_read_item_by_item_with_exact_locations() {
        let text = "{\n  \"Vpcs\": [\n    {\"VpcId\": \"vpc-1\", \"CidrBlock\": \"10.0.0.0/16\"},\n    7,\n    {\"VpcId\": \"vpc-2\", \"CidrBlock\": \"10.1.0.0/16\"}\n  ]\n}\n";
        let file = SourceFile::new(PathBuf::from("snap/describe-vpcs.json"), text.into());
        let out = load(&[file]);
        assert_eq!(out.models.len(), 1);
        let vpcs: Vec<(String, usize, usize)> = out.models[0]
            .vpcs
            .iter()
            .filter_map(|v| {
                let lc = v.origin.location.as_ref()?.line_col();
                Some((v.origin.address.clone(), lc.line, lc.column))
            })
            .collect();
        assert_eq!(
            vpcs,
            vec![("vpc-1".to_string(), 3, 5), ("vpc-2".to_string(), 5, 5)]
        );
        let problems: Vec<String> = out.problems.iter().map(|p| p.message.clone()).collect();
        assert_eq!(
            problems,
            vec!["each item of `Vpcs` must be an object, not the number 7".to_string()]
        );
    }
}
