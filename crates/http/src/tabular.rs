//! Reading uploaded tables into the domain's [`Table`], and writing CSV for exports.
//!
//! CSV comes in UTF-8, UTF-8 with a BOM, UTF-16 with a BOM (Excel's "Unicode text"), or
//! GB18030/GBK (what Excel on a Chinese Windows saves): a BOM decides; otherwise the text is taken
//! as UTF-8 if it is valid UTF-8 and as GB18030 if not, unless the client names the encoding (and
//! a file that reads as both, Chinese only as GBK, must be named). XLSX is read cell by cell from
//! its first sheet (or the one named). JSON is an array of row objects. Every reader refuses a
//! file wider than [`MAX_COLUMNS`] or longer than [`MAX_ROWS`] before it fills memory.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use calamine::{DataRef, DataType, Reader, Xlsx};
use domain::import::{RowError, Table, TableRow, escape_cell};
use encoding_rs::{Encoding, GB18030, UTF_8};

use crate::error::ApiError;

/// The formats an import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = ImportFormat)]
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

/// The most columns a file may have: real sheets have a few dozen. A limit keeps a header of
/// thousands of empty columns from padding every row to that width.
pub const MAX_COLUMNS: usize = 200;

/// The most data rows a file may have (the program's largest college list is a few tens of
/// thousands; 100,000 students in one file is the measured case).
pub const MAX_ROWS: usize = 200_000;

fn too_wide(n: usize) -> ApiError {
    malformed(format!("the file has {n} columns; an import reads at most {MAX_COLUMNS}"))
}

fn too_long() -> ApiError {
    malformed(format!("the file has more than {MAX_ROWS} data rows; split it into several imports"))
}

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

/// The format the first bytes prove, whatever the media type or file name says: a ZIP archive is
/// an XLSX workbook. A legacy `.xls` workbook, or an encrypted `.xlsx` (both OLE2 compound files),
/// is refused with a 415 that says what to send instead.
pub fn proven_format(bytes: &[u8]) -> Result<Option<Format>, ApiError> {
    if bytes.starts_with(b"PK\x03\x04") {
        return Ok(Some(Format::Xlsx));
    }
    if bytes.starts_with(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") {
        return Err(ApiError::UnsupportedMediaType(
            "the file is a legacy Excel .xls workbook or a password-protected one; save it as .xlsx (without a \
             password) or as CSV"
                .into(),
        ));
    }
    Ok(None)
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
        None => match std::str::from_utf8(bytes) {
            Ok(t) if ambiguous_with_gbk(t, bytes) => {
                return Err(malformed(
                    "the file reads both as UTF-8 (without any Chinese) and as GBK (with Chinese): say which it \
                     is with ?encoding=gbk or ?encoding=utf-8",
                ));
            }
            Ok(_) => UTF_8,
            Err(_) => GB18030,
        },
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

/// Whether `text`, valid UTF-8, may just as well be GBK bytes that happen to be valid UTF-8
/// (the GBK encodings of 郑, 谢, 学院 are): it has no Chinese character, yet letters of the
/// scripts such misreadings produce (Latin Extended, IPA, combining marks, Greek, Cyrillic,
/// Armenian, Hebrew, Arabic …, U+0100–U+07FF), while the same bytes as GB18030 are valid and hold
/// Chinese. Accented Latin-1 letters alone (José, Müller) are taken as UTF-8.
fn ambiguous_with_gbk(text: &str, bytes: &[u8]) -> bool {
    let is_cjk = |c: char| matches!(c, '\u{3400}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FFFF}');
    if text.chars().any(is_cjk) || !text.chars().any(|c| ('\u{100}'..='\u{7FF}').contains(&c)) {
        return false;
    }
    GB18030.decode_without_bom_handling_and_without_replacement(bytes).is_some_and(|t| t.chars().any(is_cjk))
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
            let width =
                record.iter().enumerate().filter(|(_, c)| !c.trim().is_empty()).last().map_or(0, |(i, _)| i + 1);
            if width > MAX_COLUMNS {
                return Err(too_wide(width));
            }
            table.headers = record.iter().take(width).map(str::to_owned).collect();
            table.header_line = Some(line);
            header_seen = true;
            continue;
        }
        if table.rows.len() >= MAX_ROWS {
            return Err(too_long());
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

/// The most a workbook may hold once unpacked: far more than any real sheet (100,000 students
/// take about 60 MB), far less than a ZIP bomb.
const MAX_UNPACKED_XLSX: u128 = 256 * 1024 * 1024;

fn unreadable_xlsx(e: impl std::fmt::Display) -> ApiError {
    malformed(format!("the XLSX file cannot be read: {e}"))
}

/// Checks a workbook's archive before the XLSX reader opens it: what it unpacks to, and the size
/// its shared-string table claims (the reader reserves room for that many strings up front, so a
/// small file claiming billions would take the process down).
fn check_zip(bytes: &[u8]) -> Result<(), ApiError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable_xlsx)?;
    let unpacked = match archive.decompressed_size() {
        Some(n) => n,
        None => {
            let mut total: u128 = 0;
            for i in 0..archive.len() {
                total += u128::from(archive.by_index_raw(i).map_err(unreadable_xlsx)?.size());
            }
            total
        }
    };
    if unpacked > MAX_UNPACKED_XLSX {
        return Err(malformed(format!(
            "the XLSX file unpacks to {unpacked} bytes, more than the {MAX_UNPACKED_XLSX} accepted"
        )));
    }
    let names: Vec<String> = archive.file_names().filter_map(Result::ok).map(|n| n.into_owned()).collect();
    for name in names.iter().filter(|n| n.eq_ignore_ascii_case("xl/sharedStrings.xml")) {
        let part = archive.by_name(name).map_err(unreadable_xlsx)?;
        let size = part.size();
        let mut head = Vec::with_capacity(4096);
        part.take(4096).read_to_end(&mut head).map_err(unreadable_xlsx)?;
        let head = String::from_utf8_lossy(&head);
        // The reader reserves `uniqueCount` strings; each takes at least `<si><t/></si>` (13
        // bytes). (`count`, the references to them, may rightly be far larger.)
        let claimed = head
            .split("uniqueCount=")
            .nth(1)
            .and_then(|v| v.trim_start_matches(['"', '\'']).split(['"', '\'']).next())
            .map(|v| v.trim().parse::<u128>().unwrap_or(u128::MAX));
        if claimed.is_some_and(|n| n > u128::from(size) / 13 + 1) {
            return Err(malformed("the XLSX file's shared-string table claims more strings than it holds"));
        }
    }
    Ok(())
}

