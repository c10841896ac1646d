//! `/api/v1`: one module per resource, each registering its handlers here.

pub mod academic_years;
pub mod activities;
pub mod activity_registrations;
pub mod agenda;
pub mod anthology;
pub mod appointments;
pub mod assessments;
pub mod audit;
pub mod auth;
pub mod awards;
pub mod calendar;
pub mod cases;
pub mod certificates;
pub mod club;
pub mod colleges;
pub mod common;
pub mod concerns;
pub mod directory;
pub mod dto;
pub mod essays;
pub mod events;
pub mod exports;
pub mod help_requests;
pub mod imports;
pub mod inquiries;
pub mod job_postings;
pub mod nominations;
pub mod overview;
pub mod pairings;
pub mod performance;
pub mod photos;
pub mod records;
pub mod reports;
pub mod service_clients;
pub mod staff;
pub mod students;
pub mod units;
pub mod users;
pub mod work_records;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every `/api/v1` handler.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(auth::issue_token).service(auth::revoke_token).service(auth::me).service(auth::change_password);
    cfg.service(users::create).service(users::list).service(users::get).service(users::update);
    cfg.service(service_clients::create)
        .service(service_clients::list)
        .service(service_clients::get)
        .service(service_clients::update)
        .service(service_clients::rotate_secret);
    cfg.service(audit::list);
    cfg.service(academic_years::create)
        .service(academic_years::list)
        .service(academic_years::get)
        .service(academic_years::update)
        .service(academic_years::remove)
        .service(academic_years::close);
    cfg.service(colleges::create)
        .service(colleges::list)
        .service(colleges::get)
        .service(colleges::update)
        .service(colleges::remove);
    cfg.service(units::create).service(units::list).service(units::get).service(units::update).service(units::remove);
    cfg.service(students::create)
        .service(students::list)
        .service(students::get)
        .service(students::update)
        .service(students::remove)
        .service(students::service_history);
    cfg.service(records::create_honor)
        .service(records::list_honors)
        .service(records::delete_honor)
        .service(records::create_sanction)
        .service(records::list_sanctions)
        .service(records::lift_sanction);
    cfg.service(nominations::create)
        .service(nominations::list)
        .service(nominations::get)
        .service(nominations::update)
        .service(nominations::submit)
        .service(nominations::review)
        .service(nominations::recommend)
        .service(nominations::reject)
        .service(nominations::withdraw);
    cfg.service(appointments::create)
        .service(appointments::bulk)
        .service(appointments::list)
        .service(appointments::get)
        .service(appointments::training)
        .service(appointments::commend)
        .service(appointments::commendations)
        .service(appointments::dismiss)
        .service(appointments::resign)
        .service(appointments::introduction)
        .service(appointments::update)
        .service(appointments::profile)
        .service(appointments::put_profile);
    cfg.service(photos::put_photo).service(photos::delete_photo).service(photos::private_photo);
    cfg.service(directory::preview);
    // `unpaired` and `auto-match` before `{id}`, which would otherwise match them.
    cfg.service(pairings::unpaired)
        .service(pairings::auto_match)
        .service(pairings::create)
        .service(pairings::list)
        .service(pairings::get)
        .service(pairings::end)
        .service(pairings::feedback)
        .service(pairings::mentees)
        .service(pairings::feedback_summary)
        .service(pairings::feedback_entries);
    cfg.service(events::list);
    cfg.service(imports::students)
        .service(imports::staff)
        .service(imports::units)
        .service(imports::honors)
        .service(imports::list)
        .service(imports::get);
    cfg.service(exports::students)
        .service(exports::staff)
        .service(exports::units)
        .service(exports::appointments)
        .service(exports::pairings)
        .service(exports::work_records)
        .service(exports::scholarship_credits);
    cfg.service(staff::create).service(staff::list).service(staff::get).service(staff::update).service(staff::remove);
    // `/activities/topics` before `/activities/{id}`, which would otherwise take it for an id.
    cfg.service(activities::suggested_topics)
        .service(activities::create)
        .service(activities::list)
        .service(activities::get)
        .service(activities::update)
        .service(activities::publish)
        .service(activities::cancel)
        .service(activities::complete);
    cfg.service(activity_registrations::register)
        .service(activity_registrations::list)
        .service(activity_registrations::cancel)
        .service(activity_registrations::attendance)
        .service(activity_registrations::give_feedback)
        .service(activity_registrations::feedback);
    cfg.service(calendar::feed);
    // The photo before `/public/mentors/{id}` is registered keeps nothing from matching it: the
    // paths differ in length, so the order is only for reading.
    cfg.service(photos::public_photo).service(photos::head_public_photo);
    cfg.service(directory::public_list)
        .service(directory::public_get)
        .service(directory::list)
        .service(directory::own_mentor);
    // The public inquiry routes sit under `/public/mentors/{id}`, apart from `/inquiries/{id}`.
    cfg.service(inquiries::send_public)
        .service(inquiries::read_public)
        .service(inquiries::send)
        .service(inquiries::list)
        .service(inquiries::get)
        .service(inquiries::reply_to)
        .service(inquiries::close)
        .service(inquiries::spam)
        .service(inquiries::counts);
    cfg.service(work_records::create)
        .service(work_records::list)
        .service(work_records::get)
        .service(work_records::update)
        .service(work_records::add_note)
        .service(work_records::summary);
    cfg.service(cases::create)
        .service(cases::list)
        .service(cases::get)
        .service(cases::update)
        .service(cases::submit)
        .service(cases::accept)
        .service(cases::return_case)
        .service(cases::feature)
        .service(cases::unfeature)
        .service(cases::attach)
        .service(cases::get_attachment)
        .service(cases::delete_attachment);
    cfg.service(job_postings::create)
        .service(job_postings::list)
        .service(job_postings::get)
        .service(job_postings::update)
        .service(job_postings::withdraw)
        .service(job_postings::recommend);
    cfg.service(help_requests::create)
        .service(help_requests::list)
        .service(help_requests::get)
        .service(help_requests::answer)
        .service(help_requests::record)
        .service(help_requests::close);
    cfg.service(concerns::create)
        .service(concerns::list)
        .service(concerns::get)
        .service(concerns::escalate)
        .service(concerns::acknowledge)
        .service(concerns::resolve);
    cfg.service(certificates::get).service(certificates::verify);
    cfg.service(performance::get).service(assessments::get).service(assessments::put).service(assessments::confirm);
    cfg.service(reports::compliance).service(reports::college_assessment);
    cfg.service(awards::create)
        .service(awards::list)
        .service(awards::get)
        .service(awards::update)
        .service(awards::open)
        .service(awards::review)
        .service(awards::finalize)
        .service(awards::quotas)
        .service(awards::nominate)
        .service(awards::nominations)
        .service(awards::get_nomination)
        .service(awards::withdraw)
        .service(awards::score)
        .service(awards::results)
        .service(awards::public_results);
    cfg.service(agenda::get);
    // `/club/members/me` is a literal path; nothing under `/club/members` takes an id.
    cfg.service(club::list).service(club::me).service(club::leave).service(club::rejoin);
    cfg.service(essays::create)
        .service(essays::list)
        .service(essays::get)
        .service(essays::update)
        .service(essays::submit)
        .service(essays::accept)
        .service(essays::return_to_author);
    cfg.service(anthology::get);
    cfg.service(overview::inactive_mentors).service(overview::overview).service(overview::overview_chart);
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The modules every resource module may import: the shared shapes and helpers.
    const SHARED: [&str; 2] = ["common", "dto"];

    /// Every `super::x` or `api::v1::x` path in `src` (including `super::{x, y}`), as the names
    /// `x` that follow it.
    fn named_modules(src: &str) -> Vec<String> {
        let mut names = Vec::new();
        for prefix in ["super::", "api::v1::"] {
            for (at, _) in src.match_indices(prefix) {
                let rest = &src[at + prefix.len()..];
                let parts: Vec<&str> = match rest.strip_prefix('{') {
                    Some(inner) => inner[..inner.find('}').unwrap_or(inner.len())].split(',').collect(),
                    None => vec![rest],
                };
                for part in parts {
                    let name: String =
                        part.trim().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                    if !name.is_empty() {
                        names.push(name);
                    }
                }
            }
        }
        names
    }

    #[test]
    fn no_resource_module_imports_a_sibling() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api/v1");
        let mut resources = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
            if path.extension().is_some_and(|e| e == "rs") && name != "mod" && !SHARED.contains(&name.as_str()) {
                resources.push(name);
            }
        }
        assert!(resources.len() > 10, "found only {resources:?} under {}", dir.display());
        let mut shared_files = vec![dir.join("common.rs")];
        for entry in std::fs::read_dir(dir.join("dto")).unwrap() {
            shared_files.push(entry.unwrap().path());
        }
        assert!(shared_files.len() > 2, "no dto module files found");

        let mut offences = Vec::new();
        for module in &resources {
            let src = std::fs::read_to_string(dir.join(format!("{module}.rs"))).unwrap();
            for name in named_modules(&src) {
                if name != *module && resources.contains(&name) {
                    offences.push(format!("{module}.rs names {name}"));
                }
            }
        }
        // The shared modules sit below every resource module: they name none of them.
        for file in &shared_files {
            let src = std::fs::read_to_string(file).unwrap();
            for name in named_modules(&src) {
                if resources.contains(&name) {
                    offences.push(format!("{} names {name}", file.display()));
                }
            }
        }
        assert!(offences.is_empty(), "api/v1 resource modules import each other: {offences:#?}");
    }

    #[test]
    fn the_check_sees_every_form_of_a_sibling_path() {
        let src = "use super::pairings::PersonDto;\nuse super::{dto, nominations};\nlet x: crate::api::v1::units::UnitQuery;\nuse super::*;";
        assert_eq!(named_modules(src), ["pairings", "dto", "nominations", "units"]);
    }
}
