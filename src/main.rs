//! The `vpclint` command.

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use vpclint::check::{check_run, CheckOptions};
use vpclint::diag::Severity;
use vpclint::report::concise::render_concise;
use vpclint::report::github::render_github;
use vpclint::report::gitlab::write_gitlab;
use vpclint::report::human::{render_human, summary_line, HumanOptions};
use vpclint::report::json::write_json;
use vpclint::report::junit::write_junit;
use vpclint::report::sarif::write_sarif;
use vpclint::rules;

/// A linter for AWS network configuration: NACLs, security groups, flow logs and IAM,
/// in Terraform and in AWS CLI exports.
#[derive(Parser, Debug)]
#[command(name = "vpclint", version = env!("VPCLINT_VERSION"), about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
#[allow(clippy::large_enum_variant)] // parsed once
enum Command {
    /// Lint Terraform modules under the given paths (default: the current directory).
    Check(CheckArgs),
    /// List every rule: code, name, severity, summary.
    Rules,
    /// Print the documentation of a rule.
    Explain {
        /// Rule code or name, e.g. NACL001 or nacl-shadowed-rule.
        code: String,
    },
    /// Write a commented default .vpclint.yaml in the current directory.
    Init,
    /// Print a shell completion script (e.g. `vpclint completions bash > /etc/bash_completion.d/vpclint`).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), e.g. `vpclint man > vpclint.1`.
    Man,
    /// Can packets get from one endpoint to another, and which rule decides (exit 0
    /// reachable, 1 blocked or partial, 2 error, 3 unknown).
    Reach(ReachArgs),
    /// Which layer and rule rejected each REJECT of VPC flow-log records, from the
    /// snapshot of the same account (exit 0, 1 with --fail-on-rejects when a rule
    /// explains a REJECT, 2 on unreadable input).
    Flows(FlowsArgs),
}

#[derive(clap::Args, Debug)]
struct FlowsArgs {
    /// The snapshot the records came from: exports (with describe-network-interfaces),
    /// or Terraform, plan or state of the same infrastructure.
    paths: Vec<PathBuf>,
    /// Flow-log records: a file (plain or gzip), a directory (the S3 AWSLogs/ layout),
    /// `aws logs filter-log-events` / `get-log-events` JSON, or - for stdin (repeatable).
    #[arg(long = "log", value_name = "FILE", required = true)]
    logs: Vec<PathBuf>,
    /// The record format of files without a header line, as AWS writes it:
    /// '${version} ${srcaddr} ...' [default: the flow log's LogFormat in the snapshot, else version 2].
    #[arg(long, value_name = "FORMAT")]
    log_format: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FlowsFormatArg::Human)]
    format: FlowsFormatArg,
    /// Exit 1 when some REJECT is explained by a rule (a smoke test of a live environment).
    #[arg(long)]
    fail_on_rejects: bool,
    /// List every REJECT after the summary.
    #[arg(long, short)]
    verbose: bool,
    /// Destination ports of replies (the clients' ephemeral range), LO-HI [default: 1024-65535].
    #[arg(long, value_name = "LO-HI", value_parser = parse_range)]
    ephemeral_ports: Option<(u16, u16)>,
    /// A Terraform variables file (repeatable).
    #[arg(long = "var-file", value_name = "FILE")]
    var_files: Vec<PathBuf>,
    /// A Terraform variable, NAME=VALUE (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    vars: Vec<(String, String)>,
    /// The Terraform workspace: the value of terraform.workspace [default: TF_WORKSPACE, else the name in <root>/.terraform/environment, else "default"].
    #[arg(long, value_name = "NAME", value_parser = parse_workspace)]
    workspace: Option<String>,
    /// The AWS region of export files that show none themselves.
    #[arg(long, value_name = "REGION", value_parser = parse_region)]
    region: Option<String>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum FlowsFormatArg {
    Human,
    Json,
    Jsonl,
}