/// The latest date Excel represents (9999-12-31) as a serial number.
const MAX_EXCEL_SERIAL: f64 = 2_958_465.0;

/// A cell as text: numbers without a needless `.0` (a 学号 typed as a number stays `2023001`),
/// dates as `YYYY-MM-DD`.
fn cell_text(d: &DataRef<'_>) -> Result<String, String> {
    Ok(match d {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number_text(*f),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(t) => {
            let serial = t.as_f64();
            if !(0.0..=MAX_EXCEL_SERIAL).contains(&serial) {
                return Err("the cell holds a date Excel cannot represent".into());
            }
            match d.as_datetime() {
                Some(t) if t.time() == chrono::NaiveTime::MIN => t.date().to_string(),
                Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
                None => return Err("the cell holds a date Excel cannot represent".into()),
            }
        }
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => return Err(format!("the cell holds the Excel error {e}")),
    })
}

/// A number as a sheet shows it: whole numbers without `.0`.
fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 { format!("{f:.0}") } else { f.to_string() }
}

/// A non-empty cell of a sheet row: its column, and its text or why it could not be read.
type SheetCell = (usize, Result<String, String>);

/// Reads the first sheet of an XLSX workbook (or the sheet named `sheet`). Rows are numbered as
/// Excel numbers them. Only the cells the sheet holds are read, so a stray cell far away (say in
/// XFD1048576) costs one cell, not the rectangle up to it.
pub fn read_xlsx(bytes: &[u8], sheet: Option<&str>) -> Result<Table, ApiError> {
    check_zip(bytes)?;
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(unreadable_xlsx)?;
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
    let mut reader =
        book.worksheet_cells_reader(&name).map_err(|e| malformed(format!("the sheet {name} cannot be read: {e}")))?;
    let mut rows: BTreeMap<u32, Vec<SheetCell>> = BTreeMap::new();
    while let Some(cell) = reader.next_cell().map_err(|e| malformed(format!("the sheet {name} cannot be read: {e}")))? {
        let value = cell.get_value();
        if value.is_empty() {
            continue;
        }
        let (row, col) = cell.get_position();
        let col = usize::try_from(col).unwrap_or(usize::MAX);
        if col >= MAX_COLUMNS {
            return Err(too_wide(col.saturating_add(1)));
        }
        let text = cell_text(value);
        if text.as_ref().is_ok_and(|t| t.trim().is_empty()) {
            continue;
        }
        if !rows.contains_key(&row) && rows.len() > MAX_ROWS {
            return Err(too_long());
        }
        rows.entry(row).or_default().push((col, text));
    }
    let mut table = Table::default();
    let mut rows = rows.into_iter();
    let Some((header_row, header_cells)) = rows.next() else { return Ok(table) };
    let width = header_cells.iter().map(|(c, _)| c + 1).max().unwrap_or(0);
    table.headers = vec![String::new(); width];
    for (c, text) in header_cells {
        table.headers[c] = text.unwrap_or_default();
    }
    table.header_line = Some(u64::from(header_row) + 1);
    for (row, cells_of_row) in rows {
        let line = u64::from(row) + 1;
        let mut cells = vec![Some(String::new()); width];
        for (c, text) in cells_of_row {
            match text {
                Ok(t) if c < width => cells[c] = Some(t),
                Ok(_) => table.errors.push(RowError::new(
                    Some(line),
                    "",
                    "too_many_cells",
                    format!("the row has a value in column {} but the header only {width} columns", c + 1),
                )),
                Err(message) => {
                    let column = table.headers.get(c).cloned().unwrap_or_default();
                    table.errors.push(RowError::new(Some(line), &column, "invalid_cell", message));
                }
            }
        }
        table.rows.push(TableRow { line, cells });
    }
    Ok(table)
}

