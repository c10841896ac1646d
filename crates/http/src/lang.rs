//! The language of problem texts. `Accept-Language` picks Chinese (`zh-CN`, the default) or
//! English (`en`) for a problem's `title`, `detail` and field messages; `code` never changes, so
//! programs keep working whatever language a person reads. The response says which in
//! `Content-Language`.
//!
//! Chinese is the default: the people who read these texts — college staff, counselors, mentors
//! and students — read Chinese, and a browser sends `zh-CN` anyway; integrators and
//! English-speaking developers send `Accept-Language: en`.

/// A language problems are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Simplified Chinese, `zh-CN` (the default).
    Zh,
    /// English, `en`.
    En,
}

impl Lang {
    /// The `Content-Language` tag.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The language an `Accept-Language` value (RFC 9110 §12.5.4) prefers: the supported range of
    /// the highest weight (`zh`, `zh-*` → Chinese; `en`, `en-*` → English; `*` → the default), the
    /// first one on a tie; Chinese when the header is absent or names neither.
    pub fn negotiate(header: Option<&str>) -> Lang {
        let Some(header) = header else { return Lang::Zh };
        let mut best: Option<(u16, Lang)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let range = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let mut q = 1000u16;
            for p in parts {
                let p = p.trim();
                if let Some(v) = p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")) {
                    q = parse_q(v.trim()).unwrap_or(0);
                }
            }
            let lang = match range.split('-').next().unwrap_or("") {
                "zh" | "*" => Lang::Zh,
                "en" => Lang::En,
                _ => continue,
            };
            if q > 0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map_or(Lang::Zh, |(_, l)| l)
    }
}

/// A weight `0`–`1` with up to three decimals, in thousandths.
fn parse_q(v: &str) -> Option<u16> {
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac: u16 = if frac.is_empty() { 0 } else { format!("{frac:0<3}").parse().ok()? };
    match int {
        "0" => Some(frac),
        "1" if frac == 0 => Some(1000),
        _ => None,
    }
}

tokio::task_local! {
    static CURRENT: Lang;
}

/// The language of the request being answered (Chinese outside one).
pub fn current() -> Lang {
    CURRENT.try_with(|l| *l).unwrap_or(Lang::Zh)
}

/// Runs `f` answering in `lang`.
pub fn sync_scope<R>(lang: Lang, f: impl FnOnce() -> R) -> R {
    CURRENT.sync_scope(lang, f)
}

/// Runs `fut` answering in `lang`.
pub async fn scope<F: std::future::Future>(lang: Lang, fut: F) -> F::Output {
    CURRENT.scope(lang, fut).await
}

