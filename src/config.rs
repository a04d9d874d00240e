//! `.vpclint.yaml`: discovery, parsing (errors with line:column), globs and dates.

use crate::diag::{Problem, Severity, PARSE_CONFIG};
use crate::rules::{self, Settings};
use crate::source::{Location, SourceFile};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The file name looked for in the current directory and its parents.
pub const CONFIG_FILE: &str = ".vpclint.yaml";

/// A calendar date (year, month, day), comparable.
pub type Date = (i32, u32, u32);

/// Diagnostics of vpclint itself (suppressions), by code and name: they can be
/// configured like rules (`rules:`, `--ignore`).
pub const META_CODES: &[(&str, &str)] = &[
    ("VPCLINT001", "suppression-without-reason"),
    ("VPCLINT002", "suppression-expired"),
    ("VPCLINT003", "unused-suppression"),
];

/// The canonical code of a rule or vpclint diagnostic, given its code or name.
pub fn canonical_code(code_or_name: &str) -> Option<&'static str> {
    if let Some(r) = rules::find(code_or_name) {
        return Some(r.meta.code.as_str());
    }
    META_CODES
        .iter()
        .find(|(c, n)| c.eq_ignore_ascii_case(code_or_name) || n.eq_ignore_ascii_case(code_or_name))
        .map(|(c, _)| *c)
}