/// Reads a JSON array of row objects; the headers are every key the rows use. A key
/// a row leaves out is absent for that row; `null` is an empty cell.
pub fn read_json(bytes: &[u8]) -> Result<Table, ApiError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
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
    if items.len() > MAX_ROWS {
        return Err(too_long());
    }
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
        if table.headers.len() > MAX_COLUMNS {
            return Err(too_wide(table.headers.len()));
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
                serde_json::Value::Number(n) => match n.as_f64() {
                    Some(f) if !n.is_i64() && !n.is_u64() => number_text(f),
                    _ => n.to_string(),
                },
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

    /// A minimal workbook with one sheet holding `sheet_data` (the inside of `<sheetData>`), an
    /// optional shared-string table, and a style 1 that formats numbers as dates.
    fn workbook(sheet_data: &str, shared_strings: Option<&str>) -> Vec<u8> {
        use std::io::Write;
        let mut out = Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        let opts = zip::write::SimpleFileOptions::default();
        let mut part = |name: &str, body: &str| {
            zip.start_file(name, opts).unwrap();
            zip.write_all(body.as_bytes()).unwrap();
        };
        let ss_override = if shared_strings.is_some() {
            r#"<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>"#
        } else {
            ""
        };
        part(
            "[Content_Types].xml",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>{ss_override}</Types>"#
            ),
        );
        part(
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        );
        part(
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        );
        let ss_rel = if shared_strings.is_some() {
            r#"<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>"#
        } else {
            ""
        };
        part(
            "xl/_rels/workbook.xml.rels",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>{ss_rel}</Relationships>"#
            ),
        );
        part(
            "xl/styles.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>"#,
        );
        part(
            "xl/worksheets/sheet1.xml",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet_data}</sheetData></worksheet>"#
            ),
        );
        if let Some(ss) = shared_strings {
            part("xl/sharedStrings.xml", ss);
        }
        zip.finish().unwrap();
        out.into_inner()
    }

    const HEADER_ROW: &str = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>学号</t></is></c><c r="B1" t="inlineStr"><is><t>入学年份</t></is></c></row>"#;

    #[test]
    fn a_workbook_is_read_cell_by_cell_so_a_far_cell_costs_nothing() {
        let far_row =
            workbook(&format!(r#"{HEADER_ROW}<row r="1048576"><c r="A1048576"><v>2023001</v></c></row>"#), None);
        let t = read_xlsx(&far_row, None).unwrap();
        assert_eq!(t.headers, ["学号", "入学年份"]);
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0].line, 1_048_576);
        assert_eq!(t.rows[0].cells, [Some("2023001".into()), Some(String::new())]);
        let far_column =
            workbook(&format!(r#"{HEADER_ROW}<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#), None);
        assert!(matches!(read_xlsx(&far_column, None), Err(ApiError::BadRequest { code: "malformed_file", .. })));
    }

    #[test]
    fn a_date_cell_out_of_excels_range_is_a_cell_error_not_a_crash() {
        let book = workbook(
            &format!(
                r#"{HEADER_ROW}<row r="2"><c r="A2"><v>2023001</v></c><c r="B2" s="1"><v>-1E300</v></c></row><row r="3"><c r="A3"><v>2023002</v></c><c r="B3" s="1"><v>45000</v></c></row>"#
            ),
            None,
        );
        let t = read_xlsx(&book, None).unwrap();
        assert_eq!(t.errors.len(), 1);
        assert_eq!((t.errors[0].line, t.errors[0].code.as_str()), (Some(2), "invalid_cell"));
        assert_eq!(t.rows[1].cells[1].as_deref(), Some("2023-03-15"));
    }

    #[test]
    fn a_shared_string_table_claiming_more_than_it_holds_is_refused_before_reading() {
        let sst = |count: &str| {
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{count}" uniqueCount="{count}"><si><t>学号</t></si></sst>"#
            )
        };
        let row = r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#;
        let fine = workbook(row, Some(&sst("1")));
        assert_eq!(read_xlsx(&fine, None).unwrap().headers, ["学号"]);
        // `count` (references to the strings) may be far larger than the strings themselves.
        let shared = r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1000000" uniqueCount="1"><si><t>学号</t></si></sst>"#;
        assert_eq!(read_xlsx(&workbook(row, Some(shared)), None).unwrap().headers, ["学号"]);
        for claim in ["100000000000000000", "18446744073709551615", "999999999999999999999999"] {
            let bomb = workbook(row, Some(&sst(claim)));
            assert!(
                matches!(read_xlsx(&bomb, None), Err(ApiError::BadRequest { code: "malformed_file", .. })),
                "{claim}"
            );
        }
    }

    #[test]
    fn wide_or_long_files_are_refused_before_they_fill_memory() {
        let wide = format!("学号{}\n2023001\n", ",x".repeat(MAX_COLUMNS));
        assert!(matches!(read_csv(&wide), Err(ApiError::BadRequest { code: "malformed_file", .. })));
        // Trailing empty header cells (Excel writes them for formatted columns) do not count.
        let trailing = format!("学号,姓名{}\n2023001,李华{}\n", ",".repeat(1000), ",".repeat(1000));
        assert_eq!(read_csv(&trailing).unwrap().headers, ["学号", "姓名"]);
        let long = format!("学号\n{}", "2023001\n".repeat(MAX_ROWS + 1));
        assert!(matches!(read_csv(&long), Err(ApiError::BadRequest { code: "malformed_file", .. })));
        let keys: Vec<String> = (0..=MAX_COLUMNS).map(|i| format!("\"k{i}\": 1")).collect();
        let wide_json = format!("[{{{}}}]", keys.join(","));
        assert!(matches!(read_json(wide_json.as_bytes()), Err(ApiError::BadRequest { code: "malformed_file", .. })));
    }

    #[test]
    fn gbk_that_also_happens_to_be_valid_utf8_must_be_named() {
        let (gbk, _, _) = GB18030.encode("staff_no,name,college\nT010,郑伟,CS\nT011,谢强,CS\n");
        assert!(std::str::from_utf8(&gbk).is_ok(), "the trap: these GBK bytes are valid UTF-8");
        let e = decode(&gbk, None).unwrap_err();
        assert!(e.to_string().contains("?encoding=gbk"), "{e}");
        let (t, _) = decode(&gbk, encoding_named("gbk")).unwrap();
        assert!(t.contains("郑伟") && t.contains("谢强"));
        // Cyrillic in UTF-8 beside Chinese is plainly UTF-8.
        let (_, e) = decode("姓名\nИван\n".as_bytes(), None).unwrap();
        assert_eq!(e, "utf-8");
        // Real UTF-8 with accents and no Chinese stays UTF-8.
        let (t, e) = decode("name\nJosé Müller\n".as_bytes(), None).unwrap();
        assert_eq!((t.as_str(), e), ("name\nJosé Müller\n", "utf-8"));
    }

    #[test]
    fn json_with_a_bom_and_whole_floats_reads_like_a_sheet() {
        let t = read_json("\u{feff}[{\"学号\": 2023031.0, \"入学年份\": 2023, \"x\": 1.5}]".as_bytes()).unwrap();
        let cell = |h: &str| t.rows[0].cells[t.headers.iter().position(|x| x == h).unwrap()].clone();
        assert_eq!(
            (cell("学号"), cell("入学年份"), cell("x")),
            (Some("2023031".into()), Some("2023".into()), Some("1.5".into()))
        );
    }

    #[test]
    fn the_bytes_prove_a_workbook_and_refuse_a_legacy_one() {
        assert_eq!(proven_format(b"PK\x03\x04...").unwrap(), Some(Format::Xlsx));
        assert_eq!(proven_format("学号".as_bytes()).unwrap(), None);
        assert!(matches!(
            proven_format(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest"),
            Err(ApiError::UnsupportedMediaType(_))
        ));
    }
}
