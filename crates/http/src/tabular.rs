//! Reading uploaded tables into the domain's [`Table`], and writing CSV for exports.
//!
//! CSV comes in UTF-8, UTF-8 with a BOM, UTF-16 with a BOM (Excel's "Unicode text"), or
//! GB18030/GBK (what Excel on a Chinese Windows saves): a BOM decides; otherwise the text is taken
//! as UTF-8 if it is valid UTF-8 and as GB18030 if not, unless the client names the encoding.
//! XLSX is read from its first sheet (or the one named). JSON is an array of row objects.

use std::io::Cursor;

use calamine::{Data, DataType, Reader, Xlsx};
use domain::import::{RowError, Table, TableRow, escape_cell};
use encoding_rs::{Encoding, GB18030, UTF_8};

use crate::error::ApiError;

/// The formats an import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma- (or tab-) separated text.
    Csv,
    /// An Excel workbook.
    Xlsx,
    /// A JSON array of row objects.
    Json,
}

impl Format {
    /// The name reported back to the client.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Json => "json",
        }
    }
}

/// The media type of XLSX.
pub const XLSX_MEDIA_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// What a body's media type says about its format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Declared {
    /// A format we read.
    Format(Format),
    /// Nothing useful (no type, `application/octet-stream`, the form type curl sends by default,
    /// `application/vnd.ms-excel` which Windows gives `.csv` files): look at the bytes.
    Unknown,
    /// A type we do not read.
    Unsupported,
}

/// What the media type `essence` (lower case, without parameters) says.
pub fn declared_format(essence: &str) -> Declared {
    match essence {
        "text/csv" | "application/csv" | "text/comma-separated-values" | "text/plain" | "text/tab-separated-values" => {
            Declared::Format(Format::Csv)
        }
        "application/json" => Declared::Format(Format::Json),
        XLSX_MEDIA_TYPE => Declared::Format(Format::Xlsx),
        "" | "application/octet-stream" | "application/x-www-form-urlencoded" | "application/vnd.ms-excel" => {
            Declared::Unknown
        }
        _ => Declared::Unsupported,
    }
}

/// The format a file name's extension names.
pub fn format_of_file_name(name: &str) -> Option<Format> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    match ext.as_str() {
        "csv" | "txt" | "tsv" => Some(Format::Csv),
        "xlsx" | "xlsm" => Some(Format::Xlsx),
        "json" => Some(Format::Json),
        _ => None,
    }
}

/// Guesses the format from the first bytes: a ZIP is XLSX, a `[` is JSON, anything else CSV.
pub fn sniff(bytes: &[u8]) -> Format {
    if bytes.starts_with(b"PK\x03\x04") {
        return Format::Xlsx;
    }
    let text = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match text.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') => Format::Json,
        _ => Format::Csv,
    }
}

/// The encoding a client may name (`?encoding=` or `charset=`): UTF-8, or GB18030 for any of its
/// subsets (GBK, GB2312, CP936).
pub fn encoding_named(name: &str) -> Option<&'static Encoding> {
    match name.trim().to_ascii_lowercase().replace('_', "-").as_str() {
        "utf-8" | "utf8" => Some(UTF_8),
        "gbk" | "gb18030" | "gb2312" | "cp936" | "x-gbk" => Some(GB18030),
        _ => None,
    }
}

fn malformed(detail: impl Into<String>) -> ApiError {
    ApiError::BadRequest { code: "malformed_file", detail: detail.into() }
}

/// Decodes CSV text: a BOM decides, then the encoding the client named, then UTF-8 if the bytes
/// are valid UTF-8, else GB18030. Returns the text and the encoding used.
pub fn decode(bytes: &[u8], named: Option<&'static Encoding>) -> Result<(String, &'static str), ApiError> {
    if let Some((enc, bom)) = Encoding::for_bom(bytes) {
        let body = &bytes[bom..];
        let text = enc.decode_without_bom_handling_and_without_replacement(body).ok_or_else(|| {
            malformed(format!("the file starts with a {} byte-order mark but is not {0}", enc.name()))
        })?;
        let name = if enc == UTF_8 { "utf-8-bom" } else { enc.name() };
        return Ok((text.into_owned(), name));
    }
    let enc = match named {
        Some(e) => e,
        None if std::str::from_utf8(bytes).is_ok() => UTF_8,
        None => GB18030,
    };
    let text = enc.decode_without_bom_handling_and_without_replacement(bytes).ok_or_else(|| {
        if named.is_some() {
            malformed(format!("the file is not valid {}", enc.name()))
        } else {
            malformed("the file is neither UTF-8 nor GB18030 (GBK); name its encoding with ?encoding=")
        }
    })?;
    Ok((text.into_owned(), if enc == UTF_8 { "utf-8" } else { "gb18030" }))
}

