//! Runs one input through the whole `vpclint check` pipeline in-process (files written to a
//! scratch directory, `check_run`, every output format), on a worker thread with a time
//! limit, catching panics, and checks the invariants every output must keep.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Once;
use std::time::{Duration, Instant};
use vpclint::check::{check_run, CheckOptions};
use vpclint::report::human::{render_human, HumanOptions};

/// One generated input: files relative to the scratch directory, and how to run vpclint on it.
#[derive(Clone, Debug, Default)]
pub struct Input {
    /// Relative path and content of each file.
    pub files: Vec<(PathBuf, Vec<u8>)>,
    /// `--region`.
    pub region: Option<String>,
    /// `--config <dir>/.vpclint.yaml` (when the input has one).
    pub config: bool,
    /// `--var NAME=VALUE`.
    pub vars: Vec<(String, String)>,
}

impl Input {
    /// Adds a file.
    pub fn file(&mut self, path: impl Into<PathBuf>, text: impl Into<Vec<u8>>) {
        self.files.push((path.into(), text.into()));
    }
}

/// What every output format of one run rendered.
struct Outputs {
    exit: i32,
    human: String,
    human_color: String,
    json: String,
    github: String,
    concise: String,
    gitlab: String,
    sarif: String,
    junit: String,
    codes: Vec<&'static str>,
    /// Time in `check_run` and in rendering the formats (on the worker).
    check_time: Duration,
    render_time: Duration,
}

type Job = (CheckOptions, Sender<Result<Outputs, String>>);

thread_local! {
    /// The last panic of this thread (message and location), recorded by the hook.
    static LAST_PANIC: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

const WORKER: &str = "fuzz-worker";

/// Panics on worker threads are recorded quietly (they are reported as findings of the
/// run); any other thread's panic goes to the default hook.
fn install_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current()
                .name()
                .is_some_and(|n| n.starts_with(WORKER))
            {
                let message = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "(non-string payload)".to_string());
                let at = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                LAST_PANIC.with(|p| *p.borrow_mut() = Some(format!("panic at {at}: {message}")));
            } else {
                default(info);
            }
        }));
    });
}

fn render_all(opts: &CheckOptions) -> Outputs {
    let started = Instant::now();
    let run = check_run(opts);
    let check_time = started.elapsed();
    let rendering = Instant::now();
    let exit = run.exit_code();
    let report = &run.report;
    let enabled: Vec<&vpclint::rules::RuleMeta> = run.enabled.iter().map(|r| &r.meta).collect();
    let human = |color| {
        render_human(
            report,
            HumanOptions {
                color,
                verbose: true,
                quiet: false,
            },
        )
    };
    let mut out = Outputs {
        exit,
        human: human(false),
        human_color: human(true),
        json: vpclint::report::json::render_json(report, true),
        github: vpclint::report::github::render_github(report),
        concise: vpclint::report::concise::render_concise(report, false),
        gitlab: vpclint::report::gitlab::render_gitlab(report),
        sarif: vpclint::report::sarif::render_sarif(report, &enabled),
        junit: vpclint::report::junit::render_junit(report, &enabled),
        codes: report.findings.iter().map(|f| f.code).collect(),
        check_time,
        render_time: Duration::ZERO,
    };
    out.render_time = rendering.elapsed();
    out
}

/// A thread that runs jobs; its stack is the size of a main thread's on Linux (8 MiB), so
/// a recursion that would overflow `vpclint`'s own stack overflows here too.
fn spawn_worker(n: usize) -> Sender<Job> {
    let (tx, rx): (Sender<Job>, Receiver<Job>) = mpsc::channel();
    std::thread::Builder::new()
        .name(format!("{WORKER}-{n}"))
        .stack_size(8 << 20)
        .spawn(move || {
            for (opts, reply) in rx {
                LAST_PANIC.with(|p| *p.borrow_mut() = None);
                let result =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| render_all(&opts)))
                        .map_err(|_| {
                            LAST_PANIC
                                .with(|p| p.borrow_mut().take())
                                .unwrap_or_else(|| "panic".to_string())
                        });
                if reply.send(result).is_err() {
                    break;
                }
            }
        })
        .expect("spawn a fuzz worker");
    tx
}