fn run_flows(args: FlowsArgs) -> ExitCode {
    let workspace = match workspace_choice(args.workspace) {
        Ok(w) => w,
        Err(code) => return code,
    };
    use vpclint::flows::run::{FlowsFormat, FlowsOptions};
    let opts = FlowsOptions {
        check: CheckOptions {
            paths: args.paths,
            var_files: args.var_files,
            vars: args.vars,
            workspace,
            region: args.region,
            ephemeral_ports: args.ephemeral_ports,
            ..CheckOptions::default()
        },
        logs: args.logs,
        log_format: args.log_format,
        format: match args.format {
            FlowsFormatArg::Human => FlowsFormat::Human,
            FlowsFormatArg::Json => FlowsFormat::Json,
            FlowsFormatArg::Jsonl => FlowsFormat::Jsonl,
        },
        verbose: args.verbose,
        fail_on_rejects: args.fail_on_rejects,
        progress: std::io::IsTerminal::is_terminal(&std::io::stderr()),
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let run = vpclint::flows::run::run(&opts, &mut out);
    drop(out);
    if !run.stderr.is_empty() {
        eprint!("{}", run.stderr);
    }
    ExitCode::from(run.code as u8)
}

#[derive(clap::Args, Debug)]
struct ReachArgs {
    /// Files or directories, as for `check`.
    paths: Vec<PathBuf>,
    /// Source: an IP or CIDR, `internet`, a subnet, an interface or instance (Terraform address, AWS id or Name tag).
    #[arg(long, value_name = "ENDPOINT", required_unless_present = "matrix")]
    from: Option<String>,
    /// Destination, in the same forms as --from.
    #[arg(long, value_name = "ENDPOINT", required_unless_present = "matrix")]
    to: Option<String>,
    /// Protocol: tcp, udp, icmp, all or a number [default: tcp].
    #[arg(long)]
    protocol: Option<String>,
    /// Destination port or range P or LO-HI (for icmp: the ICMP type) [default: all].
    #[arg(long, value_name = "P|LO-HI", value_parser = parse_range)]
    port: Option<(u16, u16)>,
    /// Security group judged at a subnet or CIDR source (repeatable).
    #[arg(long = "from-sg", value_name = "SG")]
    from_sg: Vec<String>,
    /// Security group judged at a subnet or CIDR destination (repeatable).
    #[arg(long = "to-sg", value_name = "SG")]
    to_sg: Vec<String>,
    /// The connectivity between every pair of interfaces.
    #[arg(long)]
    matrix: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReachFormat::Human)]
    format: ReachFormat,
    /// Destination ports of replies (the clients' ephemeral range), LO-HI [default: 1024-65535].
    #[arg(long, value_name = "LO-HI", value_parser = parse_range)]
    ephemeral_ports: Option<(u16, u16)>,
    /// A Terraform variables file (repeatable).
    #[arg(long = "var-file", value_name = "FILE")]
    var_files: Vec<PathBuf>,
    /// A Terraform variable, NAME=VALUE (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    vars: Vec<(String, String)>,
    /// The Terraform workspace: the value of terraform.workspace [default: TF_WORKSPACE, else the name in <root>/.terraform/environment, else "default"].
    #[arg(long, value_name = "NAME", value_parser = parse_workspace)]
    workspace: Option<String>,
    /// The AWS region of export files that show none themselves.
    #[arg(long, value_name = "REGION", value_parser = parse_region)]
    region: Option<String>,
    /// When to use colors.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ReachFormat {
    Human,
    Json,
}

fn run_reach(args: ReachArgs) -> ExitCode {
    let workspace = match workspace_choice(args.workspace) {
        Ok(w) => w,
        Err(code) => return code,
    };
    let opts = vpclint::reach::command::ReachOptions {
        check: CheckOptions {
            paths: args.paths,
            var_files: args.var_files,
            vars: args.vars,
            workspace,
            region: args.region,
            ephemeral_ports: args.ephemeral_ports,
            ..CheckOptions::default()
        },
        from: args.from,
        to: args.to,
        protocol: args.protocol,
        ports: args.port,
        from_groups: args.from_sg,
        to_groups: args.to_sg,
        json: matches!(args.format, ReachFormat::Json),
        color: use_color(args.color),
        matrix: args.matrix,
    };
    let run = vpclint::reach::command::run(&opts);
    if !run.stderr.is_empty() {
        eprint!("{}", run.stderr);
    }
    print(&run.stdout, ExitCode::from(run.code as u8))
}

