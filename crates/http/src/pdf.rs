//! Printable documents as PDF: A4 pages laid out from `domain::certificate::Block`s in the CJK font
//! that ships inside the binary (`assets/fonts/wqy-microhei.ttc`, Apache-2.0, see the README
//! there), so Chinese prints on any machine without a font installed. krilla writes the PDF: it
//! embeds only the glyphs used (a subset of the font) and maps each back to its text, so the text
//! can be searched, copied and read by a screen reader.

use domain::certificate::Block;
use krilla::Document;
use krilla::color::rgb;
use krilla::geom::Point;
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::text::{Font, TextDirection};

use crate::error::ApiError;

/// The font, compiled in.
static FONT: &[u8] = include_bytes!("../../../assets/fonts/wqy-microhei.ttc");

/// A4 in points.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
/// Margins left and right, top and bottom.
const MARGIN_X: f32 = 72.0;
const MARGIN_Y: f32 = 80.0;

const TITLE_SIZE: f32 = 22.0;
const HEADING_SIZE: f32 = 16.0;
const BODY_SIZE: f32 = 13.0;
const FOOT_SIZE: f32 = 9.0;
/// A line's height as a multiple of its font size.
const LEADING: f32 = 1.75;

/// One line of text placed on a page: where its baseline starts, its size and colour (grey).
#[derive(Debug, Clone, PartialEq)]
struct Placed {
    x: f32,
    y: f32,
    size: f32,
    grey: bool,
    text: String,
}