/// Every problem `code`: its English title, Chinese title and Chinese detail. The English
/// detail is the one the error carries (it names the specifics).
pub const PROBLEMS: &[(&str, &str, &str, &str)] = &[
    ("already_acknowledged", "Already acknowledged", "已确认", "您已确认过该问题反映。"),
    ("appointment_not_active", "Appointment not active", "聘任不在有效期", "该学长的聘任已不在有效期内。"),
    ("assessment_closed", "Assessment closed", "考核未开放", "当前不在本学年的考核时间内。"),
    ("attendance_closed", "Attendance closed", "考勤已关闭", "活动已记录为已举办，考勤不能再修改。"),
    (
        "capacity_below_mentees",
        "Capacity below the mentees",
        "名额少于已结对人数",
        "学长名额不能少于当前已结对的学弟学妹人数。",
    ),
    (
        "capacity_below_registrations",
        "Capacity below the registrations",
        "名额少于已报名人数",
        "活动名额不能少于已获得名额的报名人数。",
    ),
    ("capacity_exceeded", "Capacity exceeded", "名额已满", "该学长的结对名额已满。"),
    ("different_college", "Different college", "不属于同一学院", "学长与学弟学妹须属于同一学院。"),
    ("duplicate", "Duplicate", "重复", "相同的记录已经存在。"),
    ("feedback_closed", "Feedback closed", "反馈已截止", "活动结束 14 天后不再接受反馈。"),
    ("forbidden", "Forbidden", "无权操作", "您无权进行此操作。"),
    ("host_double_booked", "Host double-booked", "主讲学长时间冲突", "有主讲学长在同一时间已有其他活动。"),
    ("host_not_serving", "Host not serving", "主讲学长未在聘", "主讲学长须持有本学年有效的聘任。"),
    ("host_required", "Host required", "需要主讲学长", "该类活动发布前至少需要一位主讲学长。"),
    ("idempotency_key_reused", "Idempotency key reused", "幂等键已被使用", "该 Idempotency-Key 已用于另一个请求。"),
    (
        "idempotency_request_in_progress",
        "Request in progress",
        "请求处理中",
        "使用同一 Idempotency-Key 的请求仍在处理中，请稍后重试。",
    ),
    ("import_failed", "Import failed", "导入失败", "文件中有错误行，未写入任何数据；详见 row_errors。"),
    ("in_use", "In use", "仍被使用", "该记录仍被其他记录引用，不能删除或修改。"),
    ("insufficient_scope", "Insufficient scope", "权限范围不足", "该服务客户端的令牌缺少此操作所需的权限范围。"),
    ("internal", "Internal error", "内部错误", "服务器内部错误，已记录日志。"),
    ("invalid_client", "Invalid client", "客户端认证失败", "服务客户端的标识或密钥不正确。"),
    ("invalid_grant", "Invalid grant", "授权无效", "用户名、密码或刷新令牌不正确或已失效。"),
    (
        "invalid_idempotency_key",
        "Invalid idempotency key",
        "幂等键无效",
        "Idempotency-Key 须为 1–255 个可打印 ASCII 字符。",
    ),
    (
        "invalid_cursor",
        "Invalid cursor",
        "游标无效",
        "cursor 不是本列表给出的，或已被改动、属于另一种排序或筛选条件，或与 page 同时给出；请不带 cursor 从头开始。",
    ),
    ("invalid_if_match", "Invalid If-Match", "If-Match 无效", "If-Match 须为 * 或 ETag 给出的实体标签，如 \"3\"。"),
    (
        "invalid_if_none_match",
        "Invalid If-None-Match",
        "If-None-Match 无效",
        "If-None-Match 须为 * 或 ETag 给出的实体标签，如 \"3\"。",
    ),
    ("invalid_path", "Invalid path", "路径无效", "路径中的标识格式不正确。"),
    ("invalid_query", "Invalid query", "查询参数无效", "查询字符串无法解析。"),
    ("invalid_request", "Invalid request", "请求无效", "令牌请求缺少或包含无效的参数。"),
    ("invalid_scope", "Invalid scope", "权限范围无效", "请求的权限范围超出该客户端的授权。"),
    ("invalid_transition", "Invalid transition", "状态不允许此操作", "当前状态下不能进行此操作。"),
    ("malformed_file", "Malformed file", "文件无法读取", "上传的文件不是可读取的 CSV、XLSX 或 JSON。"),
    ("malformed_json", "Malformed JSON", "JSON 格式错误", "请求体不是有效的 JSON。"),
    ("malformed_multipart", "Malformed form", "表单格式错误", "multipart 表单无法读取。"),
    ("mentee_already_paired", "Mentee already paired", "已有结对学长", "该学弟学妹本学年已有结对学长。"),
    ("mentee_not_enrolled", "Mentee not enrolled", "学弟学妹不在读", "只有在读学生可以结对。"),
    ("mentor_not_senior", "Mentor not senior", "学长入学不早于学弟学妹", "学长须早于学弟学妹入学。"),
    ("method_not_allowed", "Method not allowed", "不支持的请求方法", "该资源不支持此请求方法；支持的方法见 Allow。"),
    ("migration_pending", "Migration pending", "数据库版本不符", "数据库结构与本程序版本不一致。"),
    ("nominations_closed", "Nominations closed", "推荐未开放", "评选轮次当前不接受推荐（未开放或不在推荐时间内）。"),
    ("not_eligible", "Not eligible", "不符合条件", "不符合选聘条件。"),
    ("not_found", "Not found", "未找到", "所请求的对象不存在，或您无权知道它的存在。"),
    ("no_active_mentor", "No active mentor", "没有结对学长", "你目前没有结对的在聘学长，无法发起求助。"),
    ("no_recipient", "No recipient", "无可反映的对象", "该学生没有导师或辅导员，学院也没有辅导员，问题无法反映。"),
    ("posting_expired", "Posting expired", "岗位已截止", "该岗位的截止日期已过，不能再推荐。"),
    ("not_started", "Not started", "活动尚未开始", "活动开始后才能进行此操作。"),
    ("payload_too_large", "Payload too large", "请求体过大", "请求体超过了大小上限。"),
    ("precondition_failed", "Precondition failed", "版本已变化", "If-Match 中的版本已不是最新；请重新读取后再修改。"),
    ("quota_full", "Quota full", "名额已满", "本学院在该评选轮次的推荐名额已用完。"),
    ("record_locked", "Record locked", "记录已锁定", "该工作记录已过修改期限，只能追加备注。"),
    ("term_not_completed", "Term not completed", "任期尚未结束", "学长工作证明只对已完成的任期出具。"),
    ("registration_closed", "Registration closed", "报名已截止", "活动已结束，不能再报名。"),
    ("request_timeout", "Request timeout", "请求超时", "请求体未能在时限内传完。"),
    ("self_pairing", "Self pairing", "不能与自己结对", "学长不能与自己结对。"),
    ("shutting_down", "Shutting down", "服务正在停止", "服务正在停止，请将请求发往其他节点。"),
    ("too_many_attempts", "Too many attempts", "尝试次数过多", "失败次数过多，请在 Retry-After 秒后重试。"),
    ("unauthenticated", "Unauthenticated", "未登录", "需要有效的访问令牌（Authorization: Bearer …）。"),
    ("unavailable", "Unavailable", "服务暂不可用", "数据库繁忙，请稍后重试。"),
    ("unreadable_body", "Unreadable body", "请求体无法读取", "请求体在传输中出错。"),
    (
        "unsupported_grant_type",
        "Unsupported grant type",
        "不支持的授权类型",
        "grant_type 须为 password、refresh_token 或 client_credentials。",
    ),
    ("unsupported_media_type", "Unsupported media type", "不支持的媒体类型", "请求体的媒体类型不被此操作接受。"),
    ("validation_failed", "Validation failed", "输入有误", "有字段未通过校验；详见 errors。"),
    ("venue_double_booked", "Venue double-booked", "场地时间冲突", "该场地在同一时间已被其他活动占用。"),
    ("year_closed", "Academic year closed", "学年已结束", "该学年已结束，不能再修改。"),
];