#[derive(clap::Args, Debug)]
struct CheckArgs {
    /// Files or directories. A directory is searched for Terraform root modules;
    /// a file means the module directory that holds it.
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Write the report to FILE instead of stdout; stdout still gets the summary line.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Lowest severity that makes the exit code 1 [default: the config file's, else warning].
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// A Terraform variables file (repeatable; applied after terraform.tfvars and *.auto.tfvars).
    #[arg(long = "var-file", value_name = "FILE")]
    var_files: Vec<PathBuf>,
    /// A Terraform variable, NAME=VALUE (repeatable; wins over every file).
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    vars: Vec<(String, String)>,
    /// The Terraform workspace: the value of terraform.workspace [default: TF_WORKSPACE, else the config file's `workspace:`, else the name in <root>/.terraform/environment, else "default"].
    #[arg(long, value_name = "NAME", value_parser = parse_workspace)]
    workspace: Option<String>,
    /// When to use colors.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Also list the values that could not be evaluated, and notes about the input.
    #[arg(long, short)]
    verbose: bool,
    /// Print findings and errors only (no summary).
    #[arg(long, short)]
    quiet: bool,
    /// Destination ports of replies (the clients' ephemeral range), LO-HI [default: 1024-65535].
    #[arg(long, value_name = "LO-HI", value_parser = parse_range)]
    ephemeral_ports: Option<(u16, u16)>,
    /// The Terraform root module that plan/state JSON inputs were made from, so that their
    /// findings also point at the .tf source (default: the JSON file's directory, if it holds .tf files).
    #[arg(long, value_name = "DIR")]
    tf_root: Option<PathBuf>,
    /// The AWS region of export files that show none themselves (no ARN or availability
    /// zone in their objects, no region name in their path).
    #[arg(long, value_name = "REGION", value_parser = parse_region)]
    region: Option<String>,
    /// Ports that must not be open to the world in NACLs (NACL003), comma-separated [default: 22,3389].
    #[arg(long, value_name = "PORTS", value_delimiter = ',')]
    admin_ports: Option<Vec<u16>>,
    /// The config file [default: .vpclint.yaml in the current directory or a parent, up to the repository root].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Run only these rules, by code or name (repeatable).
    #[arg(long, value_name = "CODE")]
    select: Vec<String>,
    /// Do not run these rules, by code or name (repeatable).
    #[arg(long, value_name = "CODE")]
    ignore: Vec<String>,
    /// Report suppressions that suppress nothing (VPCLINT003).
    #[arg(long)]
    report_unused_ignores: bool,
    /// Hide the findings recorded in this baseline file; report only new ones.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Record the findings in this baseline file and exit 0 (prints only its summary).
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// Exit 0 even when there are findings (input errors still exit 2).
    #[arg(long)]
    exit_zero: bool,
}

fn parse_region(s: &str) -> Result<String, String> {
    if vpclint::ingest::aws::is_region(s) {
        Ok(s.to_string())
    } else {
        Err(format!("`{s}` is not an AWS region name such as us-east-1"))
    }
}

fn parse_range(s: &str) -> Result<(u16, u16), String> {
    let (lo, hi) = s.split_once('-').unwrap_or((s, s));
    let lo: u16 = lo
        .trim()
        .parse()
        .map_err(|_| format!("not a port: `{lo}`"))?;
    let hi: u16 = hi
        .trim()
        .parse()
        .map_err(|_| format!("not a port: `{hi}`"))?;
    if lo > hi {
        return Err(format!("{lo} is above {hi}"));
    }
    Ok((lo, hi))
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Human,
    Json,
    Sarif,
    Github,
    Junit,
    /// GitLab Code Quality (Code Climate JSON).
    Gitlab,
    /// One line per finding: `path:line:col: CODE message`.
    Concise,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Note,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

fn parse_var(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!("expected NAME=VALUE, got `{s}`")),
    }
}

/// The workspace a command evaluates in: `--workspace`, else `TF_WORKSPACE` (as
/// Terraform reads it: an empty value is unset), else `None` (the configuration
/// file's `workspace:`, then `.terraform/environment`, then `default`). An invalid
/// `TF_WORKSPACE` is a usage error, exit 2.
fn workspace_choice(flag: Option<String>) -> Result<Option<String>, ExitCode> {
    if flag.is_some() {
        return Ok(flag);
    }
    match std::env::var_os("TF_WORKSPACE") {
        None => Ok(None),
        Some(v) if v.is_empty() => Ok(None),
        Some(v) => match v.to_str().map(parse_workspace) {
            Some(Ok(name)) => Ok(Some(name)),
            _ => {
                eprintln!(
                    "vpclint: TF_WORKSPACE={v:?} is not a valid Terraform workspace name (letters, digits and -._~$&+:=@)"
                );
                Err(ExitCode::from(2))
            }
        },
    }
}

fn parse_workspace(s: &str) -> Result<String, String> {
    if vpclint::ingest::terraform::eval::valid_workspace(s) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "{s:?} is not a valid Terraform workspace name (letters, digits and -._~$&+:=@)"
        ))
    }
}

fn use_color(c: Color) -> bool {
    match c {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            if std::env::var_os("FORCE_COLOR").is_some_and(|v| !v.is_empty() && v != "0") {
                return true;
            }
            if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
                return false;
            }
            std::io::stdout().is_terminal()
        }
    }
}