/// A failure found: what kind (the dedup key) and a description.
#[derive(Clone, Debug)]
pub struct Failure {
    /// Panic location, `hang`, or the invariant broken.
    pub key: String,
    /// Details.
    pub detail: String,
    /// Where the input was saved.
    pub saved: PathBuf,
}

/// Where the time of a campaign went, summed over its executions.
#[derive(Clone, Copy, Debug, Default)]
pub struct Phases {
    /// Making the inputs (the generators).
    pub generate: Duration,
    /// Writing them into the scratch directory.
    pub write: Duration,
    /// `check_run` (walking, parsing, evaluating, the rules).
    pub check: Duration,
    /// Rendering the eight output formats.
    pub render: Duration,
    /// Checking the invariants of the outputs.
    pub invariants: Duration,
    /// The second runs of the determinism check.
    pub rerun: Duration,
    /// Handing jobs to the worker thread and back (the run's time outside the worker).
    pub channel: Duration,
}

impl Phases {
    /// Adds another campaign's times.
    pub fn add(&mut self, o: &Phases) {
        self.generate += o.generate;
        self.write += o.write;
        self.check += o.check;
        self.render += o.render;
        self.invariants += o.invariants;
        self.rerun += o.rerun;
        self.channel += o.channel;
    }

    /// `phase ms-per-execution` for each phase.
    pub fn per_execution(&self, executions: u64) -> String {
        let n = executions.max(1) as f64;
        let ms = |d: Duration| d.as_secs_f64() * 1000.0 / n;
        format!(
            "generate {:.2}, write {:.2}, check {:.2}, render {:.2}, invariants {:.2}, rerun {:.2}, channel {:.2} ms/execution",
            ms(self.generate),
            ms(self.write),
            ms(self.check),
            ms(self.render),
            ms(self.invariants),
            ms(self.rerun),
            ms(self.channel)
        )
    }
}

/// Runs inputs, counts, and keeps the first example of each distinct failure.
pub struct Harness {
    kind: String,
    job: usize,
    work: PathBuf,
    failures_dir: PathBuf,
    worker: Sender<Job>,
    workers: usize,
    limit: Duration,
    /// Executions so far.
    pub executions: u64,
    /// Runs by exit code.
    pub exits: BTreeMap<i32, u64>,
    /// Findings by code, over all runs.
    pub codes: BTreeMap<&'static str, u64>,
    /// Distinct failures.
    pub failures: BTreeMap<String, Failure>,
    /// Slowest run and its time.
    pub slowest: Duration,
    /// A run hung: no more runs.
    pub stopped: bool,
    /// Where the time went.
    pub phases: Phases,
}

/// Where the scratch directories go: `VPCLINT_FUZZ_SCRATCH` when set, else a directory on
/// `/dev/shm` (memory, no disk writes) when there is one, else `<target tmp>/fuzz`.
fn scratch_base() -> PathBuf {
    if let Some(dir) = std::env::var_os("VPCLINT_FUZZ_SCRATCH") {
        return PathBuf::from(dir);
    }
    let shm = std::path::Path::new("/dev/shm");
    if shm.is_dir() {
        let base = shm.join("vpclint-fuzz");
        if std::fs::create_dir_all(&base).is_ok() {
            return base;
        }
    }
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz")
}

/// Seconds an input may take before it counts as a hang (`VPCLINT_FUZZ_TIMEOUT`, default 20).
fn time_limit() -> Duration {
    let secs = std::env::var("VPCLINT_FUZZ_TIMEOUT")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(20.0);
    Duration::from_secs_f64(secs)
}

impl Harness {
    /// Harness `job` of a campaign. Its scratch directory is
    /// `<scratch>/work/<kind>-<pid>-<job>` (see [`scratch_base`]): after a crash that takes
    /// the process down (a stack overflow), it holds the input that did.
    pub fn new(kind: &str, job: usize) -> Harness {
        install_hook();
        let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz");
        // One directory per process and job: a smoke run and a long run of the same kind
        // can run at the same time.
        let work = scratch_base()
            .join("work")
            .join(format!("{kind}-{}-{job}", std::process::id()));
        Harness {
            kind: kind.to_string(),
            work,
            failures_dir: base.join("failures").join(kind),
            job,
            worker: spawn_worker(0),
            workers: 1,
            limit: time_limit(),
            executions: 0,
            exits: BTreeMap::new(),
            codes: BTreeMap::new(),
            failures: BTreeMap::new(),
            slowest: Duration::ZERO,
            stopped: false,
            phases: Phases::default(),
        }
    }

