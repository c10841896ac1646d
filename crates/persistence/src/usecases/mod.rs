//! Use cases: the workflows that span several aggregates, one module per workflow. Each public
//! function is one transaction that reads top to bottom — load and lock through the
//! repositories, let the domain decide, save with audit entries and change-feed events, commit.
//!
//! Arrows point down only: a use case calls repositories (`selection`, `pairings`, `activities`,
//! `reference`, …) and the domain; a repository never calls a use case, nor another repository's
//! write functions. `tests::no_module_cycle` checks that the module graph has no cycle.

pub mod activities;
pub mod agenda;
pub mod assessments;
pub mod awards;
pub mod careers;
pub mod cases;
pub mod certificates;
pub mod club;
pub mod concerns;
pub mod credits;
pub mod directory;
pub mod essays;
pub mod help;
pub mod mentorship;
pub mod performance;
pub mod photos;
pub mod reports;
pub mod reports_activity;
pub mod work;

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::entities::{appointment, college, student, unit};

/// The names a line about an appointment shows: its mentor's, college's and unit's, by id.
#[derive(Debug, Default)]
pub(crate) struct Names {
    /// Mentor (student id) → (学号, name).
    students: HashMap<Uuid, (String, String)>,
    /// College id → name.
    colleges: HashMap<Uuid, String>,
    /// Unit id → name.
    units: HashMap<Uuid, String>,
}

impl Names {
    /// A student's 学号 (empty when unknown).
    pub(crate) fn student_no(&self, id: Uuid) -> String {
        self.students.get(&id).map(|s| s.0.clone()).unwrap_or_default()
    }

    /// A student's name (empty when unknown).
    pub(crate) fn student(&self, id: Uuid) -> String {
        self.students.get(&id).map(|s| s.1.clone()).unwrap_or_default()
    }

    /// A college's name (empty when unknown).
    pub(crate) fn college(&self, id: Uuid) -> String {
        self.colleges.get(&id).cloned().unwrap_or_default()
    }

    /// A unit's name.
    pub(crate) fn unit(&self, id: Uuid) -> Option<String> {
        self.units.get(&id).cloned()
    }
}

