//! The versioned API.

pub mod v1;