    fn write(&self, input: &Input) -> std::io::Result<()> {
        if self.work.exists() {
            std::fs::remove_dir_all(&self.work)?;
        }
        std::fs::create_dir_all(&self.work)?;
        for (rel, bytes) in &input.files {
            let path = self.work.join(rel);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(path, bytes)?;
        }
        Ok(())
    }

    fn options(&self, input: &Input) -> CheckOptions {
        CheckOptions {
            paths: vec![self.work.clone()],
            region: input.region.clone(),
            vars: input.vars.clone(),
            config: input.config.then(|| self.work.join(".vpclint.yaml")),
            ..CheckOptions::default()
        }
    }

    /// Runs one input; records a failure when it panics, hangs or breaks an invariant.
    pub fn run(&mut self, input: &Input) {
        if self.stopped {
            return;
        }
        let writing = Instant::now();
        let written = self.write(input);
        self.phases.write += writing.elapsed();
        if written.is_err() {
            // A file name the file system refuses (too long ...): not vpclint's input.
            return;
        }
        let opts = self.options(input);
        let started = Instant::now();
        let (tx, rx) = mpsc::channel();
        if self.worker.send((opts.clone(), tx)).is_err() {
            self.worker = spawn_worker(self.workers);
            self.workers += 1;
            return;
        }
        self.executions += 1;
        let result = match rx.recv_timeout(self.limit) {
            Ok(r) => r,
            Err(RecvTimeoutError::Timeout) => {
                // The worker is stuck and cannot be stopped (it may be filling memory):
                // the campaign ends here, and the process with it.
                self.stopped = true;
                self.fail("hang", format!("no result after {:?}", self.limit), input);
                return;
            }
            Err(RecvTimeoutError::Disconnected) => Err("worker thread died".to_string()),
        };
        let took = started.elapsed();
        self.slowest = self.slowest.max(took);
        if let Ok(out) = &result {
            self.phases.check += out.check_time;
            self.phases.render += out.render_time;
            self.phases.channel += took.saturating_sub(out.check_time + out.render_time);
        }
        match result {
            Err(panic) => {
                let key = panic.split(": ").next().unwrap_or("panic").to_string();
                self.fail(&key, panic, input);
            }
            Ok(out) => {
                *self.exits.entry(out.exit).or_default() += 1;
                for c in &out.codes {
                    *self.codes.entry(c).or_default() += 1;
                }
                // Every 32nd input runs twice: the output must not change.
                if self.executions.is_multiple_of(32) {
                    let rerun = Instant::now();
                    let (tx, rx) = mpsc::channel();
                    let again = self
                        .worker
                        .send((opts, tx))
                        .ok()
                        .and_then(|()| rx.recv_timeout(self.limit).ok());
                    self.phases.rerun += rerun.elapsed();
                    match again {
                        Some(Ok(second))
                            if second.json != out.json || second.human != out.human =>
                        {
                            self.fail(
                                "nondeterministic",
                                "a second run of the same input rendered other output".to_string(),
                                input,
                            );
                        }
                        Some(Ok(_)) => {}
                        _ => {
                            self.worker = spawn_worker(self.workers);
                            self.workers += 1;
                            self.fail(
                                "nondeterministic",
                                "a second run of the same input panicked or hung".to_string(),
                                input,
                            );
                        }
                    }
                }
                let checking = Instant::now();
                let broken = invariants(&out);
                self.phases.invariants += checking.elapsed();
                for broken in broken {
                    let key = broken.split(':').next().unwrap_or("invariant").to_string();
                    self.fail(&key, broken, input);
                }
            }
        }
    }

