//! Shapes that more than one `/api/v1` resource module uses. A resource module imports these, the
//! shared helpers (`common`, `crate::extract`, `crate::error`, …) and the layers below, and never a
//! sibling resource module (a test in `api::v1` checks).

mod people;
mod queries;
mod reasons;
mod records;
mod service;
mod work;

pub use people::{PersonDto, StudentRef};
pub use queries::{AppointmentQuery, PairingQuery, StaffQuery, StudentQuery, UnitQuery};
pub use reasons::ReasonRequest;
pub use records::{HonorRecordDto, StaffRecordDto, StudentRecordDto, UnitRecordDto};
pub use service::{ServiceCommendationDto, ServiceLineDto};
pub use work::{WorkNoteDto, WorkRecordDto, WorkRecordQuery};