/// Whether `c` takes a full em: CJK ideographs, kana, hangul and full-width forms and punctuation.
fn is_wide(c: char) -> bool {
    matches!(u32::from(c),
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

/// The width of `s` at `size`, estimated: a full em for wide characters, 0.6 em for others (the
/// font's Latin is proportional and narrower, so the estimate errs towards shorter lines).
fn width(s: &str, size: f32) -> f32 {
    s.chars().map(|c| if is_wide(c) { size } else { size * 0.6 }).sum()
}

/// `s` broken into lines no wider than `max` at `size`: between any two wide characters, else at
/// spaces; a word longer than a line is broken where it must.
fn wrap(s: &str, size: f32, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    // The line up to its last break opportunity, and what came after it.
    let mut tail_start = 0usize;
    for c in s.chars() {
        if c == '\n' {
            lines.push(std::mem::take(&mut line));
            tail_start = 0;
            continue;
        }
        line.push(c);
        if width(&line, size) > max {
            let (head, tail) = if tail_start > 0 && tail_start < line.len() {
                let (h, t) = line.split_at(tail_start);
                (h.trim_end().to_owned(), t.trim_start().to_owned())
            } else {
                let last = line.pop().map(String::from).unwrap_or_default();
                (line.clone(), last)
            };
            lines.push(head);
            line = tail;
            tail_start = 0;
        }
        if c == ' ' || is_wide(c) {
            tail_start = line.len();
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Lays `blocks` out on A4 pages.
fn layout(blocks: &[Block]) -> Vec<Vec<Placed>> {
    let text_w = PAGE_W - 2.0 * MARGIN_X;
    let bottom = PAGE_H - MARGIN_Y;
    let mut pages: Vec<Vec<Placed>> = vec![Vec::new()];
    let mut y = MARGIN_Y;
    let put = |pages: &mut Vec<Vec<Placed>>, y: &mut f32, x: f32, size: f32, grey: bool, text: String| {
        let step = size * LEADING;
        if *y + step > bottom {
            pages.push(Vec::new());
            *y = MARGIN_Y;
        }
        *y += step;
        if let Some(page) = pages.last_mut() {
            page.push(Placed { x, y: *y, size, grey, text });
        }
    };
    let mut foot = Vec::new();
    for b in blocks {
        match b {
            Block::Title(t) => {
                for l in wrap(t, TITLE_SIZE, text_w) {
                    let x = (PAGE_W - width(&l, TITLE_SIZE)) / 2.0;
                    put(&mut pages, &mut y, x.max(MARGIN_X), TITLE_SIZE, false, l);
                }
            }
            Block::Paragraph(t) => {
                // The first line indented two characters, as Chinese prose is.
                let indented = format!("\u{3000}\u{3000}{t}");
                for l in wrap(&indented, BODY_SIZE, text_w) {
                    put(&mut pages, &mut y, MARGIN_X, BODY_SIZE, false, l);
                }
            }
            Block::Field(label, value) => {
                let label = format!("{label}：");
                let label_w = BODY_SIZE * 6.0;
                for (i, l) in wrap(value, BODY_SIZE, text_w - label_w).into_iter().enumerate() {
                    if i == 0 {
                        put(&mut pages, &mut y, MARGIN_X, BODY_SIZE, false, label.clone());
                        if let Some(last) = pages.last_mut().and_then(|p| p.last()).cloned()
                            && let Some(page) = pages.last_mut()
                        {
                            page.push(Placed { x: MARGIN_X + label_w, text: l, ..last });
                        }
                    } else {
                        put(&mut pages, &mut y, MARGIN_X + label_w, BODY_SIZE, false, l);
                    }
                }
            }
            Block::Gap => y += BODY_SIZE,
            Block::Right(t) => {
                let x = PAGE_W - MARGIN_X - width(t, BODY_SIZE);
                put(&mut pages, &mut y, x.max(MARGIN_X), BODY_SIZE, false, t.clone());
            }
            Block::Foot(t) => foot.extend(wrap(t, FOOT_SIZE, text_w)),
            Block::Heading(t) => {
                for l in wrap(t, HEADING_SIZE, text_w) {
                    put(&mut pages, &mut y, MARGIN_X, HEADING_SIZE, false, l);
                }
            }
            Block::Line(t) => {
                for l in wrap(t, BODY_SIZE, text_w) {
                    put(&mut pages, &mut y, MARGIN_X, BODY_SIZE, false, l);
                }
            }
            Block::PageBreak => {
                if pages.last().is_some_and(|p| !p.is_empty()) {
                    pages.push(Vec::new());
                    y = MARGIN_Y;
                }
            }
        }
    }
    // The foot lines at the bottom of the last page.
    let n = foot.len() as f32;
    let mut fy = PAGE_H - MARGIN_Y / 2.0 - (n - 1.0) * FOOT_SIZE * LEADING;
    if let Some(page) = pages.last_mut() {
        for l in foot {
            page.push(Placed { x: MARGIN_X, y: fy, size: FOOT_SIZE, grey: true, text: l });
            fy += FOOT_SIZE * LEADING;
        }
    }
    pages
}

fn internal(what: &str) -> ApiError {
    ApiError::Persistence(persistence::Error::Internal(format!("writing the PDF failed: {what}")))
}

/// The PDF of `blocks` titled `title` (its document title, in Chinese).
pub fn render(title: &str, blocks: &[Block]) -> Result<Vec<u8>, ApiError> {
    let font = Font::new(krilla::Data::from(FONT), 0).ok_or_else(|| internal("the font did not load"))?;
    let mut doc = Document::new();
    doc.set_metadata(
        Metadata::new().title(title.to_owned()).language("zh-CN".to_owned()).creator("xuezhang".to_owned()),
    );
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| internal("page size"))?;
    let grey =
        Fill { paint: rgb::Color::new(96, 96, 96).into(), opacity: NormalizedF32::ONE, rule: Default::default() };
    for placed in layout(blocks) {
        let mut page = doc.start_page_with(settings.clone());
        let mut surface = page.surface();
        for p in placed {
            surface.set_fill(if p.grey { Some(grey.clone()) } else { Some(Fill::default()) });
            surface.draw_text(Point::from_xy(p.x, p.y), font.clone(), p.size, &p.text, false, TextDirection::Auto);
        }
        surface.finish();
        page.finish();
    }
    doc.finish().map_err(|e| internal(&format!("{e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_text_wraps_between_characters_and_latin_at_spaces() {
        let max = BODY_SIZE * 10.0;
        let zh = "一二三四五六七八九十甲乙丙";
        assert_eq!(wrap(zh, BODY_SIZE, max), ["一二三四五六七八九十", "甲乙丙"]);
        let en = "alpha beta gamma delta";
        let lines = wrap(en, BODY_SIZE, max);
        assert!(lines.iter().all(|l| width(l, BODY_SIZE) <= max), "{lines:?}");
        assert_eq!(lines.join(" "), en);
        assert_eq!(wrap("甲\n乙", BODY_SIZE, max), ["甲", "乙"]);
    }

    #[test]
    fn a_long_document_flows_onto_more_pages() {
        let blocks: Vec<Block> = (0..80).map(|i| Block::Paragraph(format!("第{i}段"))).collect();
        let pages = layout(&blocks);
        assert!(pages.len() >= 2, "{}", pages.len());
        assert!(pages.iter().flatten().all(|p| p.y <= PAGE_H - MARGIN_Y / 2.0 + 1.0));
    }

    #[test]
    fn a_page_break_starts_a_new_page_and_headings_and_lines_are_left_aligned() {
        let pages = layout(&[
            Block::Heading("目录".into()),
            Block::Line("第一篇".into()),
            Block::PageBreak,
            Block::PageBreak,
            Block::Heading("第一篇".into()),
        ]);
        assert_eq!(pages.len(), 2, "two breaks in a row make one new page");
        assert!(pages.iter().flatten().all(|p| p.x == MARGIN_X));
        assert_eq!(pages[0][0].size, HEADING_SIZE);
        assert_eq!(pages[1][0].text, "第一篇");
    }

    #[test]
    fn the_pdf_is_a_pdf() {
        let pdf = render(
            "证明",
            &[Block::Title("研究生党员学长工作证明".into()), Block::Field("姓名".into(), "张三".into())],
        )
        .unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        // Only the glyphs used are embedded: far smaller than the 5 MB font.
        assert!(pdf.len() < 200_000, "{}", pdf.len());
    }
}
