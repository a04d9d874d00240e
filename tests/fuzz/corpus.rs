//! The repository's fixtures, read once: the seeds of the generators and the mutator.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// One fixture directory: its files (relative path, bytes).
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The directory's name.
    pub name: String,
    /// Relative path and content of each file.
    pub files: Vec<(PathBuf, Vec<u8>)>,
}

/// Every fixture, by kind.
pub struct Corpus {
    /// `fixtures/terraform/*` (with their modules, tfvars and config files).
    pub terraform: Vec<Scenario>,
    /// `fixtures/exports/*` and `fixtures/exports-handmade/*` (the JSON files).
    pub exports: Vec<Scenario>,
    /// `fixtures/plans/*` (`plan.json`, `state.json`).
    pub plans: Vec<Scenario>,
}

fn files_under(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            files_under(root, &path, out);
        } else if meta.is_file() {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            // The scenario notes are for people, not vpclint.
            if name == "expect.txt" || name.ends_with(".md") || name.ends_with(".sh") {
                continue;
            }
            if let (Ok(rel), Ok(bytes)) = (path.strip_prefix(root), std::fs::read(&path)) {
                out.push((rel.to_path_buf(), bytes));
            }
        }
    }
}

fn scenarios(dirs: &[&str]) -> Vec<Scenario> {
    let mut out = Vec::new();
    for d in dirs {
        let Ok(entries) = std::fs::read_dir(d) else {
            continue;
        };
        let mut entries: Vec<_> = entries.flatten().filter(|e| e.path().is_dir()).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let mut files = Vec::new();
            files_under(&e.path(), &e.path(), &mut files);
            if !files.is_empty() {
                out.push(Scenario {
                    name: e.file_name().to_string_lossy().into_owned(),
                    files,
                });
            }
        }
    }
    out
}

/// The fixtures (read on first use; the tests run in the crate's directory).
pub fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let corpus = Corpus {
            terraform: scenarios(&["fixtures/terraform"]),
            exports: scenarios(&["fixtures/exports", "fixtures/exports-handmade"]),
            plans: scenarios(&["fixtures/plans"]),
        };
        assert!(
            !corpus.terraform.is_empty() && !corpus.exports.is_empty() && !corpus.plans.is_empty(),
            "the fixtures are read from the crate directory"
        );
        corpus
    })
}