    fn fail(&mut self, key: &str, detail: String, input: &Input) {
        if self.failures.contains_key(key) {
            return;
        }
        let n = self.failures.len();
        let saved = self
            .failures_dir
            .join(format!("{}-{}-{n}", std::process::id(), self.job));
        let _ = std::fs::remove_dir_all(&saved);
        for (rel, bytes) in &input.files {
            let path = saved.join(rel);
            if let Some(d) = path.parent() {
                let _ = std::fs::create_dir_all(d);
            }
            let _ = std::fs::write(path, bytes);
        }
        let _ = std::fs::write(
            saved.join("FAILURE.txt"),
            format!(
                "{key}\n{detail}\nregion: {:?}, config: {}, vars: {:?}\n",
                input.region, input.config, input.vars
            ),
        );
        eprintln!(
            "fuzz {}: FAILURE {key}: {} (input saved in {})",
            self.kind,
            detail.chars().take(400).collect::<String>(),
            saved.display()
        );
        self.failures.insert(
            key.to_string(),
            Failure {
                key: key.to_string(),
                detail,
                saved,
            },
        );
    }

    /// Ends the run (its scratch directory removed) and returns its figures.
    pub fn finish(self) -> Tally {
        let _ = std::fs::remove_dir_all(&self.work);
        Tally {
            executions: self.executions,
            exits: self.exits,
            codes: self.codes,
            failures: self.failures,
            slowest: self.slowest,
            phases: self.phases,
        }
    }
}

/// The figures of one or more harnesses.
#[derive(Debug, Default)]
pub struct Tally {
    /// Executions.
    pub executions: u64,
    /// Runs by exit code.
    pub exits: BTreeMap<i32, u64>,
    /// Findings by code.
    pub codes: BTreeMap<&'static str, u64>,
    /// Distinct failures (the first of each key).
    pub failures: BTreeMap<String, Failure>,
    /// Slowest run.
    pub slowest: Duration,
    /// Where the time went.
    pub phases: Phases,
}

impl Tally {
    /// Adds another harness's figures.
    pub fn merge(&mut self, o: Tally) {
        self.executions += o.executions;
        for (k, v) in o.exits {
            *self.exits.entry(k).or_default() += v;
        }
        for (k, v) in o.codes {
            *self.codes.entry(k).or_default() += v;
        }
        for (k, f) in o.failures {
            self.failures.entry(k).or_insert(f);
        }
        self.slowest = self.slowest.max(o.slowest);
        self.phases.add(&o.phases);
    }

    /// Prints the figures (one summary line a note can quote, then the breakdown) and
    /// panics when something failed.
    pub fn finish(&self, kind: &str, what: &str, elapsed: Duration) {
        let rate = self.executions as f64 / elapsed.as_secs_f64().max(1e-9);
        let codes: Vec<String> = self.codes.iter().map(|(c, n)| format!("{c}:{n}")).collect();
        let exits: Vec<String> = self.exits.iter().map(|(c, n)| format!("{c}:{n}")).collect();
        eprintln!(
            "fuzz summary {kind}: {} executions in {:.1} s ({:.1}/s), {what}, exits {}, failures {}, slowest {:.3} s",
            self.executions,
            elapsed.as_secs_f64(),
            rate,
            exits.join(" "),
            self.failures.len(),
            self.slowest.as_secs_f64(),
        );
        eprintln!(
            "fuzz {kind}: {}",
            self.phases.per_execution(self.executions)
        );
        eprintln!("fuzz {kind}: findings {}", codes.join(" "));
        let listed: Vec<String> = self
            .failures
            .values()
            .map(|f| format!("{}: {} (input: {})", f.key, f.detail, f.saved.display()))
            .collect();
        assert!(
            self.failures.is_empty(),
            "fuzz {kind}: {} distinct failures:\n{}",
            self.failures.len(),
            listed.join("\n")
        );
    }
}

/// Whether a text output line may start with `::` (only GitHub workflow commands of vpclint).
fn is_own_command(line: &str) -> bool {
    ["::error ", "::warning ", "::notice "]
        .iter()
        .any(|p| line.starts_with(p))
}

/// Characters no text output may carry raw (besides line feeds): they would recolor, hide or
/// reorder text on a terminal or in a CI log.
fn unsafe_char(s: &str) -> Option<(usize, char)> {
    s.char_indices()
        .find(|&(_, c)| c != '\n' && vpclint::report::escape::is_unsafe(c))
}

