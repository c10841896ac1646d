//! Bodies that carry only a reason, shared by the decisions of several resources (reject a
//! nomination, dismiss or resign an appointment, cancel an activity).

use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

/// A reason for a decision.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    /// Why, 1–2000 characters.
    #[validate(length(min = 1, max = 2000), custom(function = "crate::api::v1::common::not_blank"))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}