/// Line numbers from byte offsets. The csv crate's own line count is off by one after a CRLF
/// (what Excel on Windows writes) or a blank line, because a record's position can point at the
/// line break before it.
struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        Self { text: text.as_bytes(), offset: 0, line: 1 }
    }

    /// The line a record starting at `byte` (or after the line breaks there) is on. Records come in
    /// order, so counting goes forward only.
    fn line_at(&mut self, byte: u64) -> u64 {
        let mut start = usize::try_from(byte).unwrap_or(usize::MAX).min(self.text.len());
        while start < self.text.len() && matches!(self.text[start], b'\r' | b'\n') {
            start += 1;
        }
        if start > self.offset {
            self.line += self.text[self.offset..start].iter().filter(|b| **b == b'\n').count() as u64;
            self.offset = start;
        }
        self.line
    }
}

/// Reads CSV text: the first non-blank record is the header. A tab-separated file (Excel's
/// "Unicode text") is recognised by its header line.
pub fn read_csv(text: &str) -> Result<Table, ApiError> {
    let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let delimiter = if first_line.contains('\t') && !first_line.contains(',') { b'\t' } else { b',' };
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut table = Table::default();
    let mut header_seen = false;
    let mut lines = LineCounter::new(text);
    for record in reader.records() {
        let record = record.map_err(|e| {
            let at = e.position().map(|p| format!(" at line {}", lines.line_at(p.byte()))).unwrap_or_default();
            malformed(format!("the CSV cannot be read{at}: {e}"))
        })?;
        let line = record.position().map(|p| lines.line_at(p.byte())).unwrap_or(0);
        if !header_seen {
            if record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            table.headers = record.iter().map(str::to_owned).collect();
            table.header_line = Some(line);
            header_seen = true;
            continue;
        }
        let width = table.headers.len();
        if record.iter().skip(width).any(|c| !c.trim().is_empty()) {
            table.errors.push(RowError::new(
                Some(line),
                "",
                "too_many_cells",
                format!(
                    "the row has {} cells but the header only {width}; is a comma missing its quotes?",
                    record.len()
                ),
            ));
        }
        let mut cells: Vec<Option<String>> = record.iter().take(width).map(|c| Some(c.to_owned())).collect();
        cells.resize(width, Some(String::new()));
        table.rows.push(TableRow { line, cells });
    }
    Ok(table)
}

/// The most a workbook may hold once unpacked: far more than any real sheet, far less than a
/// ZIP bomb.
const MAX_UNPACKED_XLSX: u128 = 512 * 1024 * 1024;

fn check_zip(bytes: &[u8]) -> Result<(), ApiError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| malformed(format!("the XLSX file cannot be read: {e}")))?;
    let unpacked = match archive.decompressed_size() {
        Some(n) => n,
        None => {
            let mut total: u128 = 0;
            for i in 0..archive.len() {
                let f = archive.by_index_raw(i).map_err(|e| malformed(format!("the XLSX file cannot be read: {e}")))?;
                total += u128::from(f.size());
            }
            total
        }
    };
    if unpacked > MAX_UNPACKED_XLSX {
        return Err(malformed(format!(
            "the XLSX file unpacks to {unpacked} bytes, more than the {MAX_UNPACKED_XLSX} accepted"
        )));
    }
    Ok(())
}

/// A cell as text: numbers without a needless `.0` (a 学号 typed as a number stays `2023001`),
/// dates as `YYYY-MM-DD`.
fn cell_text(d: &Data) -> Result<String, String> {
    Ok(match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(_) => match d.as_datetime() {
            Some(t) if t.time() == chrono::NaiveTime::MIN => t.date().to_string(),
            Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
            None => return Err("the cell holds a date Excel cannot represent".into()),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => return Err(format!("the cell holds the Excel error {e}")),
    })
}

