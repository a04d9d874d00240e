//! Reading flow-log records as AWS delivers them, streaming.
//!
//! - Files delivered to S3: a header line naming the fields, then one record a line,
//!   plain or gzip (several gzip members are read as one stream).
//! - A directory: every regular file below it, in path order (the
//!   `AWSLogs/ACCOUNT/vpcflowlogs/REGION/YYYY/MM/DD/` layout, or any other).
//! - `aws logs filter-log-events` / `get-log-events` JSON: the `message` of every
//!   element of `events` (several JSON documents in one file are read in turn).
//! - `-`: standard input, in any of these forms.
//!
//! Nothing is kept but the line being read: memory does not grow with the records.

use super::record::LogFormat;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::cell::Cell;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// Where a line came from.
#[derive(Clone, Copy, Debug)]
pub struct LinePlace<'a> {
    /// The file as given (or `-` for standard input).
    pub file: &'a str,
    /// 1-based line number (in JSON input, the line where the event's message ends).
    pub line: u64,
}

/// What reading reports, one call at a time.
pub trait LogSink {
    /// A record line (not a header), with the format it is to be read with.
    fn record(&mut self, place: LinePlace<'_>, text: &str, format: &LogFormat);
    /// A line or file that could not be read; reading goes on.
    fn problem(&mut self, place: LinePlace<'_>, message: String);
    /// Before the first record: the bytes to read (as stored, gzip compressed or not),
    /// `None` when standard input is read.
    fn begin(&mut self, _total_bytes: Option<u64>) {}
    /// Now and then: the bytes read so far (as stored), over every input.
    fn progress(&mut self, _bytes_read: u64) {}
}

/// Lines read between two [`LogSink::progress`] calls.
const PROGRESS_EVERY: u64 = 16 * 1024;

/// Read buffer of a file (records are about 100 bytes: a big buffer reads few times).
const READ_BUFFER: usize = 256 * 1024;

/// Counts the bytes read from a stored input, for the progress of the whole run.
struct Counting<'c, R> {
    inner: R,
    read: &'c Cell<u64>,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

/// Reads every input in turn. `fallback` gives the format of a file without a header
/// line (from `--log-format`, the snapshot's flow log, or the default), by file name.
pub fn read_inputs(
    inputs: &[PathBuf],
    fallback: &dyn Fn(&str) -> LogFormat,
    sink: &mut dyn LogSink,
) {
    // Every file first (directories walked), so that the total size is known; what
    // cannot be read is reported in its turn.
    let mut files: Vec<Input> = Vec::new();
    for input in inputs {
        if input.as_os_str() == "-" {
            files.push(Input::Stdin);
            continue;
        }
        let shown = input.display().to_string();
        let problem = |message: String| Input::Problem(shown.clone(), message);
        match std::fs::metadata(input) {
            Ok(m) if m.is_dir() => {
                if let Err(e) = walk(input, &mut files, 0) {
                    files.push(problem(format!("cannot read directory: {e}")));
                }
            }
            Ok(m) if m.is_file() => files.push(Input::File(input.clone())),
            Ok(_) => files.push(problem(
                "not a regular file (a FIFO, device or socket is not read)".to_string(),
            )),
            Err(e) => files.push(problem(format!("cannot read: {e}"))),
        }
    }
    let total = files
        .iter()
        .map(|f| match f {
            Input::Stdin => None,
            Input::File(p) => Some(std::fs::metadata(p).map_or(0, |m| m.len())),
            Input::Problem(..) => Some(0),
        })
        .sum::<Option<u64>>();
    sink.begin(total);
    let read = Cell::new(0u64);
    for file in files {
        let file = match file {
            Input::File(f) => f,
            Input::Problem(shown, message) => {
                let place = LinePlace {
                    file: &shown,
                    line: 0,
                };
                sink.problem(place, message);
                continue;
            }
            Input::Stdin => {
                let stdin = io::stdin();
                let counted = Counting {
                    inner: stdin.lock(),
                    read: &read,
                };
                read_stream(
                    Box::new(BufReader::with_capacity(READ_BUFFER, counted)),
                    "-",
                    fallback,
                    sink,
                    &read,
                );
                continue;
            }
        };
        let name = file.display().to_string();
        match File::open(&file) {
            Ok(f) => {
                let counted = Counting {
                    inner: f,
                    read: &read,
                };
                read_stream(
                    Box::new(BufReader::with_capacity(READ_BUFFER, counted)),
                    &name,
                    fallback,
                    sink,
                    &read,
                );
            }
            Err(e) => sink.problem(
                LinePlace {
                    file: &name,
                    line: 0,
                },
                format!("cannot read: {e}"),
            ),
        }
        sink.progress(read.get());
    }
}

/// Deepest directory level read (AWSLogs/ACCOUNT/vpcflowlogs/REGION/YYYY/MM/DD is 7).
const MAX_DEPTH: usize = 32;

/// Every regular file below `dir`, sorted; links are not followed (no loops, no escape).
/// One input to read, in order.
enum Input {
    Stdin,
    File(PathBuf),
    /// A path that cannot be read (shown) and why.
    Problem(String, String),
}

fn walk(dir: &Path, out: &mut Vec<Input>, depth: usize) -> io::Result<()> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    let mut entries: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            walk(&path, out, depth + 1)?;
        } else if meta.is_file() {
            out.push(Input::File(path));
        }
    }
    Ok(())
}

