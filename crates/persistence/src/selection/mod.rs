//! Selection (院推校聘): students' honours and sanctions, nominations with their eligibility,
//! appointments and how they end.

pub mod appointments;
pub mod nominations;
pub mod photos;
pub mod profiles;
pub mod records;