/// Reads the first sheet of an XLSX workbook (or the sheet named `sheet`). Rows are numbered as
/// Excel numbers them.
pub fn read_xlsx(bytes: &[u8], sheet: Option<&str>) -> Result<Table, ApiError> {
    check_zip(bytes)?;
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| malformed(format!("the XLSX file cannot be read: {e}")))?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(s) => names.iter().find(|n| n.as_str() == s).cloned().ok_or_else(|| {
            ApiError::from(domain::Error::invalid(
                "sheet",
                "invalid_reference",
                format!("the workbook has no sheet {s}; it has {}", names.join(", ")),
            ))
        })?,
        None => names.first().cloned().ok_or_else(|| malformed("the workbook has no sheet"))?,
    };
    let range = book.worksheet_range(&name).map_err(|e| malformed(format!("the sheet {name} cannot be read: {e}")))?;
    let (first_row, _) = range.start().unwrap_or((0, 0));
    let mut table = Table::default();
    let mut header_seen = false;
    for (i, row) in range.rows().enumerate() {
        let line = u64::from(first_row) + i as u64 + 1;
        if !header_seen {
            if row.iter().all(|c| matches!(c, Data::Empty)) {
                continue;
            }
            table.headers = row.iter().map(|c| cell_text(c).unwrap_or_default()).collect();
            table.header_line = Some(line);
            header_seen = true;
            continue;
        }
        let mut cells = Vec::with_capacity(table.headers.len());
        for (c, d) in row.iter().enumerate().take(table.headers.len()) {
            match cell_text(d) {
                Ok(t) => cells.push(Some(t)),
                Err(message) => {
                    let column = table.headers.get(c).cloned().unwrap_or_default();
                    table.errors.push(RowError::new(Some(line), &column, "invalid_cell", message));
                    cells.push(Some(String::new()));
                }
            }
        }
        cells.resize(table.headers.len(), Some(String::new()));
        table.rows.push(TableRow { line, cells });
    }
    Ok(table)
}

/// Reads a JSON array of row objects; the headers are every key, in the order first seen. A key
/// a row leaves out is absent for that row; `null` is an empty cell.
pub fn read_json(bytes: &[u8]) -> Result<Table, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| ApiError::BadRequest {
        code: "malformed_json",
        detail: format!("the body is not valid JSON: {e}"),
    })?;
    let serde_json::Value::Array(items) = value else {
        return Err(domain::Error::ImportFailed {
            rows: 0,
            errors: vec![RowError::new(None, "", "invalid_type", "the body must be a JSON array of row objects")],
        }
        .into());
    };
    let mut table = Table::default();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for item in &items {
        if let serde_json::Value::Object(o) = item {
            for k in o.keys() {
                if !index.contains_key(k) {
                    index.insert(k.clone(), table.headers.len());
                    table.headers.push(k.clone());
                }
            }
        }
    }
    for (i, item) in items.into_iter().enumerate() {
        let line = i as u64;
        let serde_json::Value::Object(o) = item else {
            table.errors.push(RowError::new(Some(line), "", "invalid_type", "each row must be a JSON object"));
            table.rows.push(TableRow { line, cells: vec![None; table.headers.len()] });
            continue;
        };
        let mut cells: Vec<Option<String>> = vec![None; table.headers.len()];
        for (k, v) in o {
            let Some(&c) = index.get(&k) else { continue };
            cells[c] = Some(match v {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => s,
                serde_json::Value::Bool(b) => b.to_string(),
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Array(_) | serde_json::Value::Object(_) => {
                    table.errors.push(RowError::new(
                        Some(line),
                        &k,
                        "invalid_type",
                        format!("{k} must be a string or a number"),
                    ));
                    String::new()
                }
            });
        }
        table.rows.push(TableRow { line, cells });
    }
    Ok(table)
}