fn read_stream(
    reader: Box<dyn BufRead + '_>,
    name: &str,
    fallback: &dyn Fn(&str) -> LogFormat,
    sink: &mut dyn LogSink,
    read: &Cell<u64>,
) {
    let mut reader = reader;
    let head = match reader.fill_buf() {
        Ok(b) => b,
        Err(e) => {
            sink.problem(
                LinePlace {
                    file: name,
                    line: 0,
                },
                format!("cannot read: {e}"),
            );
            return;
        }
    };
    if head.starts_with(&[0x1f, 0x8b]) {
        let decoded =
            BufReader::with_capacity(READ_BUFFER, flate2::bufread::MultiGzDecoder::new(reader));
        return read_plain_or_json(Box::new(decoded), name, fallback, sink, read);
    }
    read_plain_or_json(reader, name, fallback, sink, read)
}

fn read_plain_or_json(
    mut reader: Box<dyn BufRead + '_>,
    name: &str,
    fallback: &dyn Fn(&str) -> LogFormat,
    sink: &mut dyn LogSink,
    read: &Cell<u64>,
) {
    let first = match reader.fill_buf() {
        Ok(b) => b.iter().find(|b| !b.is_ascii_whitespace()).copied(),
        Err(e) => {
            sink.problem(
                LinePlace {
                    file: name,
                    line: 0,
                },
                format!("cannot read (not gzip, or damaged): {e}"),
            );
            return;
        }
    };
    let format = fallback(name);
    if first == Some(b'{') {
        read_json(reader, name, &format, sink);
    } else {
        read_lines(reader, name, format, sink, read);
    }
}

fn read_lines(
    mut reader: Box<dyn BufRead + '_>,
    name: &str,
    mut format: LogFormat,
    sink: &mut dyn LogSink,
    read: &Cell<u64>,
) {
    let mut buf = Vec::with_capacity(256);
    let mut line = 0u64;
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) => {
                sink.problem(
                    LinePlace {
                        file: name,
                        line: line + 1,
                    },
                    format!("cannot read: {e}"),
                );
                return;
            }
        }
        line += 1;
        if line.is_multiple_of(PROGRESS_EVERY) {
            sink.progress(read.get());
        }
        let place = LinePlace { file: name, line };
        let Ok(text) = std::str::from_utf8(&buf) else {
            sink.problem(place, "the line is not UTF-8 text".to_string());
            continue;
        };
        let text = text.trim_end_matches(['\n', '\r']);
        if text.trim().is_empty() {
            continue;
        }
        // S3 files start with a header; a header may also follow when files were
        // concatenated.
        if let Some(header) = LogFormat::from_header(text) {
            format = header;
            continue;
        }
        sink.record(place, text, &format);
    }
}

/// Counts the lines of what serde_json has consumed (it reads one byte at a time).
struct LineCounter<R> {
    inner: R,
    lines: u64,
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        Ok(n)
    }
}

