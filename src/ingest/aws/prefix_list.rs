//! Managed prefix lists: `aws ec2 describe-managed-prefix-lists` (and the older
//! `describe-prefix-lists`, whose items carry `Cidrs`) print `PrefixLists`;
//! `aws ec2 get-managed-prefix-list-entries --prefix-list-id pl-...` prints
//! `Entries`, which does not name its list: the list is the `pl-...` id in the
//! file's name (`get-managed-prefix-list-entries-pl-0abc.json`), as the
//! snapshot commands in the README write it. Entries whose file name holds no
//! id are not linked (a note says so): a prefix list is never guessed.

use super::shape::{cidr_of, Field, Reader};
use super::{Common, ExportKind, Layout, Snapshot};
use crate::ingest::json_spans::Node;
use crate::model::{InputNote, Model, Origin, PrefixList, PrefixListEntry, Val};
use crate::source::Location;

/// `PrefixLists`.
pub(crate) const KIND: ExportKind = ExportKind {
    key: "PrefixLists",
    command: "aws ec2 describe-managed-prefix-lists",
    generic: false,
    layout: Layout::List(read_list),
};

/// `Entries` (a word other JSON uses too).
pub(crate) const ENTRIES: ExportKind = ExportKind {
    key: "Entries",
    command: "aws ec2 get-managed-prefix-list-entries",
    generic: true,
    layout: Layout::List(read_entry),
};

/// A prefix list as `describe-managed-prefix-lists` describes it.
pub(crate) struct PrefixListRecord {
    /// Id, owner, name, location.
    pub common: Common,
    /// `PrefixListName`.
    pub name: Option<String>,
    /// `Cidrs` (`describe-prefix-lists` only): the whole list.
    pub cidrs: Option<Vec<PrefixListEntry>>,
}

/// Entries of one prefix list read from `get-managed-prefix-list-entries` output.
#[derive(Default)]
pub(crate) struct EntryPages {
    /// By prefix list id: its entries, and where the first file of them is.
    pub by_list: std::collections::BTreeMap<String, (Vec<PrefixListEntry>, Location)>,
    /// Files whose name holds no prefix list id.
    pub unlinked: Vec<Location>,
}

const ITEM: &str = "prefix list";

fn read_list(r: &mut Reader, object: &Node, snap: &mut Snapshot) {
    let Some(common) = Common::read(r, object, ITEM, "PrefixListId") else {
        return;
    };
    if !snap.claim(r, ITEM, &common) {
        return;
    }
    let name = r.optional_str(object, "PrefixListName").ok();
    let cidrs = match r.optional_array(object, "Cidrs", "CIDR block strings") {
        Field::Ok(items) => {
            let mut entries = Vec::new();
            for item in items {
                let cidr = match cidr_of(item) {
                    Some(net) => Val::Known(net),
                    None => {
                        r.wrong(item, "Cidrs", "CIDR block strings");
                        Val::Unknown("invalid `Cidrs` item".into())
                    }
                };
                entries.push(PrefixListEntry {
                    origin: Origin {
                        location: Some(r.loc(&item.span)),
                        address: String::new(),
                    },
                    cidr,
                    description: None,
                });
            }
            Some(entries)
        }
        Field::Bad => Some(Vec::new()),
        Field::Absent => None,
    };
    snap.prefix_lists.push(PrefixListRecord {
        common,
        name,
        cidrs,
    });
}

fn read_entry(r: &mut Reader, object: &Node, snap: &mut Snapshot) {
    let cidr = match r.optional_cidr_any(object, "Cidr") {
        Field::Ok(c) => Val::Known(c),
        Field::Bad => Val::Unknown("invalid `Cidr`".into()),
        Field::Absent => {
            r.missing(object, "Cidr", "prefix list entry", "a CIDR block");
            Val::Unknown("no `Cidr`".into())
        }
    };
    let entry = PrefixListEntry {
        origin: Origin {
            location: Some(r.loc(&object.span)),
            address: String::new(),
        },
        cidr,
        description: r.optional_str(object, "Description").ok(),
    };
    let file_loc = r.loc(&(0..0));
    match list_id_in_name(&r.file.display_path()) {
        Some(id) => snap
            .prefix_list_entries
            .by_list
            .entry(id)
            .or_insert_with(|| (Vec::new(), file_loc))
            .0
            .push(entry),
        None => {
            if !snap
                .prefix_list_entries
                .unlinked
                .iter()
                .any(|l| l.file.path == file_loc.file.path)
            {
                snap.prefix_list_entries.unlinked.push(file_loc);
            }
        }
    }
}

/// The `pl-` id in a file's name (`get-managed-prefix-list-entries-pl-0abc.json`).
fn list_id_in_name(path: &str) -> Option<String> {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let start = name.find("pl-")?;
    let id: String = name[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let hex = id.strip_prefix("pl-")?;
    (!hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit())).then_some(id)
}

/// Adds the snapshot's prefix lists to the model. Keys are the `pl-` ids, as security-group
/// rules name them (prefix lists are shared across accounts, AWS-managed ones are owned by
/// `AWS`); addresses add the `Name` tag, else the list's name (`pl-0abc (office)`).
pub(crate) fn link(model: &mut Model, records: Vec<PrefixListRecord>, mut pages: EntryPages) {
    for loc in pages.unlinked {
        model.notes.push(InputNote {
            location: Some(loc),
            message: "`aws ec2 get-managed-prefix-list-entries` output does not name its prefix list, and this file's name holds no `pl-` id: its entries are not used (save it as get-managed-prefix-list-entries-<pl-id>.json)".into(),
        });
    }
    for rec in records {
        let label = rec.common.name.as_ref().or(rec.name.as_ref());
        let origin = Origin {
            location: Some(rec.common.location.clone()),
            address: match label {
                Some(l) => format!("{} ({l})", rec.common.id),
                None => rec.common.id.clone(),
            },
        };
        let (entries, complete) = match (rec.cidrs, pages.by_list.remove(&rec.common.id)) {
            (_, Some((entries, _))) => (entries, true),
            (Some(cidrs), None) => (cidrs, true),
            (None, None) => (Vec::new(), false),
        };
        model.prefix_lists.push(with_address(PrefixList {
            key: rec.common.id.clone(),
            name: rec
                .name
                .map_or_else(|| Val::Unknown("no `PrefixListName`".into()), Val::Known),
            origin,
            entries,
            complete,
        }));
    }
    // Entries of lists the snapshot does not describe: the list is known by its id only.
    for (id, (entries, location)) in pages.by_list {
        model.prefix_lists.push(with_address(PrefixList {
            origin: Origin {
                location: Some(location),
                address: id.clone(),
            },
            key: id,
            name: Val::Unknown("not in `describe-managed-prefix-lists` output".into()),
            entries,
            complete: true,
        }));
    }
}

fn with_address(mut list: PrefixList) -> PrefixList {
    for e in &mut list.entries {
        e.origin.address.clone_from(&list.origin.address);
    }
    list
}