/// Writes CSV with a UTF-8 BOM (so Excel opens it as UTF-8), escaping cells that would start a
/// formula.
pub fn write_csv<'a>(headers: impl IntoIterator<Item = &'a str>, rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut out = b"\xef\xbb\xbf".to_vec();
    {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(&mut out);
        // Writing to a Vec cannot fail.
        let _ = w.write_record(headers);
        for row in rows {
            let _ = w.write_record(row.iter().map(|c| escape_cell(c)));
        }
        let _ = w.flush();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_decoded_by_bom_then_by_name_then_by_trying_utf8() {
        let (t, e) = decode("学号\n".as_bytes(), None).unwrap();
        assert_eq!((t.as_str(), e), ("学号\n", "utf-8"));
        let (t, e) = decode(b"\xef\xbb\xbf\xe5\xad\xa6\xe5\x8f\xb7", None).unwrap();
        assert_eq!((t.as_str(), e), ("学号", "utf-8-bom"));
        let (gbk, _, _) = GB18030.encode("学号,姓名");
        let (t, e) = decode(&gbk, None).unwrap();
        assert_eq!((t.as_str(), e), ("学号,姓名", "gb18030"));
        let (t, _) = decode(&gbk, encoding_named("GBK")).unwrap();
        assert_eq!(t, "学号,姓名");
        assert!(decode(&gbk, Some(UTF_8)).is_err());
        assert!(decode(b"\xff\xff\xff", None).is_err());
        assert!(encoding_named("latin1").is_none());
    }

    #[test]
    fn csv_rows_keep_their_line_numbers_and_quoted_newlines() {
        let t = read_csv("\n学号,姓名\n2023001,\"李\n华\"\n,\n2023002,王五,extra\n").unwrap();
        assert_eq!(t.headers, ["学号", "姓名"]);
        assert_eq!(t.header_line, Some(2));
        let lines: Vec<u64> = t.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [3, 5, 6]);
        assert_eq!(t.rows[0].cells[1].as_deref(), Some("李\n华"));
        assert_eq!(t.errors.len(), 1);
        assert_eq!(t.errors[0].code, "too_many_cells");
        let crlf = read_csv("学号,姓名\r\n2023001,李华\r\n\r\n2023002,王五\r\n").unwrap();
        let lines: Vec<u64> = crlf.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 4]);
        let tabs = read_csv("学号\t姓名\n2023001\t李华\n").unwrap();
        assert_eq!(tabs.rows[0].cells[1].as_deref(), Some("李华"));
    }

    #[test]
    fn json_rows_become_a_table_with_absent_cells() {
        let t = read_json(br#"[{"a": "x", "b": 2023}, {"c": null, "a": true}, 5, {"a": [1]}]"#).unwrap();
        assert_eq!(t.headers, ["a", "b", "c"]);
        assert_eq!(t.rows[0].cells, [Some("x".into()), Some("2023".into()), None]);
        assert_eq!(t.rows[1].cells, [Some("true".into()), None, Some(String::new())]);
        let codes: Vec<(Option<u64>, &str)> = t.errors.iter().map(|e| (e.line, e.code.as_str())).collect();
        assert_eq!(codes, [(Some(2), "invalid_type"), (Some(3), "invalid_type")]);
        assert!(read_json(b"{\"a\": 1}").is_err());
        assert!(matches!(read_json(b"[{"), Err(ApiError::BadRequest { code: "malformed_json", .. })));
    }

    #[test]
    fn formats_come_from_the_media_type_the_name_or_the_bytes() {
        assert_eq!(declared_format("text/csv"), Declared::Format(Format::Csv));
        assert_eq!(declared_format(XLSX_MEDIA_TYPE), Declared::Format(Format::Xlsx));
        assert_eq!(declared_format("application/octet-stream"), Declared::Unknown);
        assert_eq!(declared_format("image/png"), Declared::Unsupported);
        assert_eq!(format_of_file_name("学生.XLSX"), Some(Format::Xlsx));
        assert_eq!(format_of_file_name("noext"), None);
        assert_eq!(sniff(b"PK\x03\x04rest"), Format::Xlsx);
        assert_eq!(sniff(b"\xef\xbb\xbf  [{}]"), Format::Json);
        assert_eq!(sniff("学号,姓名".as_bytes()), Format::Csv);
    }

    #[test]
    fn exported_csv_has_a_bom_and_escapes_formulas() {
        let out = write_csv(["学号", "手机"], vec![vec!["2023001".to_owned(), "+86 138".to_owned()]].into_iter());
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, "\u{feff}学号,手机\r\n2023001,'+86 138\r\n");
    }
}