fn read_json(
    reader: Box<dyn BufRead + '_>,
    name: &str,
    format: &LogFormat,
    sink: &mut dyn LogSink,
) {
    let counter = std::cell::RefCell::new(LineCounter {
        inner: reader,
        lines: 0,
    });
    let shared = SharedCounter(&counter);
    let mut de = serde_json::Deserializer::from_reader(shared);
    loop {
        let seed = EventsSeed {
            name,
            format,
            sink: &mut *sink,
            counter: &counter,
        };
        match seed.deserialize(&mut de) {
            Ok(()) => {}
            Err(e) if e.is_eof() && e.line() <= 1 && e.column() == 0 => return,
            Err(e) => {
                let line = counter.borrow().lines + 1;
                sink.problem(
                    LinePlace { file: name, line },
                    format!("not `aws logs filter-log-events` output: {e}"),
                );
                return;
            }
        }
        // Another JSON document may follow (several pages saved into one file).
        if de.end().is_ok() {
            return;
        }
    }
}

struct SharedCounter<'c, R>(&'c std::cell::RefCell<LineCounter<R>>);

impl<R: Read> Read for SharedCounter<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.borrow_mut().read(buf)
    }
}

/// The top-level object of `filter-log-events` / `get-log-events`: only `events` is read.
struct EventsSeed<'s, 'c, R> {
    name: &'s str,
    format: &'s LogFormat,
    sink: &'s mut dyn LogSink,
    counter: &'c std::cell::RefCell<LineCounter<R>>,
}

impl<'de, R: Read> DeserializeSeed<'de> for EventsSeed<'_, '_, R> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, R: Read> Visitor<'de> for EventsSeed<'_, '_, R> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object with `events`")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "events" {
                seen = true;
                map.next_value_seed(EventList {
                    name: self.name,
                    format: self.format,
                    sink: &mut *self.sink,
                    counter: self.counter,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        if !seen {
            return Err(serde::de::Error::custom("no `events` list"));
        }
        Ok(())
    }
}

struct EventList<'s, 'c, R> {
    name: &'s str,
    format: &'s LogFormat,
    sink: &'s mut dyn LogSink,
    counter: &'c std::cell::RefCell<LineCounter<R>>,
}

impl<'de, R: Read> DeserializeSeed<'de> for EventList<'_, '_, R> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, R: Read> Visitor<'de> for EventList<'_, '_, R> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of log events")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(event) = seq.next_element_seed(EventSeed {
            counter: self.counter,
        })? {
            let place = LinePlace {
                file: self.name,
                line: event.1,
            };
            match event.0 {
                Some(m) if !m.trim().is_empty() => {
                    self.sink
                        .record(place, m.trim_end_matches(['\n', '\r']), self.format)
                }
                _ => self
                    .sink
                    .problem(place, "a log event without a `message`".to_string()),
            }
        }
        Ok(())
    }
}

/// One log event: its `message` and the line where the message ends (else where
/// the event ends).
struct EventSeed<'c, R> {
    counter: &'c std::cell::RefCell<LineCounter<R>>,
}

