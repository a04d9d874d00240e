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
    fail_on: Option<Severity>,
    #[serde(default)]
    ignore: Vec<RawIgnore>,
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
    /// Glob on the resource address or AWS id.
    pub resource: String,
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
    pub exclude: Vec<String>,
    /// Variable files, resolved against [`Config::dir`].
    pub var_files: Vec<PathBuf>,
    /// `fail_on`.
    pub fail_on: Option<Severity>,
    /// `ignore:` entries.
    pub ignore: Vec<IgnoreEntry>,
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
    }
}

/// The nearest `.vpclint.yaml` in `start` or its parents, stopping at the repository root
/// (the first directory holding `.git`).
pub fn discover(start: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(start).ok()?;
    for dir in start.ancestors() {
        let candidate = dir.join(CONFIG_FILE);
        if candidate.is_file() {
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

/// Reads and validates a config file.
pub fn load(path: &Path) -> Result<Config, Problem> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Problem::path(
            PARSE_CONFIG,
            format!("cannot read the config file: {e}"),
            crate::source::display_path(path),
        )
    })?;
    let file = SourceFile::new(path.to_path_buf(), text);
    parse(&file)
}

/// Parses the text of a config file.
pub fn parse(file: &Arc<SourceFile>) -> Result<Config, Problem> {
    let raw: RawConfig = if file.text.trim().is_empty() {
        serde_yaml::from_str("{}")
            .map_err(|e| Problem::path(PARSE_CONFIG, e.to_string(), file.display_path()))?
    } else {
        serde_yaml::from_str(&file.text).map_err(|e| {
            let message = format!("invalid config: {e}");
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
        ignore.push(IgnoreEntry {
            rule,
            resource: entry.resource,
            reason: entry.reason.filter(|r| !r.trim().is_empty()),
            until,
            location,
        });
    }
    Ok(Config {
        var_files: raw.var_files.iter().map(|v| dir.join(v)).collect(),
        dir,
        file: Arc::clone(file),
        rules: rules_cfg,
        ephemeral_ports,
        admin_ports: raw.admin_ports,
        sensitive_ports,
        flow_log_required_fields: raw.flow_log_required_fields,
        exclude: raw.exclude,
        fail_on: raw.fail_on,
        ignore,
    })
}

/// Matches `text` against a glob: `*` and `?` do not cross `sep`, `**` does
/// (and `**/` also matches no directory at all).
pub fn glob_match(pattern: &str, text: &str, sep: Option<char>) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    glob(&p, &t, sep)
}

fn glob(p: &[char], t: &[char], sep: Option<char>) -> bool {
    match p.first() {
        None => t.is_empty(),
        Some('*') if p.get(1) == Some(&'*') => {
            let rest = &p[2..];
            if sep.is_some() && rest.first().copied() == sep && glob(&rest[1..], t, sep) {
                return true;
            }
            (0..=t.len()).any(|i| glob(rest, &t[i..], sep))
        }
        Some('*') => {
            for i in 0..=t.len() {
                if glob(&p[1..], &t[i..], sep) {
                    return true;
                }
                if i < t.len() && Some(t[i]) == sep {
                    break;
                }
            }
            false
        }
        Some('?') => !t.is_empty() && Some(t[0]) != sep && glob(&p[1..], &t[1..], sep),
        Some(c) => t.first() == Some(c) && glob(&p[1..], &t[1..], sep),
    }
}

/// True if the relative path (forward slashes) is excluded by one of the globs: the glob
/// matches the path or one of its parent directories; a glob without `/` also matches any
/// single path component.
pub fn path_excluded(globs: &[String], rel: &str) -> bool {
    let rel = rel.trim_start_matches("./");
    let parts: Vec<&str> = rel.split('/').collect();
    globs.iter().any(|g| {
        let g = g.trim_start_matches("./").trim_end_matches('/');
        if g.is_empty() {
            return false;
        }
        (1..=parts.len()).any(|n| glob_match(g, &parts[..n].join("/"), Some('/')))
            || (!g.contains('/') && parts.iter().any(|c| glob_match(g, c, Some('/'))))
    })
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
        assert!(glob_match("legacy/**", "legacy/a/main.tf", Some('/')));
        assert!(glob_match("**/main.tf", "main.tf", Some('/')));
        assert!(glob_match("**/main.tf", "a/b/main.tf", Some('/')));
        assert!(!glob_match("*.tf", "a/main.tf", Some('/')));
        assert!(glob_match("m?in.tf", "main.tf", Some('/')));
        assert!(glob_match("aws_network_acl.*", "aws_network_acl.a", None));
        assert!(path_excluded(&["legacy".into()], "legacy/main.tf"));
        assert!(path_excluded(&["*.tf".into()], "a/main.tf"));
        assert!(!path_excluded(&["legacy".into()], "modern/main.tf"));
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
