//! The one rule for all text that crosses the boundary (JSON strings, query parameters, form
//! fields, path segments, import cells, headers we read): no control characters except tab, line
//! feed, and a carriage return that starts a CRLF line break.
//!
//! Control characters are never meant in a name, a note or a search; a NUL byte is refused by
//! PostgreSQL (SQLSTATE 22021) and stored silently by SQLite, so both databases see the same text
//! only if it is refused before either is reached.

use crate::error::FieldError;

/// The machine code of a refused text.
pub const CONTROL_CHARACTER: &str = "control_character";

/// The first forbidden character of a text: its position (in characters, from 0) and the
/// character itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ControlCharacter {
    /// Position in characters, from 0.
    pub position: usize,
    /// The character.
    pub character: char,
}

impl ControlCharacter {
    /// The character as `U+0000`.
    pub fn code_point(&self) -> String {
        format!("U+{:04X}", u32::from(self.character))
    }

    /// A field error naming `field`.
    pub fn field_error(&self, field: impl Into<String>) -> FieldError {
        let field = field.into();
        FieldError::new(field.clone(), CONTROL_CHARACTER, self.message(&field))
    }

    /// What is wrong, naming `field`.
    pub fn message(&self, field: &str) -> String {
        format!(
            "{field} contains the control character {} at position {}; only tab and line breaks are allowed",
            self.code_point(),
            self.position
        )
    }
}

/// Checks a text: `Err` names the first control character other than `\t`, `\n` and the `\r` of a
/// `\r\n`. Unicode's control characters are C0 (U+0000–U+001F), DEL (U+007F) and C1
/// (U+0080–U+009F).
pub fn check_text(text: &str) -> Result<(), ControlCharacter> {
    // Fast path: the common text has no control character at all.
    if !text.chars().any(char::is_control) {
        return Ok(());
    }
    let mut chars = text.chars().enumerate().peekable();
    while let Some((position, character)) = chars.next() {
        let allowed = match character {
            '\t' | '\n' => true,
            '\r' => matches!(chars.peek(), Some((_, '\n'))),
            c => !c.is_control(),
        };
        if !allowed {
            return Err(ControlCharacter { position, character });
        }
    }
    Ok(())
}

/// A text to show back to its sender (a column name read from their file, in an error): every
/// control character [`check_text`] refuses becomes U+FFFD, so an answer quoting it keeps the
/// text rule its schema declares.
pub fn printable(text: &str) -> String {
    if check_text(text).is_ok() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let allowed = match c {
            '\t' | '\n' => true,
            '\r' => matches!(chars.peek(), Some('\n')),
            c => !c.is_control(),
        };
        out.push(if allowed { c } else { '\u{FFFD}' });
    }
    out
}

/// Checks the bytes of a text that may not be UTF-8 (a percent-decoded path or query): invalid
/// sequences are not control characters (they are another extractor's business).
pub fn check_lossy(bytes: &[u8]) -> Result<(), ControlCharacter> {
    check_text(&String::from_utf8_lossy(bytes))
}

/// Checks a field's text, as a field error naming it.
pub fn check_field(field: &str, text: &str) -> Result<(), FieldError> {
    check_text(text).map_err(|c| c.field_error(field))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(s: &str) -> Option<(usize, char)> {
        check_text(s).err().map(|c| (c.position, c.character))
    }

    #[test]
    fn ordinary_text_tabs_and_line_breaks_pass() {
        for ok in ["", "admin", "张三 李四", "a\tb", "line 1\nline 2", "line 1\r\nline 2\r\n", "emoji 🎓", "\u{a0}nbsp"]
        {
            assert_eq!(check_text(ok), Ok(()), "{ok:?}");
        }
    }

    #[test]
    fn nul_and_other_control_characters_are_refused_at_their_position() {
        assert_eq!(refused("ad\u{0}min"), Some((2, '\u{0}')));
        assert_eq!(refused("\u{1b}[31m"), Some((0, '\u{1b}')));
        assert_eq!(refused("学长\u{7f}"), Some((2, '\u{7f}')));
        assert_eq!(refused("x\u{85}"), Some((1, '\u{85}')));
        assert_eq!(refused("a\u{8}b"), Some((1, '\u{8}')));
        assert_eq!(refused("a\u{b}b"), Some((1, '\u{b}')));
        assert_eq!(refused("a\u{c}b"), Some((1, '\u{c}')));
    }

    #[test]
    fn a_carriage_return_passes_only_before_a_line_feed() {
        assert_eq!(refused("a\rb"), Some((1, '\r')));
        assert_eq!(refused("end\r"), Some((3, '\r')));
        assert_eq!(refused("a\r\r\nb"), Some((1, '\r')));
        assert_eq!(check_text("a\r\nb"), Ok(()));
    }

    #[test]
    fn the_error_names_the_field_and_the_code_point() {
        let e = check_field("username", "ad\u{0}min").unwrap_err();
        assert_eq!(e.field, "username");
        assert_eq!(e.code, CONTROL_CHARACTER);
        assert!(e.message.contains("U+0000") && e.message.contains("position 2"), "{}", e.message);
        assert_eq!(check_field("username", "admin"), Ok(()));
    }

    #[test]
    fn bytes_that_are_not_utf8_are_not_control_characters() {
        assert_eq!(check_lossy(b"\xff\xfe"), Ok(()));
        assert!(check_lossy(b"a\x00").is_err());
    }

    #[test]
    fn printable_replaces_what_the_text_rule_refuses() {
        assert_eq!(super::printable("学号\t姓名\r\n"), "学号\t姓名\r\n");
        assert_eq!(super::printable("a\u{0}b\u{8a}c\rd"), "a\u{FFFD}b\u{FFFD}c\u{FFFD}d");
        assert!(super::check_text(&super::printable("\u{1b}[31m")).is_ok());
    }
}