/// Every field-error `code` and the Chinese message for it (`{}` is the field).
pub const FIELD_CODES: &[(&str, &str)] = &[
    ("required", "{} 为必填项"),
    ("too_long", "{} 过长"),
    ("too_short", "{} 过短"),
    ("too_many", "{} 的项目过多"),
    ("too_weak", "{} 强度不足"),
    ("invalid_format", "{} 的格式不正确"),
    ("invalid_type", "{} 的类型不正确"),
    ("invalid_choice", "{} 不是可选的值之一"),
    ("invalid_reference", "{} 所指的对象不存在"),
    ("unknown_field", "不认识的字段 {}"),
    ("out_of_range", "{} 超出允许的范围"),
    ("control_character", "{} 含有不允许的控制字符"),
    ("not_allowed", "{} 在此不允许"),
    ("not_active", "{} 所指的聘任不在有效期内"),
    ("wrong_year", "{} 属于另一个学年"),
    ("wrong_college", "{} 属于另一个学院"),
    ("conflict", "{} 与其他字段矛盾"),
    ("private_detail", "{} 含有不宜公开的个人信息"),
    ("own_mentor", "{} 不能是你自己"),
    ("duplicate", "{} 重复"),
    ("in_use", "{} 仍被使用"),
    ("length", "{} 的长度不符合要求"),
    ("invalid", "{} 无效"),
    ("invalid_cell", "{} 单元格的内容无法读取"),
    ("mismatch", "{} 与其他信息不一致"),
    ("duplicate_column", "{} 列重复"),
    ("missing_column", "缺少必需的列 {}"),
    ("too_many_cells", "{} 所在行的单元格多于表头"),
    ("duplicate", "{} 重复"),
    ("not_eligible", "{} 不符合条件"),
    ("not_registered", "{} 未获得活动名额"),
    ("range", "{} 超出允许的范围"),
    ("email", "{} 不是有效的电子邮件地址"),
    ("unsupported_image", "{} 不是 JPEG、PNG 或 WebP 图片"),
    ("unreadable_image", "{} 无法读取（文件损坏或不完整）"),
    ("image_too_large", "{} 的像素尺寸超过上限"),
    ("unsupported_attachment", "{} 不是 PDF 文件或 JPEG、PNG、WebP 图片"),
    ("unreadable_attachment", "{} 无法读取（文件损坏或不完整）"),
];