/// ` (did you mean `NACL002`?)` for a mistyped rule code or name, when a code or name is
/// close to it (edit distance, case-insensitive); empty otherwise.
pub fn did_you_mean(input: &str) -> String {
    fn distance(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut cur = vec![i + 1; b.len() + 1];
            for (j, cb) in b.iter().enumerate() {
                let cost = usize::from(ca != *cb);
                cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            }
            prev = cur;
        }
        prev[b.len()]
    }
    let wanted = input.to_ascii_lowercase();
    let candidates = rules::all()
        .iter()
        .flat_map(|r| [r.meta.code.as_str(), r.meta.name.as_str()])
        .chain(META_CODES.iter().flat_map(|(c, n)| [*c, *n]));
    let best = candidates
        .map(|c| (distance(&wanted, &c.to_ascii_lowercase()), c))
        .min();
    match best {
        Some((d, c)) if d > 0 && d <= (wanted.chars().count() / 3).max(2) => {
            format!(" (did you mean `{c}`?)")
        }
        _ => String::new(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    rules: BTreeMap<String, RawRule>,
    ephemeral_ports: Option<RawRange>,
    admin_ports: Option<Vec<u16>>,
    sensitive_ports: Option<Vec<RawPorts>>,
    flow_log_required_fields: Option<Vec<String>>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    var_files: Vec<String>,
    workspace: Option<String>,
    fail_on: Option<Severity>,
    #[serde(default)]
    ignore: Vec<RawIgnore>,
    #[serde(default)]
    reach: Vec<RawIntent>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIntent {
    name: String,
    from: String,
    to: String,
    protocol: Option<String>,
    ports: Option<RawPorts>,
    expect: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    enabled: Option<bool>,
    severity: Option<Severity>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawRange {
    Text(String),
    Pair([u16; 2]),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawPorts {
    Port(u16),
    Text(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    rule: String,
    #[serde(default = "any_resource")]
    resource: String,
    reason: Option<String>,
    until: Option<String>,
}

fn any_resource() -> String {
    "*".to_string()
}

/// Per-rule settings from `rules:`.
#[derive(Clone, Debug, Default)]
pub struct RuleConfig {
    /// `enabled:`.
    pub enabled: Option<bool>,
    /// `severity:`.
    pub severity: Option<Severity>,
}

/// One `ignore:` entry.
#[derive(Clone, Debug)]
pub struct IgnoreEntry {
    /// Canonical rule code.
    pub rule: &'static str,
    /// Glob on the resource address or AWS id, as written.
    pub resource: String,
    /// [`IgnoreEntry::resource`], compiled.
    pub resource_glob: Glob,
    /// Why (required to take effect).
    pub reason: Option<String>,
    /// Last day it applies.
    pub until: Option<Date>,
    /// The entry in the config file.
    pub location: Location,
}

/// A parsed `.vpclint.yaml`.
#[derive(Clone, Debug)]
pub struct Config {
    /// The file.
    pub file: Arc<SourceFile>,
    /// Its directory (relative paths in it are relative to this).
    pub dir: PathBuf,
    /// Per-rule settings by canonical code.
    pub rules: BTreeMap<&'static str, RuleConfig>,
    /// `ephemeral_ports`.
    pub ephemeral_ports: Option<(u16, u16)>,
    /// `admin_ports`.
    pub admin_ports: Option<Vec<u16>>,
    /// `sensitive_ports`.
    pub sensitive_ports: Option<Vec<(u16, u16)>>,
    /// `flow_log_required_fields`.
    pub flow_log_required_fields: Option<Vec<String>>,
    /// Path globs, relative to [`Config::dir`].
    pub exclude: PathGlobs,
    /// Variable files, resolved against [`Config::dir`], with the entry naming each.
    pub var_files: Vec<(PathBuf, Location)>,
    /// `workspace`: the value of `terraform.workspace` (`--workspace` and `TF_WORKSPACE` win).
    pub workspace: Option<String>,
    /// `fail_on`.
    pub fail_on: Option<Severity>,
    /// `ignore:` entries.
    pub ignore: Vec<IgnoreEntry>,
    /// `reach:` intents.
    pub reach: Vec<crate::reach::intent::Intent>,
}

impl Config {
    /// Applies the rule options of the file to `settings`.
    pub fn apply(&self, settings: &mut Settings) {
        if let Some(r) = self.ephemeral_ports {
            settings.ephemeral_ports = r;
        }
        if let Some(p) = &self.admin_ports {
            settings.admin_ports = p.clone();
        }
        if let Some(p) = &self.sensitive_ports {
            settings.sensitive_ports = p.clone();
        }
        if let Some(f) = &self.flow_log_required_fields {
            settings.flow_log_required_fields = f.clone();
        }
        settings.reach_intents = self.reach.clone();
    }
}

/// The nearest `.vpclint.yaml` in `start` or its parents, stopping at the repository root
/// (the first directory holding `.git`).
pub fn discover(start: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(start).ok()?;
    for dir in start.ancestors() {
        let candidate = dir.join(CONFIG_FILE);
        // Anything so named (a link, a pipe): reading it says what is wrong with it.
        if candidate.symlink_metadata().is_ok() {
            // Shown relative to the current directory when it is there.
            return Some(match candidate.strip_prefix(&start) {
                Ok(rel) => rel.to_path_buf(),
                Err(_) => candidate,
            });
        }
        if dir.join(".git").exists() {
            break;
        }
    }
    None
}

/// A PARSE004 problem at a 1-based line and column of the config file.
fn error_at(file: &Arc<SourceFile>, line: usize, col: usize, message: String) -> Problem {
    let start = file.offset_of(line, col);
    let end = file.text[start..]
        .find(['\n', ':'])
        .map(|i| start + i)
        .unwrap_or(file.text.len())
        .max(start);
    Problem::at(PARSE_CONFIG, message, Location::new(file, start..end))
}

/// The position (line, column) of `key:` in the text at or after byte `from`, if any.
fn key_position(file: &SourceFile, key: &str, from: usize) -> Option<(usize, usize)> {
    let text = file.text.get(from..)?;
    let mut offset = from;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let body = trimmed.strip_prefix("- ").unwrap_or(trimmed).trim_start();
        let shift = trimmed.len() - body.len();
        for quoted in [key.to_string(), format!("\"{key}\""), format!("'{key}'")] {
            if let Some(rest) = body.strip_prefix(quoted.as_str()) {
                if rest.trim_start().starts_with(':') {
                    return Some(file.line_col(offset + indent + shift));
                }
            }
        }
        offset += line.len();
    }
    None
}

/// Parses `LO-HI` or a single port.
pub fn parse_port_range(s: &str) -> Result<(u16, u16), String> {
    let (lo, hi) = s.split_once('-').unwrap_or((s, s));
    let lo: u16 = lo
        .trim()
        .parse()
        .map_err(|_| format!("not a port: `{}`", lo.trim()))?;
    let hi: u16 = hi
        .trim()
        .parse()
        .map_err(|_| format!("not a port: `{}`", hi.trim()))?;
    if lo > hi {
        return Err(format!("{lo} is above {hi}"));
    }
    Ok((lo, hi))
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<Date> {
    let mut parts = s.trim().splitn(3, '-');
    let y: i32 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
}

/// Today's date (UTC) from the system clock.
pub fn today() -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    civil_from_days((secs / 86_400) as i64)
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> Date {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
}

/// Reads and validates a config file the user named (`--config`): any regular file.
pub fn load(path: &Path) -> Result<Config, Problem> {
    let text = crate::ingest::fs::read_regular(path)
        .and_then(|bytes| crate::ingest::fs::utf8(path, bytes))
        .map_err(|e| config_problem(&e, path))?;
    parse(&SourceFile::new(path.to_path_buf(), text))
}

/// Reads and validates a config file found by [`discover`]: it comes with the
/// repository, so it is read only when it is a regular file inside it (or inside the
/// directory it was found in, outside any repository).
pub fn load_discovered(path: &Path) -> Result<Config, Problem> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let access = crate::ingest::fs::Confinement::for_paths(&[dir]);
    let file = access
        .read_source(path)
        .map_err(|e| config_problem(&e, path))?;
    parse(&file)
}

/// A config file that could not be read: a configuration problem (PARSE004).
fn config_problem(e: &crate::ingest::fs::FsError, path: &Path) -> Problem {
    Problem {
        code: PARSE_CONFIG,
        ..e.problem(path, None)
    }
}

/// Where the second YAML document of a stream starts (a `---` line after content or
/// after another `---`, or content after a `...` line): 1-based line and column.
fn second_document(text: &str) -> Option<(usize, usize)> {
    let mut begun = false;
    let mut ended = false;
    for (i, line) in text.lines().enumerate() {
        let marker = |m: &str| {
            line.strip_prefix(m)
                .is_some_and(|r| r.is_empty() || r.starts_with([' ', '\t']))
        };
        let blank = line.trim().is_empty() || line.trim_start().starts_with('#');
        if marker("---") {
            if begun || ended {
                return Some((i + 1, 1));
            }
            begun = true;
        } else if marker("...") {
            ended = true;
        } else if !blank && !line.starts_with('%') {
            if ended {
                return Some((i + 1, 1));
            }
            begun = true;
        }
    }
    None
}

/// Parses the text of a config file.
pub fn parse(file: &Arc<SourceFile>) -> Result<Config, Problem> {
    let raw: RawConfig = if file.text.trim().is_empty() {
        serde_yaml::from_str("{}")
            .map_err(|e| Problem::path(PARSE_CONFIG, e.to_string(), file.display_path()))?
    } else {
        serde_yaml::from_str(&file.text).map_err(|e| {
            let message = format!("invalid config: {e}");
            if let (None, Some((line, col))) = (e.location(), second_document(&file.text)) {
                return error_at(
                    file,
                    line,
                    col,
                    "invalid config: a second YAML document starts here; the config file holds one document".to_string(),
                );
            }
            match e.location() {
                Some(l) => {
                    // The position is in the problem's location; not twice in the text.
                    let suffix = format!(" at line {} column {}", l.line(), l.column());
                    let message = message
                        .strip_suffix(&suffix)
                        .map(str::to_string)
                        .unwrap_or(message);
                    error_at(file, l.line(), l.column(), message)
                }
                None => Problem::path(PARSE_CONFIG, message, file.display_path()),
            }
        })?
    };
    let dir = file
        .path
        .parent()
        .map(Path::to_path_buf)
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("."));
    let rules_at = key_position(file, "rules", 0)
        .map(|(l, c)| file.offset_of(l, c))
        .unwrap_or(0);
    let mut rules_cfg = BTreeMap::new();
    for (key, r) in raw.rules {
        let Some(code) = canonical_code(&key) else {
            let (line, col) = key_position(file, &key, rules_at).unwrap_or((1, 1));
            return Err(error_at(
                file,
                line,
                col,
                format!(
                    "unknown rule `{key}` in `rules`{} (`vpclint rules` lists them)",
                    did_you_mean(&key)
                ),
            ));
        };
        rules_cfg.insert(
            code,
            RuleConfig {
                enabled: r.enabled,
                severity: r.severity,
            },
        );
    }
    let bad_option = |key: &str, message: String| {
        let (line, col) = key_position(file, key, 0).unwrap_or((1, 1));
        error_at(file, line, col, format!("`{key}`: {message}"))
    };
    let ephemeral_ports = match raw.ephemeral_ports {
        None => None,
        Some(RawRange::Text(s)) => {
            Some(parse_port_range(&s).map_err(|m| bad_option("ephemeral_ports", m))?)
        }
        Some(RawRange::Pair([lo, hi])) if lo <= hi => Some((lo, hi)),
        Some(RawRange::Pair([lo, hi])) => {
            return Err(bad_option("ephemeral_ports", format!("{lo} is above {hi}")))
        }
    };
    let sensitive_ports = match raw.sensitive_ports {
        None => None,
        Some(list) => Some(
            list.into_iter()
                .map(|p| match p {
                    RawPorts::Port(p) => Ok((p, p)),
                    RawPorts::Text(s) => parse_port_range(&s),
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(|m| bad_option("sensitive_ports", m))?,
        ),
    };
    let ignore_at = key_position(file, "ignore", 0)
        .map(|(l, c)| file.offset_of(l, c))
        .unwrap_or(0);
    let mut ignore = Vec::new();
    let mut search_from = ignore_at;
    for entry in raw.ignore {
        // The entry's `rule:` key, in order after `ignore:`.
        let (line, col) = key_position(file, "rule", search_from).unwrap_or((1, 1));
        let at = file.offset_of(line, col);
        search_from = at + 1;
        let location = Location::new(
            file,
            at..file.offset_of(line + 1, 1).saturating_sub(1).max(at),
        );
        let Some(rule) = canonical_code(&entry.rule) else {
            return Err(error_at(
                file,
                line,
                col,
                format!(
                    "unknown rule `{}` in `ignore`{} (`vpclint rules` lists them)",
                    entry.rule,
                    did_you_mean(&entry.rule)
                ),
            ));
        };
        let until = match &entry.until {
            None => None,
            Some(s) => Some(parse_date(s).ok_or_else(|| {
                error_at(
                    file,
                    line,
                    col,
                    format!("`until: {s}` is not a date (YYYY-MM-DD)"),
                )
            })?),
        };
        let resource_glob = Glob::new(&entry.resource, false).map_err(|m| {
            error_at(
                file,
                line,
                col,
                format!("`resource: {}`: {m}", entry.resource),
            )
        })?;
        ignore.push(IgnoreEntry {
            rule,
            resource: entry.resource,
            resource_glob,
            reason: entry.reason.filter(|r| !r.trim().is_empty()),
            until,
            location,
        });
    }
    let exclude = PathGlobs::new(&raw.exclude).map_err(|m| bad_option("exclude", m))?;
    let var_files = var_file_entries(file, &raw.var_files)
        .into_iter()
        .map(|(v, at)| (dir.join(v), at))
        .collect();
    let reach = intents(file, raw.reach)?;
    if let Some(w) = &raw.workspace {
        if !crate::ingest::terraform::eval::valid_workspace(w) {
            return Err(bad_option(
                "workspace",
                format!("{:?} is not a valid Terraform workspace name", w),
            ));
        }
    }
    Ok(Config {
        reach,
        var_files,
        workspace: raw.workspace,
        dir,
        file: Arc::clone(file),
        rules: rules_cfg,
        ephemeral_ports,
        admin_ports: raw.admin_ports,
        sensitive_ports,
        flow_log_required_fields: raw.flow_log_required_fields,
        exclude,
        fail_on: raw.fail_on,
        ignore,
    })
}

/// The `reach:` entries, each located at its `name:` key.
fn intents(
    file: &Arc<SourceFile>,
    raw: Vec<RawIntent>,
) -> Result<Vec<crate::reach::intent::Intent>, Problem> {
    use crate::reach::intent::{Expect, Intent};
    let mut search_from = key_position(file, "reach", 0)
        .map(|(l, c)| file.offset_of(l, c))
        .unwrap_or(0);
    let mut out = Vec::new();
    for entry in raw {
        let (line, col) = key_position(file, "name", search_from).unwrap_or((1, 1));
        let at = file.offset_of(line, col);
        search_from = at + 1;
        let location = Location::new(
            file,
            at..file.offset_of(line + 1, 1).saturating_sub(1).max(at),
        );
        let bad = |m: String| error_at(file, line, col, format!("`reach` `{}`: {m}", entry.name));
        let protocol = match &entry.protocol {
            None => crate::model::Protocol::TCP,
            Some(p) => crate::model::Protocol::parse(p)
                .ok_or_else(|| bad(format!("unknown protocol `{p}`")))?,
        };
        let ports = match entry.ports {
            None => None,
            Some(RawPorts::Port(p)) => Some((p, p)),
            Some(RawPorts::Text(s)) => Some(parse_port_range(&s).map_err(bad)?),
        };
        let expect = match entry.expect.as_str() {
            "reachable" => Expect::Reachable,
            "blocked" => Expect::Blocked,
            other => {
                return Err(bad(format!(
                    "`expect: {other}` is not reachable or blocked"
                )))
            }
        };
        out.push(Intent {
            name: entry.name,
            from: entry.from,
            to: entry.to,
            protocol,
            ports,
            expect,
            location,
        });
    }
    Ok(out)
}

/// The location of each `var_files` entry: its text after the `var_files:` key (the
/// key itself when the text cannot be found, e.g. written with escapes).
fn var_file_entries<'a>(file: &Arc<SourceFile>, entries: &'a [String]) -> Vec<(&'a str, Location)> {
    let key = key_position(file, "var_files", 0).map(|(l, c)| file.offset_of(l, c));
    let mut from = key.unwrap_or(0);
    entries
        .iter()
        .map(|v| {
            let found = file
                .text
                .get(from..)
                .and_then(|rest| rest.find(v.as_str()))
                .filter(|_| !v.is_empty())
                .map(|i| from + i);
            let span = match found {
                Some(at) => {
                    from = at + v.len();
                    at..at + v.len()
                }
                None => {
                    let at = key.unwrap_or(0);
                    at..at + "var_files".len().min(file.text.len() - at)
                }
            };
            (v.as_str(), Location::new(file, span))
        })
        .collect()
}

/// A compiled glob: `*` and `?` (within one path component when matching paths), `**`
/// across components; everything else literal. Matching takes linear time (globset
/// compiles to a finite automaton; no backtracking, no recursion per `*`).
#[derive(Clone, Debug)]
pub struct Glob(globset::GlobSet);

/// The longest glob accepted (resource addresses and paths are far shorter): compiling
/// stays instant.
pub const MAX_GLOB_LEN: usize = 4096;

impl Glob {
    /// Compiles `pattern`; with `paths`, `*` and `?` do not cross `/`. A pattern longer
    /// than [`MAX_GLOB_LEN`] or too large to compile is an error (not a panic).
    pub fn new(pattern: &str, paths: bool) -> Result<Glob, String> {
        if pattern.len() > MAX_GLOB_LEN {
            return Err(format!(
                "the glob is {} bytes long; at most {MAX_GLOB_LEN} are allowed",
                pattern.len()
            ));
        }
        let glob = globset::GlobBuilder::new(&glob_syntax(pattern))
            .literal_separator(paths)
            .backslash_escape(true)
            .build()
            .map_err(|e| format!("invalid glob: {}", e.kind()))?;
        globset::GlobSetBuilder::new()
            .add(glob)
            .build()
            .map(Glob)
            .map_err(|_| "the glob is too large to compile".to_string())
    }

    /// True if `text` matches.
    pub fn matches(&self, text: &str) -> bool {
        self.0.is_match(text)
    }
}

/// vpclint's glob syntax (`*`, `**`, `?`) in globset's: brackets, braces and backslashes
/// (which appear in resource addresses such as `aws_x.y["a"]`) are literal.
fn glob_syntax(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    for c in pattern.chars() {
        if matches!(c, '[' | ']' | '{' | '}' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `exclude` path globs, compiled.
#[derive(Clone, Debug, Default)]
pub struct PathGlobs {
    /// Matched against the path and each of its parent directories.
    paths: Vec<Glob>,
    /// Globs without `/`: also matched against each path component.
    components: Vec<Glob>,
}

impl PathGlobs {
    /// Compiles the globs (relative paths, forward slashes).
    pub fn new(globs: &[String]) -> Result<PathGlobs, String> {
        let mut set = PathGlobs::default();
        for g in globs {
            let g = g.trim_start_matches("./").trim_end_matches('/');
            if g.is_empty() {
                continue;
            }
            let compiled = Glob::new(g, true).map_err(|m| format!("`{g}`: {m}"))?;
            if !g.contains('/') {
                set.components.push(compiled.clone());
            }
            set.paths.push(compiled);
        }
        Ok(set)
    }

    /// True when there are no globs.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    /// True if the relative path (forward slashes) is excluded: a glob matches the path
    /// or one of its parent directories, or a glob without `/` matches one component.
    pub fn excluded(&self, rel: &str) -> bool {
        let rel = rel.trim_start_matches("./");
        let prefixes = rel
            .match_indices('/')
            .map(|(i, _)| &rel[..i])
            .chain(std::iter::once(rel));
        let parts = || rel.split('/');
        self.paths
            .iter()
            .any(|g| prefixes.clone().any(|p| g.matches(p)))
            || self
                .components
                .iter()
                .any(|g| parts().any(|c| g.matches(c)))
    }
}

/// The commented default configuration written by `vpclint init`.
pub const DEFAULT_CONFIG: &str = r#"# vpclint configuration (https://github.com/vpclint/vpclint#configuration).
# Command-line flags win over this file. Unknown keys are errors.
# Every setting below is commented out and shows its default, so that a later release's
# new defaults reach this repository; uncomment a line to choose a value of your own.

# Per rule (code or name): enabled and severity (error, warning, note).
# rules:
#   NACL002:
#     severity: warning
#   iam-service-wildcard:
#     enabled: false

# Destination ports of replies (the clients' ephemeral range): "LO-HI" or [LO, HI].
# ephemeral_ports: "1024-65535"

# Ports that must not be open to the world in NACLs (NACL003).
# admin_ports: [22, 3389]

# Ports or "LO-HI" ranges that must not be open to the world in security groups (SG001).
# sensitive_ports: [22, 3389, 23, "5985-5986", 1433, 1521, 3306, 5432, 6379, 9200, 11211, 27017, "2375-2376"]

# Fields a custom flow-log format must hold (FLOW003).
# flow_log_required_fields: [srcaddr, dstaddr, srcport, dstport, protocol, action]

# Path globs (relative to this file) whose findings are not reported: *, ** and ?.
# exclude:
#   - "legacy/**"

# Terraform variable files (relative to this file), applied before --var-file.
# var_files: []

# Terraform workspace: the value of terraform.workspace (--workspace and TF_WORKSPACE
# win). Default: the name in <root>/.terraform/environment when present, else "default".
# workspace: default

# Lowest severity that makes the exit code 1: error, warning or note.
# fail_on: warning

# Suppressions by rule and resource (address or AWS id; globs allowed). A reason is
# required; after `until` (YYYY-MM-DD) the entry stops suppressing and is reported.
# ignore:
#   - rule: NACL002
#     resource: "aws_network_acl.partner*"
#     reason: "legacy partner range, ticket NET-123"
#     until: 2027-01-31
"#;

/// Writes [`DEFAULT_CONFIG`] to `dir/.vpclint.yaml`; refuses to overwrite an existing file.
pub fn init(dir: &Path) -> Result<PathBuf, String> {
    use std::io::Write;
    let path = dir.join(CONFIG_FILE);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => {
                format!("{} already exists; not overwriting it", path.display())
            }
            _ => format!("cannot write {}: {e}", path.display()),
        })?;
    f.write_all(DEFAULT_CONFIG.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        let path = |g: &str, t: &str| Glob::new(g, true).expect("glob").matches(t);
        let resource = |g: &str, t: &str| Glob::new(g, false).expect("glob").matches(t);
        let excluded =
            |g: &str, t: &str| PathGlobs::new(&[g.to_string()]).expect("globs").excluded(t);
        assert!(path("legacy/**", "legacy/a/main.tf"));
        assert!(path("**/main.tf", "main.tf"));
        assert!(path("**/main.tf", "a/b/main.tf"));
        assert!(!path("*.tf", "a/main.tf"));
        assert!(path("m?in.tf", "main.tf"));
        assert!(!path("m?in.tf", "m/in.tf"));
        assert!(resource("aws_network_acl.*", "aws_network_acl.a"));
        assert!(resource("module.a.*", "module.a.module.b.aws_x.y"));
        // Brackets, braces and backslashes are literal: resource addresses hold them.
        assert!(resource("aws_x.y[\"a\"]", "aws_x.y[\"a\"]"));
        assert!(!resource("aws_x.y[ab]", "aws_x.ya"));
        assert!(resource("aws_x.{a,b}", "aws_x.{a,b}"));
        assert!(!resource("aws_x.{a,b}", "aws_x.a"));
        assert!(excluded("legacy", "legacy/main.tf"));
        assert!(excluded("*.tf", "a/main.tf"));
        assert!(excluded("legacy/**", "legacy/a/main.tf"));
        assert!(excluded("a/b", "a/b/c/main.tf"));
        assert!(!excluded("legacy", "modern/main.tf"));
        assert!(!excluded("a/b", "x/a/b/main.tf"));
    }

    #[test]
    fn globs_match_in_linear_time_without_recursion() {
        // `*a*a...*b` against a 40-character name: exponential for a backtracking matcher.
        let pattern = format!("{}b", "*a".repeat(30));
        let name = "a".repeat(40);
        assert!(!Glob::new(&pattern, false).expect("glob").matches(&name));
        assert!(!Glob::new(&pattern, true).expect("glob").matches(&name));
        assert!(Glob::new(&pattern, false)
            .expect("glob")
            .matches(&format!("{name}b")));
        // The longest glob accepted compiles and matches.
        let longest = "*a".repeat(MAX_GLOB_LEN / 2);
        let g = Glob::new(&longest, false).expect("the longest glob compiles");
        assert!(!g.matches(&name));
        // 100,000 `*a`: a matcher recursing once per `*` overflows the stack; this one
        // refuses the glob.
        let huge = "*a".repeat(100_000);
        let e = Glob::new(&huge, false).expect_err("too long");
        assert!(e.contains("at most 4096"), "{e}");
        assert!(PathGlobs::new(&[huge]).is_err());
    }

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_516), (2026, 3, 4));
        assert_eq!(parse_date("2027-01-31"), Some((2027, 1, 31)));
        assert_eq!(parse_date("2027-13-01"), None);
    }

    #[test]
    fn the_default_config_parses() {
        let f = SourceFile::new(PathBuf::from(".vpclint.yaml"), DEFAULT_CONFIG.to_string());
        let c = parse(&f).expect("default config parses");
        // Every default is a comment: the file sets nothing.
        assert_eq!(c.fail_on, None);
        assert!(c.rules.is_empty() && c.ignore.is_empty() && c.exclude.is_empty());
        // Uncommented, the settings are the defaults.
        let uncommented: String = DEFAULT_CONFIG
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest)
                    if rest.starts_with("  ")
                        || rest.split(':').next().is_some_and(|k| {
                            !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                        }) =>
                {
                    format!("{rest}\n")
                }
                _ => format!("{l}\n"),
            })
            .collect();
        let f = SourceFile::new(PathBuf::from(".vpclint.yaml"), uncommented);
        let c = parse(&f).expect("the uncommented default config parses");
        assert_eq!(c.fail_on, Some(Severity::Warning));
        assert_eq!(c.ignore.len(), 1);
        let mut s = Settings::default();
        let before = format!("{:?}", s);
        c.apply(&mut s);
        assert_eq!(format!("{:?}", s), before);
    }
}
