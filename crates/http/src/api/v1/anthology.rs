//! `GET /academic-years/{id}/anthology` (《四川大学研究生党员学长经验谈》, 四.5): the accepted essays
//! of an edition — one academic year, or several with `through` — with a cover and a table of
//! contents grouped by theme, then college; as JSON, Markdown, HTML (the essays' Markdown rendered
//! by pulldown-cmark and sanitised by ammonia, so no script of an author's ever runs) or a PDF
//! (the certificate's machinery, `crate::pdf`, with the CJK font that ships in the binary).

use std::fmt::Write as _;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use domain::certificate::Block;
use domain::essay::{Anthology, AnthologyEssay, EssayTheme};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::openapi::{BadRequest, Forbidden, NotFound, Unauthorized, Unprocessable};
use crate::respond::ok;
use crate::state::AppState;

/// How the anthology is wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AnthologyFormat {
    /// The structure, as JSON (essays' bodies as Markdown).
    Json,
    /// One Markdown document (`text/markdown`): the essays' Markdown as the authors wrote it.
    Markdown,
    /// One HTML page (`text/html`), the essays rendered and sanitised.
    Html,
    /// A printable A4 PDF with the Chinese as real text.
    Pdf,
}

/// The edition and the format.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnthologyQuery {
    /// The last academic year of an edition that spans several: every year starting on or
    /// between the path's year's first day and this one's (default: the path's year alone).
    pub through: Option<Uuid>,
    /// `json` (the default), `markdown`, `html` or `pdf`; without it, `Accept` chooses
    /// (`application/pdf`, `text/html`, `text/markdown`; anything else is JSON).
    pub format: Option<AnthologyFormat>,
}

impl AnthologyQuery {
    fn format(&self, req: &HttpRequest) -> AnthologyFormat {
        if let Some(f) = self.format {
            return f;
        }
        let accept = req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
        if accept.contains("application/json") {
            AnthologyFormat::Json
        } else if accept.contains("application/pdf") {
            AnthologyFormat::Pdf
        } else if accept.contains("text/html") {
            AnthologyFormat::Html
        } else if accept.contains("text/markdown") {
            AnthologyFormat::Markdown
        } else {
            AnthologyFormat::Json
        }
    }
}

/// One essay of the anthology.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnthologyEssayDto {
    /// The essay.
    pub id: Uuid,
    /// Its number in the anthology, from 1.
    pub number: usize,
    /// The title.
    pub title: String,
    /// The author's name.
    pub author: String,
    /// The author's college.
    pub college: String,
    /// The author's unit.
    pub unit: String,
    /// The academic year it was written for.
    pub academic_year: String,
    /// The body, Markdown as the author wrote it.
    pub body: String,
}

/// The essays of one college under a theme.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnthologyCollegeDto {
    /// The college's name.
    pub college: String,
    /// Its essays, in the order they were accepted.
    pub essays: Vec<AnthologyEssayDto>,
}

/// The essays of one theme.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnthologyThemeDto {
    /// The theme.
    pub theme: EssayTheme,
    /// Its heading.
    #[schema(example = "科研引领")]
    pub label: String,
    /// Its colleges, by college code.
    pub colleges: Vec<AnthologyCollegeDto>,
}

/// An edition of the anthology.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"title": "四川大学研究生党员学长经验谈", "edition": "2025-2026 学年",
    "years": ["2025-2026"], "essays": 1, "sections": [{"theme": "research", "label": "科研引领",
    "colleges": [{"college": "计算机学院", "essays": [{"id": "0193a4e1-7c2b-7abc-8def-0123456789b0",
    "number": 1, "title": "做学弟学妹科研路上的引路人", "author": "李明", "college": "计算机学院",
    "unit": "视觉实验室", "academic_year": "2025-2026", "body": "## 第一次组会\n\n去年九月……"}]}]}]}))]
pub struct AnthologyDto {
    /// The title on the cover.
    pub title: String,
    /// The edition, e.g. `2025-2026 学年` or `2024-2025 至 2025-2026 学年`.
    pub edition: String,
    /// The academic years of the edition, oldest first.
    pub years: Vec<String>,
    /// How many essays it holds.
    pub essays: usize,
    /// The table of contents and the essays: by theme (in the order of the theme enum), then
    /// college (by code), then when accepted.
    pub sections: Vec<AnthologyThemeDto>,
}

