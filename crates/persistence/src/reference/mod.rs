//! Reference data: academic years, colleges, units, students and staff.

pub mod colleges;
pub mod staff;
pub mod students;
pub mod units;
pub mod years;
