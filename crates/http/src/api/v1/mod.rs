//! `/api/v1`: one module per resource, each registering its handlers here.

pub mod academic_years;
pub mod activities;
pub mod activity_registrations;
pub mod appointments;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod colleges;
pub mod common;
pub mod directory;
pub mod events;
pub mod exports;
pub mod imports;
pub mod inquiries;
pub mod nominations;
pub mod pairings;
pub mod records;
pub mod service_clients;
pub mod staff;
pub mod students;
pub mod units;
pub mod users;

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
        .service(students::remove);
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
    cfg.service(imports::students).service(imports::staff).service(imports::units).service(imports::honors);
    cfg.service(exports::students)
        .service(exports::staff)
        .service(exports::units)
        .service(exports::appointments)
        .service(exports::pairings);
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
}
