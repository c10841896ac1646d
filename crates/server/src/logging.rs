//! The log: env_logger, filtered by `RUST_LOG` (default `info`), as text or, with
//! `XUEZHANG_LOG_FORMAT=json`, as one JSON object per line for log shippers.
//!
//! Nothing personal is logged: the access log names route templates and request ids, never raw
//! paths, query strings or bodies; SQL statements are not logged; secrets never are.
//!
//! **Buffered when nobody watches.** When standard error is not a terminal (a file, a pipe, a
//! container's log driver), lines are gathered in memory and written in one `write` every
//! [`FLUSH_EVERY`] or once [`FLUSH_AT`] bytes are waiting, at exit, and before a panic message:
//! one system call per line was what `RUST_LOG=info` cost the list against `warn` (issue 18).
//! The lines and their order are unchanged; they reach the file up to 100 ms later, and a process
//! killed with SIGKILL loses at most that much. On a terminal every line is written at once (and
//! coloured), as before.

use std::io::{self, IsTerminal, Write};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use env_logger::fmt::Formatter;
use log::Record;
use log::kv::{Key, Value, VisitSource};

/// The log formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `[2026-09-01T08:00:00Z INFO  xuezhang::access] request method=GET route=/api/v1/students …`
    Text,
    /// `{"ts":"2026-09-01T08:00:00.123456Z","level":"INFO","target":"xuezhang::access","msg":"request","method":"GET",…}`
    Json,
}

impl Format {
    /// Reads `XUEZHANG_LOG_FORMAT` (`text`, the default, or `json`).
    pub fn from_env(value: Option<&str>) -> Result<Self, String> {
        match value {
            None | Some("text") => Ok(Format::Text),
            Some("json") => Ok(Format::Json),
            Some(other) => Err(format!("XUEZHANG_LOG_FORMAT must be `text` or `json`, not `{other}`")),
        }
    }
}

/// The longest a written line waits in the buffer.
pub const FLUSH_EVERY: Duration = Duration::from_millis(100);
/// The buffer is written out as soon as it holds this many bytes.
pub const FLUSH_AT: usize = 32 * 1024;

/// The lines not yet written, when standard error is buffered.
static PENDING: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();

/// Installs the logger.
pub fn init(format: Format) {
    let mut builder = env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info"));
    if format == Format::Json {
        builder.format(json_line);
    }
    // Plain lines either way: env_logger colours only a terminal, or anything when CLICOLOR_FORCE
    // is set, and writes a pipe target as it would a non-terminal standard error.
    let forced_colour = std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| v != "0");
    if !io::stderr().is_terminal() && !forced_colour {
        let pending = Arc::new(Mutex::new(Vec::with_capacity(FLUSH_AT)));
        if PENDING.set(Arc::clone(&pending)).is_ok() {
            builder.target(env_logger::Target::Pipe(Box::new(Buffered(pending))));
            start_flushing();
        }
    }
    builder.init();
}

/// Writes the lines still in the buffer (call before exiting and before writing to standard
/// error directly).
pub fn flush() {
    if let Some(pending) = PENDING.get() {
        write_out(&mut pending.lock().unwrap_or_else(PoisonError::into_inner));
    }
}

/// Writes `pending` to standard error and empties it. A line that cannot be written is dropped,
/// as env_logger drops it.
fn write_out(pending: &mut Vec<u8>) {
    if !pending.is_empty() {
        let _ = io::stderr().lock().write_all(pending);
        pending.clear();
    }
}

/// A thread writes the buffer every [`FLUSH_EVERY`]; a panic writes it before its message.
fn start_flushing() {
    let _ = std::thread::Builder::new().name("log-flush".into()).spawn(|| {
        loop {
            std::thread::sleep(FLUSH_EVERY);
            flush();
        }
    });
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // Never wait for the lock here: the panic may have happened while it was held.
        if let Some(Ok(mut pending)) = PENDING.get().map(|p| p.try_lock()) {
            write_out(&mut pending);
        }
        report(info);
    }));
}

/// The log's writer when standard error is buffered: env_logger hands it each formatted line
/// whole, then "flushes", which only writes once [`FLUSH_AT`] bytes wait (the flushing thread
/// writes the rest).
struct Buffered(Arc<Mutex<Vec<u8>>>);

impl Write for Buffered {
    fn write(&mut self, line: &[u8]) -> io::Result<usize> {
        let mut pending = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        pending.extend_from_slice(line);
        if pending.len() >= FLUSH_AT {
            write_out(&mut pending);
        }
        Ok(line.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes `s` as a JSON string.
fn json_string(out: &mut impl Write, s: &str) -> io::Result<()> {
    serde_json::to_writer(&mut *out, s).map_err(io::Error::other)
}

struct JsonFields<'a>(&'a mut Formatter);

impl<'kvs> VisitSource<'kvs> for JsonFields<'_> {
    fn visit_pair(&mut self, key: Key<'kvs>, value: Value<'kvs>) -> Result<(), log::kv::Error> {
        self.0.write_all(b",")?;
        json_string(self.0, key.as_str())?;
        self.0.write_all(b":")?;
        if let Some(n) = value.to_u64() {
            write!(self.0, "{n}")?;
        } else if let Some(n) = value.to_i64() {
            write!(self.0, "{n}")?;
        } else if let Some(x) = value.to_f64().filter(|x| x.is_finite()) {
            write!(self.0, "{x}")?;
        } else if let Some(b) = value.to_bool() {
            write!(self.0, "{b}")?;
        } else if let Some(s) = value.to_borrowed_str() {
            // The access log's method, route and request id: escaped as they are, not copied.
            json_string(self.0, s)?;
        } else {
            json_string(self.0, &value.to_string())?;
        }
        Ok(())
    }
}

fn json_line(buf: &mut Formatter, record: &Record<'_>) -> io::Result<()> {
    let ts = buf.timestamp_micros();
    write!(buf, "{{\"ts\":\"{ts}\",\"level\":\"{}\",\"target\":", record.level())?;
    json_string(buf, record.target())?;
    buf.write_all(b",\"msg\":")?;
    match record.args().as_str() {
        Some(s) => json_string(buf, s)?,
        None => json_string(buf, &record.args().to_string())?,
    }
    record.key_values().visit(&mut JsonFields(buf)).map_err(io::Error::other)?;
    buf.write_all(b"}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_is_text_json_or_refused() {
        assert_eq!(Format::from_env(None), Ok(Format::Text));
        assert_eq!(Format::from_env(Some("text")), Ok(Format::Text));
        assert_eq!(Format::from_env(Some("json")), Ok(Format::Json));
        assert!(Format::from_env(Some("JSON ")).is_err());
    }

    #[test]
    fn buffered_lines_wait_whole_and_in_order_until_written() {
        let pending = Arc::new(Mutex::new(Vec::new()));
        let mut w = Buffered(Arc::clone(&pending));
        w.write_all(b"first line\n").unwrap();
        w.flush().unwrap();
        w.write_all(b"second line\n").unwrap();
        w.flush().unwrap();
        assert_eq!(pending.lock().unwrap().as_slice(), b"first line\nsecond line\n");
        write_out(&mut pending.lock().unwrap());
        assert!(pending.lock().unwrap().is_empty());
    }
}