/// The names of `appointments`' mentors, colleges and units: three queries, whatever their number
/// (each reads only the id and the names).
pub(crate) async fn names_of<C: ConnectionTrait>(
    conn: &C,
    appointments: &[appointment::Model],
) -> crate::Result<Names> {
    let students: Vec<(Uuid, String, String)> = student::Entity::find()
        .select_only()
        .columns([student::Column::Id, student::Column::StudentNo, student::Column::Name])
        .filter(student::Column::Id.is_in(appointments.iter().map(|a| a.student_id)))
        .into_tuple()
        .all(conn)
        .await?;
    let colleges: Vec<(Uuid, String)> = college::Entity::find()
        .select_only()
        .columns([college::Column::Id, college::Column::Name])
        .filter(college::Column::Id.is_in(appointments.iter().map(|a| a.college_id)))
        .into_tuple()
        .all(conn)
        .await?;
    let units: Vec<(Uuid, String)> = unit::Entity::find()
        .select_only()
        .columns([unit::Column::Id, unit::Column::Name])
        .filter(unit::Column::Id.is_in(appointments.iter().map(|a| a.unit_id)))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(Names {
        students: students.into_iter().map(|(id, no, name)| (id, (no, name))).collect(),
        colleges: colleges.into_iter().collect(),
        units: units.into_iter().collect(),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::{Path, PathBuf};

    /// Every module of the crate (`selection::appointments`, `pairings`, …) and its source
    /// without its tests.
    fn modules() -> BTreeMap<String, String> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    out.push(p);
                }
            }
        }
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        walk(&src, &mut files);
        files
            .into_iter()
            .filter_map(|p| {
                let rel = p.strip_prefix(&src).ok()?.with_extension("");
                let mut parts: Vec<String> = rel.iter().map(|c| c.to_string_lossy().into_owned()).collect();
                if parts.last().is_some_and(|l| l == "mod" || l == "lib") {
                    parts.pop();
                }
                let text = std::fs::read_to_string(&p).ok()?;
                Some((parts.join("::"), text.split("#[cfg(test)]").next().unwrap_or("").to_owned()))
            })
            .collect()
    }

    /// The paths a source names: `crate::a::b`, `super::c`, a child module `d::`, and the items
    /// of `use crate::x::{y, z::w}` (one level of braces), resolved to absolute paths.
    fn referenced_paths(module: &str, src: &str, children: &[&str]) -> Vec<String> {
        let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
        let chain = |s: &str| -> String { s.chars().take_while(|c| ident(*c) || *c == ':').collect() };
        let parent = module.rsplit_once("::").map_or("", |(p, _)| p).to_owned();
        let mut out = Vec::new();
        let mut push = |base: String, rest: &str| {
            let c = chain(rest);
            let c = c.trim_end_matches(':');
            let path = if base.is_empty() { c.to_owned() } else { format!("{base}::{c}") };
            let after = &rest[c.len()..];
            if let Some(inner) = after.strip_prefix("::{") {
                let inner = inner.split('}').next().unwrap_or("");
                for item in inner.split(',') {
                    let item = chain(item.trim());
                    let item = item.trim_end_matches(':');
                    if !item.is_empty() {
                        out.push(if item == "self" { path.clone() } else { format!("{path}::{item}") });
                    }
                }
            }
            out.push(path);
        };
        for (at, _) in src.match_indices("crate::") {
            if src[..at].ends_with(ident) {
                continue;
            }
            let rest = &src[at + "crate::".len()..];
            if let Some(inner) = rest.strip_prefix('{') {
                for item in inner.split('}').next().unwrap_or("").split(',') {
                    push(String::new(), item.trim());
                }
            } else {
                push(String::new(), rest);
            }
        }
        for (at, _) in src.match_indices("super::") {
            if !src[..at].ends_with(ident) {
                push(parent.clone(), &src[at + "super::".len()..]);
            }
        }
        for child in children {
            let needle = format!("{child}::");
            for (at, _) in src.match_indices(&needle) {
                if !src[..at].ends_with(|c: char| ident(c) || c == ':') {
                    push(module.to_owned(), &src[at..]);
                }
            }
        }
        out
    }

    #[test]
    fn no_module_cycle() {
        let modules = modules();
        assert!(modules.contains_key("usecases::mentorship") && modules.contains_key("pairings"), "{modules:?}");
        let names: Vec<&String> = modules.keys().collect();
        // Edges between modules, by the longest module name a referenced path starts with.
        let mut edges: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (m, src) in &modules {
            let children: Vec<&str> = names
                .iter()
                .filter_map(|n| n.strip_prefix(m.as_str()).and_then(|r| r.strip_prefix("::")))
                .filter(|r| !r.contains("::") && !m.is_empty())
                .collect();
            for path in referenced_paths(m, src, &children) {
                let target = names
                    .iter()
                    .filter(|n| !n.is_empty() && (path == ***n || path.starts_with(&format!("{n}::"))))
                    .max_by_key(|n| n.len());
                // A module and its own submodules are one unit (`activities` and its
                // `registrations`); between any other two modules there is no cycle.
                let related =
                    |a: &str, b: &str| a == b || a.starts_with(&format!("{b}::")) || b.starts_with(&format!("{a}::"));
                if let Some(t) = target
                    && !related(t, m)
                {
                    edges.entry(m.as_str()).or_default().insert(t.as_str());
                }
            }
        }
        assert!(
            edges.get("usecases::mentorship").is_some_and(|e| e.contains("pairings")),
            "the scan sees the use case call the pairings repository: {edges:?}"
        );
        let cycle = find_cycle(&edges);
        assert!(cycle.is_none(), "a module cycle in crates/persistence: {}", cycle.unwrap_or_default().join(" → "));
    }

    /// A cycle of `edges`, if there is one (depth-first search for a back edge).
    fn find_cycle(edges: &BTreeMap<&str, BTreeSet<&str>>) -> Option<Vec<String>> {
        fn visit<'a>(
            n: &'a str,
            edges: &BTreeMap<&'a str, BTreeSet<&'a str>>,
            state: &mut BTreeMap<&'a str, bool>,
            stack: &mut Vec<&'a str>,
        ) -> Option<Vec<String>> {
            match state.get(n) {
                Some(true) => return None,
                Some(false) => {
                    let from = stack.iter().position(|s| *s == n).unwrap_or(0);
                    let mut cycle: Vec<String> = stack[from..].iter().map(|s| (*s).to_owned()).collect();
                    cycle.push(n.to_owned());
                    return Some(cycle);
                }
                None => {}
            }
            state.insert(n, false);
            stack.push(n);
            for t in edges.get(n).into_iter().flatten() {
                if let Some(c) = visit(t, edges, state, stack) {
                    return Some(c);
                }
            }
            stack.pop();
            state.insert(n, true);
            None
        }
        let mut state = BTreeMap::new();
        edges.keys().find_map(|n| visit(n, edges, &mut state, &mut Vec::new()))
    }

    #[test]
    fn the_scan_resolves_paths_and_finds_a_cycle_when_there_is_one() {
        let paths = referenced_paths("a::b", "use crate::{c, d::e};\nuse super::f::{self, g};\nh::x()", &["h"]);
        for want in ["c", "d::e", "a::f", "a::f::g", "a::b::h::x"] {
            assert!(paths.iter().any(|p| p == want), "{want} in {paths:?}");
        }
        let graph = |pairs: &[(&'static str, &'static str)]| {
            let mut g: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
            for (a, b) in pairs {
                g.entry(*a).or_default().insert(*b);
            }
            g
        };
        assert_eq!(find_cycle(&graph(&[("u", "r"), ("u", "s"), ("r", "e"), ("s", "e")])), None);
        assert_eq!(
            find_cycle(&graph(&[("u", "r"), ("r", "s"), ("s", "r")])),
            Some(vec!["r".to_owned(), "s".to_owned(), "r".to_owned()])
        );
    }
}