/// The title of a problem with `code` (the HTTP reason phrase for a code not listed).
pub fn title(code: &str, reason: &str, lang: Lang) -> String {
    match (PROBLEMS.iter().find(|p| p.0 == code), lang) {
        (Some(p), Lang::En) => p.1.to_owned(),
        (Some(p), Lang::Zh) => p.2.to_owned(),
        (None, _) => reason.to_owned(),
    }
}

/// The detail of a problem with `code`: `english` (which names the specifics) in English, the
/// code's Chinese text in Chinese.
pub fn detail(code: &str, english: &str, lang: Lang) -> String {
    match (lang, PROBLEMS.iter().find(|p| p.0 == code)) {
        (Lang::Zh, Some(p)) => p.3.to_owned(),
        _ => english.to_owned(),
    }
}

/// The message of a field error: `english` in English, the code's Chinese text in Chinese.
pub fn field_message(field: &str, code: &str, english: &str, lang: Lang) -> String {
    match (lang, FIELD_CODES.iter().find(|c| c.0 == code)) {
        (Lang::Zh, Some((_, zh))) => zh.replacen("{}", field, 1),
        _ => english.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_chinese_or_english_by_weight_chinese_by_default() {
        assert_eq!(Lang::negotiate(None), Lang::Zh);
        assert_eq!(Lang::negotiate(Some("en")), Lang::En);
        assert_eq!(Lang::negotiate(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(Lang::negotiate(Some("zh-CN,zh;q=0.9,en;q=0.8")), Lang::Zh);
        assert_eq!(Lang::negotiate(Some("zh-CN;q=0.5, en;q=0.8")), Lang::En);
        assert_eq!(Lang::negotiate(Some("fr-FR, de")), Lang::Zh, "neither: the default");
        assert_eq!(Lang::negotiate(Some("en;q=0, *")), Lang::Zh);
        assert_eq!(Lang::negotiate(Some("EN-gb")), Lang::En);
        assert_eq!(Lang::negotiate(Some("en;q=garbage")), Lang::Zh, "a bad weight counts as 0");
        assert_eq!(Lang::negotiate(Some("zh-TW;q=0.3, en-GB;q=0.31")), Lang::En);
    }

    /// The string literals passed as argument `index` of each call of `call` with at least
    /// `min_args` arguments.
    fn literal_args(src: &str, call: &str, index: usize, min_args: usize) -> Vec<String> {
        let mut out = Vec::new();
        for (at, _) in src.match_indices(call) {
            let rest = &src[at + call.len()..];
            let (mut depth, mut in_str, mut escaped) = (0i32, false, false);
            let (mut args, mut start) = (Vec::new(), 0usize);
            for (i, c) in rest.char_indices() {
                if in_str {
                    match (escaped, c) {
                        (true, _) => escaped = false,
                        (false, '\\') => escaped = true,
                        (false, '"') => in_str = false,
                        _ => {}
                    }
                    continue;
                }
                match c {
                    '"' => in_str = true,
                    '(' | '[' | '{' => depth += 1,
                    ')' | ']' | '}' if depth == 0 => {
                        args.push(rest[start..i].trim());
                        break;
                    }
                    ')' | ']' | '}' => depth -= 1,
                    ',' if depth == 0 => {
                        args.push(rest[start..i].trim());
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            let args: Vec<&str> = args.into_iter().filter(|a| !a.is_empty()).collect();
            if args.len() >= min_args
                && let Some(lit) = args.get(index).and_then(|a| a.strip_prefix('"')).and_then(|a| a.strip_suffix('"'))
                && !lit.is_empty()
                && lit.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
            {
                out.push(lit.to_owned());
            }
        }
        out
    }

    fn sources() -> Vec<String> {
        fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    let s = std::fs::read_to_string(&p).unwrap();
                    // Only the code, not its tests.
                    out.push(s.split("#[cfg(test)]").next().unwrap_or("").to_owned());
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut out = Vec::new();
        for krate in ["domain", "persistence", "http"] {
            walk(&root.join(krate).join("src"), &mut out);
        }
        out
    }

    #[test]
    fn every_code_the_code_can_raise_has_its_texts_in_both_languages() {
        let mut problems = Vec::new();
        let mut fields = Vec::new();
        for s in sources() {
            for (call, i, n) in [("code: ", 0, 1), ("conflict(", 0, 2), ("Parts::new(", 1, 3), ("oauth(", 1, 3)] {
                if call == "code: " {
                    for (at, _) in s.match_indices(call) {
                        let lit = s[at + call.len()..].split('"').nth(1).unwrap_or("");
                        if s[at + call.len()..].starts_with('"')
                            && !lit.is_empty()
                            && lit.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                        {
                            problems.push(lit.to_owned());
                        }
                    }
                } else {
                    problems.extend(literal_args(&s, call, i, n));
                }
            }
            for (call, i, n) in [
                ("FieldError::new(", 1, 3),
                ("Error::invalid(", 1, 3),
                (".push(", 1, 3),
                ("err(", 1, 3),
                ("RowError::new(", 2, 4),
            ] {
                fields.extend(literal_args(&s, call, i, n));
            }
        }
        // Conflict codes are enum variants, not literals: every one of them can be raised.
        problems.extend(domain::ConflictCode::ALL.iter().map(|c| c.as_str().to_owned()));
        problems.sort();
        problems.dedup();
        fields.sort();
        fields.dedup();
        assert!(problems.len() > 30 && fields.len() > 10, "the scan found too little: {problems:?} {fields:?}");
        let missing: Vec<&String> = problems.iter().filter(|c| !PROBLEMS.iter().any(|p| p.0 == c.as_str())).collect();
        assert!(missing.is_empty(), "problem codes without texts: {missing:?}");
        let missing: Vec<&String> = fields.iter().filter(|c| !FIELD_CODES.iter().any(|p| p.0 == c.as_str())).collect();
        assert!(missing.is_empty(), "field codes without texts: {missing:?}");
        for (code, en, zh, detail) in PROBLEMS {
            assert!(!en.is_empty() && en.is_ascii(), "{code}: an English title");
            for t in [zh, detail] {
                assert!(t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{code}: Chinese text: {t}");
            }
        }
        for (code, zh) in FIELD_CODES {
            assert!(zh.contains("{}"), "{code}: names the field");
        }
    }
}
