//! The log: env_logger, filtered by `RUST_LOG` (default `info`), as text or, with
//! `XUEZHANG_LOG_FORMAT=json`, as one JSON object per line for log shippers.
//!
//! Nothing personal is logged: the access log names route templates and request ids, never raw
//! paths, query strings or bodies; SQL statements are not logged; secrets never are.

use std::io::{self, Write};

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

/// Installs the logger.
pub fn init(format: Format) {
    let mut builder = env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info"));
    if format == Format::Json {
        builder.format(json_line);
    }
    builder.init();
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
}