/// Writes to stdout. A failed write (a closed pipe, a full disk) is reported on stderr and
/// makes the exit code 2: a CI step must not pass on a report nobody received.
fn write_out(s: &str) -> Result<(), ExitCode> {
    let mut out = std::io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) => {
            eprintln!("vpclint: cannot write to stdout: {e}");
            Err(ExitCode::from(2))
        }
    }
}

/// `write_out`, then `code`.
fn print(s: &str, code: ExitCode) -> ExitCode {
    match write_out(s) {
        Ok(()) => code,
        Err(c) => c,
    }
}

/// Writes what `write` writes to `path` atomically: a temporary file in the same
/// directory, then a rename over the target, so a reader never sees half a report and a
/// failed run leaves the previous file whole.
fn write_atomic(
    path: &std::path::Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    // A device, FIFO or socket (`/dev/null`, `/dev/stdout`, a named pipe) is written as it
    // is: a rename would replace the node itself with a regular file.
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let f = std::fs::OpenOptions::new().write(true).open(path)?;
        let mut w = std::io::BufWriter::new(f);
        return write(&mut w).and_then(|()| w.flush());
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".into());
    let mut n = 0u32;
    let (tmp, f) = loop {
        let tmp = dir.join(format!(".{name}.vpclint-{}-{n}.tmp", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 100 => n += 1,
            Err(e) => return Err(e),
        }
    };
    let mut w = std::io::BufWriter::new(f);
    let written = write(&mut w)
        .and_then(|()| w.into_inner().map_err(|e| e.into_error()))
        .and_then(|f| f.sync_all())
        .and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Writes the report in the format asked for, streamed where the format allows (JSON,
/// SARIF, GitLab, JUnit are written finding by finding, never built whole).
fn write_report(
    mut out: &mut dyn Write,
    format: Format,
    options: HumanOptions,
    report: &vpclint::report::Report,
    enabled: &[&rules::RuleMeta],
    baseline: Option<vpclint::baseline::BaselineStats>,
) -> std::io::Result<()> {
    let text = match format {
        Format::Json => return write_json(&mut out, report, options.verbose, baseline),
        Format::Sarif => return write_sarif(&mut out, report, enabled),
        Format::Junit => return write_junit(&mut out, report, enabled),
        Format::Gitlab => return write_gitlab(&mut out, report),
        Format::Human => render_human(report, options),
        Format::Github => render_github(report),
        Format::Concise => render_concise(report, options.quiet),
    };
    out.write_all(text.as_bytes())?;
    match (baseline, format) {
        (Some(stats), Format::Human | Format::Concise) if !options.quiet => {
            out.write_all(vpclint::baseline::summary_line(stats).as_bytes())
        }
        _ => Ok(()),
    }
}

fn run_check(args: CheckArgs) -> ExitCode {
    let workspace = match workspace_choice(args.workspace) {
        Ok(w) => w,
        Err(code) => return code,
    };
    // Settings the command line does not set keep their defaults.
    #[allow(clippy::needless_update)]
    let opts = CheckOptions {
        paths: args.paths,
        var_files: args.var_files,
        vars: args.vars,
        workspace,
        tf_root: args.tf_root,
        region: args.region,
        settings: rules::Settings::default(),
        config: args.config,
        discover_config: true,
        select: args.select,
        ignore: args.ignore,
        fail_on: args.fail_on.map(|f| match f {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Note => Severity::Note,
        }),
        ephemeral_ports: args.ephemeral_ports,
        admin_ports: args.admin_ports,
        report_unused_ignores: args.report_unused_ignores,
        baseline: args.baseline,
        write_baseline: args.write_baseline.clone(),
    };
    let run = check_run(&opts);
    // The rules listed by SARIF and JUnit: the ones this run checked.
    let enabled: Vec<&rules::RuleMeta> = run.enabled.iter().map(|r| &r.meta).collect();
    if matches!(args.format, Format::Sarif) {
        let n = vpclint::report::sarif::result_count(&run.report);
        let limit = vpclint::report::sarif::GITHUB_RESULT_LIMIT;
        if n > limit {
            eprintln!(
                "vpclint: warning: {n} SARIF results; GitHub code scanning keeps at most {limit} per run"
            );
        }
    }
    let code = match run.exit_code() {
        1 if args.exit_zero => 0,
        c => c,
    };
    let code = ExitCode::from(code as u8);
    if let (Some(path), Some(n)) = (&args.write_baseline, run.wrote_baseline) {
        // Writing a baseline prints only what it recorded (the findings are in the file).
        let line = format!(
            "vpclint: wrote {} to the baseline {}\n",
            vpclint::report::plural(n, "finding"),
            vpclint::report::escape::visible(&path.display().to_string())
        );
        return print(&line, code);
    }
    let options = HumanOptions {
        color: args.output.is_none() && use_color(args.color),
        verbose: args.verbose,
        quiet: args.quiet,
    };
    let write = |out: &mut dyn Write| {
        write_report(
            out,
            args.format,
            options,
            &run.report,
            &enabled,
            run.baseline,
        )
    };
    match &args.output {
        Some(path) => {
            if let Err(e) = write_atomic(path, write) {
                eprintln!(
                    "vpclint: cannot write `{}`: {e}",
                    vpclint::report::escape::visible(&path.display().to_string())
                );
                return ExitCode::from(2);
            }
            if args.quiet {
                code
            } else {
                print(&format!("{}\n", summary_line(&run.report)), code)
            }
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            match write(&mut out).and_then(|()| out.flush()) {
                Ok(()) => code,
                Err(e) => {
                    eprintln!("vpclint: cannot write to stdout: {e}");
                    ExitCode::from(2)
                }
            }
        }
    }
}

fn list_rules() -> ExitCode {
    let mut s = String::new();
    for r in rules::all() {
        s.push_str(&format!(
            "{:<8} {:<34} {:<8} {}\n",
            r.meta.code,
            r.meta.name,
            r.meta.severity.to_string(),
            r.meta.summary
        ));
    }
    s.push_str("\nvpclint's own diagnostics (suppressions):\n");
    for (code, name, severity, summary, _) in vpclint::suppress::DIAGNOSTICS {
        let severity = severity.to_string();
        s.push_str(&format!("{code:<8} {name:<34} {severity:<8} {summary}\n"));
    }
    print(&s, ExitCode::SUCCESS)
}

fn explain(code: &str) -> ExitCode {
    let diagnostic = vpclint::suppress::DIAGNOSTICS
        .iter()
        .find(|d| d.0.eq_ignore_ascii_case(code) || d.1.eq_ignore_ascii_case(code));
    if let Some((code, name, severity, summary, text)) = diagnostic {
        return print(
            &format!(
                "{code} {name} ({severity}, suppressions)\n\n{summary}\n\n{}",
                indent(text)
            ),
            ExitCode::SUCCESS,
        );
    }
    let Some(r) = rules::find(code) else {
        eprintln!(
            "vpclint: no rule `{code}`{}; `vpclint rules` lists them",
            vpclint::config::did_you_mean(code)
        );
        return ExitCode::from(2);
    };
    let m = &r.meta;
    let mut s = format!(
        "{} {} ({}, {})\n\n{}\n\nWhat it finds\n\n{}\nWhy it matters\n\n{}\nExample\n\n{}\nUse instead\n\n{}",
        m.code,
        m.name,
        m.severity,
        m.category,
        m.summary,
        indent(&m.what),
        indent(&m.why),
        indent(&m.example),
        indent(&m.use_instead)
    );
    if !m.references.is_empty() {
        s.push_str("\nReferences\n\n");
        for l in &m.references {
            s.push_str(&format!("  {l}\n"));
        }
    }
    print(&s, ExitCode::SUCCESS)
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                "\n".to_string()
            } else {
                format!("  {l}\n")
            }
        })
        .collect()
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match cli.command {
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "vpclint", &mut buf);
            print(&String::from_utf8_lossy(&buf), ExitCode::SUCCESS)
        }
        Command::Man => {
            let mut buf = Vec::new();
            if let Err(e) = clap_mangen::Man::new(Cli::command()).render(&mut buf) {
                eprintln!("vpclint: cannot render the man page: {e}");
                return ExitCode::from(2);
            }
            print(&String::from_utf8_lossy(&buf), ExitCode::SUCCESS)
        }
        Command::Check(args) => run_check(args),
        Command::Rules => list_rules(),
        Command::Reach(args) => run_reach(args),
        Command::Flows(args) => run_flows(args),
        Command::Explain { code } => explain(&code),
        Command::Init => match vpclint::config::init(std::path::Path::new(".")) {
            Ok(path) => print(
                &format!("vpclint: wrote {}\n", path.display()),
                ExitCode::SUCCESS,
            ),
            Err(e) => {
                eprintln!("vpclint: {e}");
                ExitCode::from(2)
            }
        },
    }
}