impl<'de, R: Read> DeserializeSeed<'de> for EventSeed<'_, R> {
    type Value = (Option<String>, u64);
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, R: Read> Visitor<'de> for EventSeed<'_, R> {
    type Value = (Option<String>, u64);
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a log event object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut message = None;
        let mut line = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == "message" {
                message = map.next_value::<Option<String>>()?;
                line = Some(self.counter.borrow().lines + 1);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        let line = line.unwrap_or_else(|| self.counter.borrow().lines + 1);
        Ok((message, line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[derive(Default)]
    struct Collect {
        records: Vec<(String, u64, String, String)>,
        problems: Vec<(String, u64, String)>,
    }

    impl LogSink for Collect {
        fn record(&mut self, p: LinePlace<'_>, text: &str, format: &LogFormat) {
            self.records.push((
                p.file.to_string(),
                p.line,
                text.to_string(),
                format.text().to_string(),
            ));
        }
        fn problem(&mut self, p: LinePlace<'_>, message: String) {
            self.problems.push((p.file.to_string(), p.line, message));
        }
    }

    fn v2(_: &str) -> LogFormat {
        LogFormat::default_v2()
    }

    const HEADER: &str = "version srcaddr dstaddr srcport dstport protocol action";

    #[test]
    fn s3_files_plain_and_gzip_with_headers() {
        let dir = tempfile_dir();
        let plain = dir.join("a.log");
        std::fs::write(
            &plain,
            format!(
                "{HEADER}\n2 10.0.0.1 10.0.0.2 1 2 6 ACCEPT\n\n2 10.0.0.3 10.0.0.2 1 2 6 REJECT\n"
            ),
        )
        .unwrap();
        let gz = dir.join("b.log.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(format!("{HEADER}\n2 10.0.0.9 10.0.0.2 1 2 6 ACCEPT\n").as_bytes())
            .unwrap();
        // Two gzip members in one file, as concatenated deliveries are.
        let mut bytes = enc.finish().unwrap();
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"2 10.0.0.8 10.0.0.2 1 2 6 ACCEPT\n")
            .unwrap();
        bytes.extend(enc.finish().unwrap());
        std::fs::write(&gz, bytes).unwrap();
        let mut c = Collect::default();
        read_inputs(std::slice::from_ref(&dir), &v2, &mut c);
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        let lines: Vec<_> = c.records.iter().map(|r| (r.1, r.2.as_str())).collect();
        assert_eq!(
            lines,
            [
                (2, "2 10.0.0.1 10.0.0.2 1 2 6 ACCEPT"),
                (4, "2 10.0.0.3 10.0.0.2 1 2 6 REJECT"),
                (2, "2 10.0.0.9 10.0.0.2 1 2 6 ACCEPT"),
                (3, "2 10.0.0.8 10.0.0.2 1 2 6 ACCEPT"),
            ]
        );
        assert!(c.records.iter().all(|r| r.3
            == "${version} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${action}"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn files_without_a_header_use_the_fallback() {
        let dir = tempfile_dir();
        let f = dir.join("x.txt");
        std::fs::write(&f, "2 1 eni-1 - - - - - - - 1 2 - NODATA\n").unwrap();
        let mut c = Collect::default();
        read_inputs(&[f], &v2, &mut c);
        assert_eq!(c.records.len(), 1);
        assert_eq!(c.records[0].3, LogFormat::default_v2().text());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn cloudwatch_json_events_with_lines_and_pages() {
        let dir = tempfile_dir();
        let f = dir.join("events.json");
        std::fs::write(
            &f,
            "{\n  \"events\": [\n    {\n      \"logStreamName\": \"eni-1-all\",\n      \"timestamp\": 1,\n      \"message\": \"2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1 2 ACCEPT OK\"\n    },\n    {\"message\": \"2 1 eni-1 10.0.0.1 10.0.0.2 1 3 6 1 1 1 2 REJECT OK\"}\n  ],\n  \"searchedLogStreams\": []\n}\n{\"events\": [{\"message\": \"2 1 eni-2 - - - - - - - 1 2 - NODATA\"}], \"nextForwardToken\": \"f/1\"}\n",
        )
        .unwrap();
        let mut c = Collect::default();
        read_inputs(&[f], &v2, &mut c);
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        let lines: Vec<_> = c.records.iter().map(|r| r.1).collect();
        assert_eq!(lines, [6, 8, 12]);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn broken_input_is_reported_and_reading_goes_on() {
        let dir = tempfile_dir();
        std::fs::write(dir.join("1.json"), "{\"events\": [{\"message\": \"x\"}, ").unwrap();
        std::fs::write(dir.join("2.log"), b"2 a\xff\n2 b\n").unwrap();
        std::fs::write(dir.join("3.json"), "{\"other\": 1}").unwrap();
        let mut c = Collect::default();
        read_inputs(&[dir.clone(), dir.join("missing")], &v2, &mut c);
        let recs: Vec<_> = c.records.iter().map(|r| r.2.as_str()).collect();
        assert_eq!(recs, ["x", "2 b"]);
        let probs: Vec<_> = c
            .problems
            .iter()
            .map(|p| (p.0.rsplit('/').next().unwrap().to_string(), p.1))
            .collect();
        assert_eq!(
            probs,
            [
                ("1.json".to_string(), 1),
                ("2.log".to_string(), 1),
                ("3.json".to_string(), 1),
                ("missing".to_string(), 0)
            ]
        );
        assert!(c.problems[2].2.contains("no `events` list"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    fn tempfile_dir() -> PathBuf {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let d = std::env::temp_dir().join(format!(
            "vpclint-flows-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}