impl From<&Anthology> for AnthologyDto {
    fn from(a: &Anthology) -> Self {
        let mut number = 0;
        let sections = a
            .sections
            .iter()
            .map(|s| AnthologyThemeDto {
                theme: s.theme,
                label: s.theme.label().to_owned(),
                colleges: s
                    .colleges
                    .iter()
                    .map(|c| AnthologyCollegeDto {
                        college: c.college.clone(),
                        essays: c
                            .essays
                            .iter()
                            .map(|e| {
                                number += 1;
                                AnthologyEssayDto {
                                    id: e.id,
                                    number,
                                    title: e.title.clone(),
                                    author: e.author.clone(),
                                    college: e.college.clone(),
                                    unit: e.unit.clone(),
                                    academic_year: e.academic_year.clone(),
                                    body: e.body.clone(),
                                }
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
        Self { title: a.title.clone(), edition: a.edition(), years: a.years.clone(), essays: number, sections }
    }
}

/// The anthology as one Markdown document.
#[derive(Debug, ToSchema)]
#[schema(value_type = String, example = "# 四川大学研究生党员学长经验谈\n\n2025-2026 学年\n\n## 目录\n…")]
#[allow(dead_code)] // Documents the body.
pub struct AnthologyMarkdown(String);

/// The anthology as one HTML page.
#[derive(Debug, ToSchema)]
#[schema(value_type = String, example = "<!DOCTYPE html><html lang=\"zh-CN\">…</html>")]
#[allow(dead_code)] // Documents the body.
pub struct AnthologyHtml(String);

/// The anthology as a printable A4 PDF.
#[derive(Debug, ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)] // Documents the body.
pub struct AnthologyPdf(Vec<u8>);

/// The Markdown parser's options: CommonMark with strikethrough.
fn options() -> Options {
    Options::ENABLE_STRIKETHROUGH
}

/// `s` with the characters that mean something in Markdown escaped (titles and names are text).
fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\`*_[]<>#|!~&".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `s` escaped for HTML text and attribute values.
fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// How many levels an essay's own headings go down, so they sit below its title.
const DEMOTE: usize = 3;

/// `body` with its ATX headings (`# …`) moved [`DEMOTE`] levels down (at most to level 6), so an
/// author's `#` does not compete with the anthology's own headings.
fn demote_headings(body: &str) -> String {
    let mut inserts: Vec<(usize, usize)> = Vec::new();
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        if let Event::Start(Tag::Heading { level, .. }) = event {
            let src = &body[range.clone()];
            let indent = src.len() - src.trim_start_matches(' ').len();
            if src[indent..].starts_with('#') {
                let from = level as usize;
                inserts.push((range.start + indent, (from + DEMOTE).min(6) - from));
            }
        }
    }
    let mut out = String::with_capacity(body.len() + inserts.len() * DEMOTE);
    let mut at = 0;
    for (pos, n) in inserts {
        out.push_str(&body[at..pos]);
        out.push_str(&"#".repeat(n));
        at = pos;
    }
    out.push_str(&body[at..]);
    out
}

/// The byline under an essay's title.
fn byline(e: &AnthologyEssay) -> String {
    format!("{} · {} · {} · {}", e.author, e.college, e.unit, e.academic_year)
}

/// The anthology as Markdown: the cover, the table of contents, then each essay under its number
/// and title with its byline, its own headings moved below the title.
pub fn markdown(a: &Anthology) -> String {
    let mut out = String::new();
    let _ = write!(out, "# {}\n\n{}\n\n", md_escape(&a.title), md_escape(&a.edition()));
    let _ = write!(out, "共 {} 篇\n\n## 目录\n\n", a.essays().count());
    let mut n = 0;
    for s in &a.sections {
        let _ = write!(out, "### {}\n\n", s.theme.label());
        for c in &s.colleges {
            let _ = write!(out, "**{}**\n\n", md_escape(&c.college));
            for e in &c.essays {
                n += 1;
                let _ = writeln!(out, "{n}. {} —— {}", md_escape(&e.title), md_escape(&e.author));
            }
            out.push('\n');
        }
    }
    n = 0;
    for s in &a.sections {
        let _ = write!(out, "---\n\n## {}\n\n", s.theme.label());
        for e in s.colleges.iter().flat_map(|c| c.essays.iter()) {
            n += 1;
            let _ = write!(out, "### {n}. {}\n\n*{}*\n\n", md_escape(&e.title), md_escape(&byline(e)));
            out.push_str(demote_headings(&e.body).trim_end());
            out.push_str("\n\n");
        }
    }
    out
}

/// An essay's body as safe HTML: Markdown rendered, its headings moved below the title, then
/// cleaned by ammonia's allow-list (no script, no event handler, no `javascript:` link, no style).
pub fn body_html(body: &str) -> String {
    let mut raw = String::new();
    pulldown_cmark::html::push_html(&mut raw, Parser::new_ext(&demote_headings(body), options()));
    ammonia::clean(&raw)
}

/// The anthology as one HTML page: a cover, a table of contents linking to each essay, the essays.
pub fn html(a: &Anthology) -> String {
    let mut out = String::new();
    let title = html_escape(&a.title);
    let edition = html_escape(&a.edition());
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}（{edition}）</title>\n\
         <style>body{{max-width:46em;margin:2em auto;padding:0 1em;font-family:\"Noto Serif CJK SC\",\"Source Han Serif SC\",\
         \"WenQuanYi Micro Hei\",serif;line-height:1.8}}.cover{{text-align:center;margin:4em 0}}.byline{{color:#555}}\
         article{{margin-top:3em}}</style>\n</head>\n<body>\n"
    );
    let _ = write!(
        out,
        "<section class=\"cover\">\n<h1>{title}</h1>\n<p>{edition}</p>\n<p>共 {} 篇</p>\n</section>\n",
        a.essays().count()
    );
    out.push_str("<nav>\n<h2>目录</h2>\n");
    let mut n = 0;
    for s in &a.sections {
        let _ = writeln!(out, "<h3>{}</h3>", s.theme.label());
        for c in &s.colleges {
            let _ = write!(out, "<h4>{}</h4>\n<ol start=\"{}\">\n", html_escape(&c.college), n + 1);
            for e in &c.essays {
                n += 1;
                let _ = writeln!(
                    out,
                    "<li><a href=\"#essay-{}\">{}</a> —— {}</li>",
                    e.id,
                    html_escape(&e.title),
                    html_escape(&e.author)
                );
            }
            out.push_str("</ol>\n");
        }
    }
    out.push_str("</nav>\n");
    n = 0;
    for s in &a.sections {
        let _ = write!(out, "<section>\n<h2>{}</h2>\n", s.theme.label());
        for e in s.colleges.iter().flat_map(|c| c.essays.iter()) {
            n += 1;
            let _ = write!(
                out,
                "<article id=\"essay-{}\">\n<h3>{n}. {}</h3>\n<p class=\"byline\">{}</p>\n{}</article>\n",
                e.id,
                html_escape(&e.title),
                html_escape(&byline(e)),
                body_html(&e.body)
            );
        }
        out.push_str("</section>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// Whether `c` is written without spaces around it (CJK and full-width forms).
fn is_wide(c: char) -> bool {
    matches!(u32::from(c), 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF | 0x20000..=0x3FFFD)
}

/// An essay's body as printed blocks: headings, paragraphs, list items and code lines as text;
/// raw HTML is left out (it is not text a reader sees).
pub fn body_blocks(body: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut buf = String::new();
    // Per open list: the next number of an ordered list, `None` for bullets.
    let mut lists: Vec<Option<u64>> = Vec::new();
    let mut item: Option<String> = None;
    let mut code = false;
    // Inside an inline `<script>` or `<style>`: its content is no text either (as ammonia drops it).
    let mut hidden: Option<&'static str> = None;
    let take = |buf: &mut String| std::mem::take(buf).trim().to_owned();
    for event in Parser::new_ext(body, options()) {
        if let Some(end) = hidden {
            if matches!(&event, Event::InlineHtml(h) if h.trim_start().to_ascii_lowercase().starts_with(end)) {
                hidden = None;
            }
            if !matches!(event, Event::End(_)) {
                continue;
            }
        }
        match event {
            Event::InlineHtml(h) => {
                let tag = h.trim_start().to_ascii_lowercase();
                if tag.starts_with("<script") {
                    hidden = Some("</script");
                } else if tag.starts_with("<style") {
                    hidden = Some("</style");
                }
            }
            Event::Start(Tag::Heading { .. } | Tag::Paragraph) => {}
            Event::End(TagEnd::Heading(_)) => {
                let t = take(&mut buf);
                if !t.is_empty() {
                    out.push(Block::Heading(t));
                }
            }
            Event::End(TagEnd::Paragraph) => {
                let t = take(&mut buf);
                match item.take() {
                    Some(marker) => out.push(Block::Line(format!("{marker}{t}"))),
                    None if !lists.is_empty() => out.push(Block::Line(format!("    {t}"))),
                    None if !t.is_empty() => out.push(Block::Paragraph(t)),
                    None => {}
                }
            }
            Event::Start(Tag::List(first)) => lists.push(first),
            Event::End(TagEnd::List(_)) => {
                lists.pop();
            }
            Event::Start(Tag::Item) => {
                let t = take(&mut buf);
                if let Some(marker) = item.take() {
                    out.push(Block::Line(format!("{marker}{t}")));
                }
                let depth = "  ".repeat(lists.len().saturating_sub(1));
                let marker = match lists.last_mut() {
                    Some(Some(n)) => {
                        *n += 1;
                        format!("{depth}{}. ", *n - 1)
                    }
                    _ => format!("{depth}• "),
                };
                item = Some(marker);
            }
            Event::End(TagEnd::Item) => {
                let t = take(&mut buf);
                if let Some(marker) = item.take() {
                    out.push(Block::Line(format!("{marker}{t}")));
                } else if !t.is_empty() {
                    out.push(Block::Line(format!("    {t}")));
                }
            }
            Event::Start(Tag::CodeBlock(_)) => code = true,
            Event::End(TagEnd::CodeBlock) => {
                code = false;
                for line in std::mem::take(&mut buf).lines() {
                    out.push(Block::Line(format!("    {line}")));
                }
            }
            Event::Text(t) | Event::Code(t) => buf.push_str(&t),
            // A line break inside a paragraph: a space between Latin words, none in Chinese.
            Event::SoftBreak if !code && buf.chars().last().is_some_and(|c| !is_wide(c)) => buf.push(' '),
            Event::SoftBreak if !code => {}
            Event::SoftBreak | Event::HardBreak => buf.push('\n'),
            Event::Rule => out.push(Block::Gap),
            Event::TaskListMarker(done) => buf.push_str(if done { "[x] " } else { "[ ] " }),
            _ => {}
        }
    }
    let t = take(&mut buf);
    if !t.is_empty() {
        out.push(Block::Paragraph(t));
    }
    out
}

/// The anthology as printed blocks: the cover, the table of contents, then each essay on a new
/// page under its number and title, with its byline.
pub fn blocks(a: &Anthology) -> Vec<Block> {
    let mut out = vec![
        Block::Gap,
        Block::Gap,
        Block::Title(a.title.clone()),
        Block::Gap,
        Block::Title(a.edition()),
        Block::Gap,
        Block::Right(format!("共 {} 篇", a.essays().count())),
        Block::PageBreak,
        Block::Title("目录".into()),
    ];
    let mut n = 0;
    for s in &a.sections {
        out.push(Block::Gap);
        out.push(Block::Heading(s.theme.label().to_owned()));
        for c in &s.colleges {
            out.push(Block::Line(c.college.clone()));
            for e in &c.essays {
                n += 1;
                out.push(Block::Line(format!("    {n}. {} —— {}", e.title, e.author)));
            }
        }
    }
    n = 0;
    for s in &a.sections {
        for e in s.colleges.iter().flat_map(|c| c.essays.iter()) {
            n += 1;
            out.push(Block::PageBreak);
            out.push(Block::Line(format!("【{}】", s.theme.label())));
            out.push(Block::Title(format!("{n}. {}", e.title)));
            out.push(Block::Right(byline(e)));
            out.push(Block::Gap);
            out.extend(body_blocks(&e.body));
        }
    }
    out
}

/// The anthology of an edition (《四川大学研究生党员学长经验谈》).
///
/// The accepted essays of the academic year in the path — or, with `through`, of every year
/// starting on or between its first day and `through`'s: one edition spanning several years — with
/// a cover, a table of contents grouped by theme (in the order of the theme enum) then college (by
/// code), and each essay with its author, college and unit, ordered within a college by when it
/// was accepted. A returned, submitted or draft essay is never in it; an accepted essay whose
/// accepted revision is in the same edition gives way to the revision. JSON by default;
/// `format=markdown|html|pdf` or `Accept` (`text/markdown`, `text/html`, `application/pdf`) for a
/// document: the HTML renders the essays' Markdown and sanitises it (scripts, event handlers and
/// `javascript:` links removed), the PDF carries the Chinese as real text. Read by members of the
/// club (serving or alumni), the colleges' admins and counselors and the university; `403` for
/// anyone else, `404` for an unknown year, 422 when `through` starts before the path's year.
#[utoipa::path(
    operation_id = "get_anthology",
    tag = "club",
    params(("id" = Uuid, Path, description = "The edition's (first) academic year"), AnthologyQuery),
    responses(
        (status = 200, description = "The anthology", content(
            (AnthologyDto = "application/json"),
            (AnthologyMarkdown = "text/markdown"),
            (AnthologyHtml = "text/html"),
            (AnthologyPdf = "application/pdf")
        ), headers(("Content-Disposition" = String, description = "For the PDF: `inline; filename=\"anthology-<years>.pdf\"`"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable)
    )
)]
#[get("/academic-years/{id}/anthology")]
pub async fn get(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
    how: web::Query<AnthologyQuery>,
) -> Result<HttpResponse, ApiError> {
    let a = persistence::usecases::essays::anthology(&state.db, &auth.principal, *id, how.through).await?;
    let text = |content_type: &str, body: String| {
        HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, content_type))
            .insert_header((header::CACHE_CONTROL, "private, no-store"))
            .body(body)
    };
    Ok(match how.format(&req) {
        AnthologyFormat::Json => ok(&AnthologyDto::from(&a)),
        AnthologyFormat::Markdown => text("text/markdown; charset=utf-8", markdown(&a)),
        AnthologyFormat::Html => {
            let mut res = text("text/html; charset=utf-8", html(&a));
            // The page needs nothing from elsewhere, and runs nothing: a second line of defence.
            res.headers_mut().insert(
                header::CONTENT_SECURITY_POLICY,
                header::HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; img-src https: data:"),
            );
            res
        }
        AnthologyFormat::Pdf => {
            let title = format!("{}（{}）", a.title, a.edition());
            let years = match (a.years.first(), a.years.last()) {
                (Some(f), Some(l)) if f != l => format!("{f}_{l}"),
                (Some(f), _) => f.clone(),
                _ => String::new(),
            };
            let blocks = blocks(&a);
            let pdf = web::block(move || crate::pdf::render(&title, &blocks))
                .await
                .map_err(|e| ApiError::Persistence(persistence::Error::Internal(e.to_string())))??;
            HttpResponse::Ok()
                .insert_header((header::CONTENT_TYPE, "application/pdf"))
                .insert_header((header::CONTENT_DISPOSITION, format!("inline; filename=\"anthology-{years}.pdf\"")))
                .insert_header((header::CACHE_CONTROL, "private, no-store"))
                .body(pdf)
        }
    })
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use domain::essay::compile;

    use super::*;

    fn essay(n: u128, theme: EssayTheme, title: &str, body: &str) -> AnthologyEssay {
        AnthologyEssay {
            id: Uuid::from_u128(n),
            title: title.into(),
            body: body.into(),
            theme,
            author: "张三".into(),
            college_code: "CS".into(),
            college: "计算机学院".into(),
            unit: "视觉实验室".into(),
            academic_year: "2025-2026".into(),
            accepted_at: Utc::now(),
            revises: None,
        }
    }

    fn sample() -> Anthology {
        compile(
            vec!["2025-2026".into()],
            vec![
                essay(
                    1,
                    EssayTheme::Research,
                    "科研<路>上",
                    "# 开始\n\n第一段**加粗**。\n\n<script>alert('x')</script>\n\n- 甲\n- 乙\n",
                ),
                essay(
                    2,
                    EssayTheme::Ideology,
                    "思想*引领*",
                    "[点我](javascript:alert(1)) <img src=x onerror=alert(1)>",
                ),
            ],
        )
    }

    #[test]
    fn html_escapes_titles_and_removes_scripts_handlers_and_javascript_links() {
        let page = html(&sample());
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(!page.contains("<script"), "{page}");
        assert!(!page.contains("alert('x')"), "the script's content goes with it: {page}");
        assert!(!page.contains("onerror"), "{page}");
        assert!(!page.contains("javascript:"), "{page}");
        assert!(page.contains("科研&lt;路&gt;上"), "a title is text: {page}");
        assert!(page.contains("<strong>加粗</strong>"), "Markdown is rendered: {page}");
        // The essay's own `#` sits below its title (h3): h4.
        assert!(page.contains("<h4>开始</h4>"), "{page}");
        // Ideology comes before research: the table of contents and the essays follow the themes.
        let (i, r) = (page.find("思想*引领*"), page.find("科研&lt;路&gt;上"));
        assert!(i < r, "{page}");
    }

    #[test]
    fn markdown_has_the_cover_the_contents_and_each_essay_with_its_byline() {
        let md = markdown(&sample());
        assert!(md.starts_with("# 四川大学研究生党员学长经验谈\n\n2025-2026 学年"), "{md}");
        assert!(md.contains("## 目录"));
        assert!(md.contains("1. 思想\\*引领\\* —— 张三"), "{md}");
        assert!(md.contains("### 2. 科研\\<路\\>上\n\n*张三 · 计算机学院 · 视觉实验室 · 2025-2026*"), "{md}");
        assert!(md.contains("\n#### 开始\n"), "the essay's heading goes down three levels: {md}");
    }

    #[test]
    fn headings_go_down_three_levels_at_most_to_six() {
        assert_eq!(
            demote_headings("# 一\n\n## 二\n\n#### 四\n\n正文 # 不是标题"),
            "#### 一\n\n##### 二\n\n###### 四\n\n正文 # 不是标题"
        );
        assert_eq!(demote_headings("```\n# 代码\n```"), "```\n# 代码\n```", "code is not a heading");
        assert_eq!(demote_headings("   # 缩进"), "   #### 缩进");
    }

    #[test]
    fn the_printed_body_is_text_without_raw_html() {
        let b = body_blocks(
            "# 标题\n\n第一行<script>alert(1)</script>\n第二行 and\nmore\n\n<div>raw</div>\n\n1. 一\n2. 二\n\n```\ncode 1\n```",
        );
        assert_eq!(
            b,
            [
                Block::Heading("标题".into()),
                Block::Paragraph("第一行第二行 and more".into()),
                Block::Line("1. 一".into()),
                Block::Line("2. 二".into()),
                Block::Line("    code 1".into()),
            ]
        );
        let printed = blocks(&sample());
        assert!(printed.contains(&Block::Title("1. 思想*引领*".into())));
        assert!(printed.contains(&Block::Line("    2. 科研<路>上 —— 张三".into())));
        assert!(!format!("{printed:?}").contains("alert"));
    }

    #[test]
    fn the_json_numbers_the_essays_in_order() {
        let dto = AnthologyDto::from(&sample());
        assert_eq!(dto.essays, 2);
        assert_eq!(dto.sections[0].theme, EssayTheme::Ideology);
        assert_eq!(dto.sections[1].colleges[0].essays[0].number, 2);
    }
}