/// The invariants one run's outputs broke (empty when all hold).
fn invariants(out: &Outputs) -> Vec<String> {
    let mut broken = Vec::new();
    if !matches!(out.exit, 0..=2) {
        broken.push(format!("exit code: {}", out.exit));
    }
    for (name, text) in [
        ("json", &out.json),
        ("gitlab", &out.gitlab),
        ("sarif", &out.sarif),
    ] {
        if let Err(e) = serde_json::from_str::<serde_json::Value>(text) {
            broken.push(format!("{name} output is not JSON: {e}"));
        }
    }
    if !out.junit.starts_with("<?xml") {
        broken.push("junit output: no XML declaration".to_string());
    }
    if let Some((i, c)) = out
        .junit
        .char_indices()
        .find(|&(_, c)| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
    {
        broken.push(format!("junit output: raw {c:?} at byte {i}"));
    }
    for (name, text) in [
        ("human", &out.human),
        ("concise", &out.concise),
        ("github", &out.github),
    ] {
        if let Some((i, c)) = unsafe_char(text) {
            let around: String = text[i.saturating_sub(60)..i].chars().collect();
            broken.push(format!(
                "{name} output: raw {c:?} at byte {i}, after {around:?}"
            ));
        }
    }
    for (name, text) in [
        ("human", &out.human),
        ("human color", &out.human_color),
        ("concise", &out.concise),
    ] {
        if let Some(l) = text
            .lines()
            .find(|l| l.trim_start_matches([' ', '\t']).starts_with("::"))
        {
            broken.push(format!("{name} output: a line starts with `::`: {l:?}"));
        }
    }
    if let Some(l) = out.human_color.lines().find(|l| {
        strip_sgr(l).trim_start().starts_with("::") || unsafe_char(&strip_sgr(l)).is_some()
    }) {
        broken.push(format!(
            "human color output: a line starts with `::` or carries a control character once colors are removed: {l:?}"
        ));
    }
    // The generators name /etc/passwd (`var_files`, `file()`, module sources outside the
    // root): its content must never be read, so never shown.
    for (name, text) in [("human", &out.human), ("json", &out.json)] {
        if text.contains("root:x:0:0") {
            broken.push(format!("{name} output: confinement: shows /etc/passwd"));
        }
    }
    if let Some(l) = out.github.lines().find(|l| !is_own_command(l)) {
        broken.push(format!(
            "github output: a line that is not vpclint's own command: {l:?}"
        ));
    }
    broken
}

/// `s` without SGR color sequences (`ESC [ ... m`), which only the color output writes.
fn strip_sgr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The iteration count of a test: `VPCLINT_FUZZ_ITERATIONS` when set, else `default`.
pub fn iterations(default: u64) -> u64 {
    std::env::var("VPCLINT_FUZZ_ITERATIONS")
        .ok()
        .and_then(|s| s.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// The base seed: `VPCLINT_FUZZ_SEED` when set, else a fixed one (deterministic runs).
pub fn seed() -> u64 {
    std::env::var("VPCLINT_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x005e_ed0f_7c11)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean() -> Outputs {
        Outputs {
            exit: 0,
            human: "main.tf:1:1: fine\n".into(),
            human_color: "\x1b[31mfine\x1b[0m\n".into(),
            json: "{}".into(),
            github: "::warning file=a.tf,line=1::x\n".into(),
            concise: String::new(),
            gitlab: "[]".into(),
            sarif: "{}".into(),
            junit: "<?xml version=\"1.0\"?><a/>".into(),
            codes: Vec::new(),
            check_time: Duration::ZERO,
            render_time: Duration::ZERO,
        }
    }

    #[test]
    fn clean_outputs_keep_every_invariant() {
        assert_eq!(invariants(&clean()), Vec::<String>::new());
    }

    #[test]
    fn each_broken_invariant_is_caught() {
        type Change = fn(&mut Outputs);
        let cases: [(&str, Change); 7] = [
            ("exit code", |o| o.exit = 101),
            ("json output", |o| o.json = "{".into()),
            ("human output", |o| o.human = "x\n::add-mask::y\n".into()),
            ("human output", |o| o.human = "a \x1b[2J b\n".into()),
            ("github output", |o| o.github.push_str("::add-mask::y\n")),
            ("human color output", |o| {
                o.human_color = "\x1b[1m::stop-commands::x\n".into()
            }),
            ("junit output", |o| o.junit.push('\x1b')),
        ];
        for (want, change) in cases {
            let mut o = clean();
            change(&mut o);
            let broken = invariants(&o);
            assert!(
                broken.iter().any(|b| b.starts_with(want)),
                "{want}: {broken:?}"
            );
        }
    }
}
