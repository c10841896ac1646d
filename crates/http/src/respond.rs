//! Successful responses: JSON with an `ETag`, `201 Created` with a `Location`, pages.

use actix_web::HttpResponse;
use actix_web::http::header;
use serde::Serialize;
use utoipa::ToSchema;

/// The `ETag` of a resource version.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// `200 OK` with the body and its `ETag`.
pub fn ok_tagged<T: Serialize>(body: &T, version: i32) -> HttpResponse {
    HttpResponse::Ok().insert_header((header::ETAG, etag(version))).json(body)
}

/// `201 Created` with the body, its `ETag`, and the `Location` of the new resource.
pub fn created<T: Serialize>(location: String, body: &T, version: i32) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .insert_header((header::ETAG, etag(version)))
        .json(body)
}

/// `200 OK` with a body and no caching.
pub fn ok<T: Serialize>(body: &T) -> HttpResponse {
    HttpResponse::Ok().json(body)
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageOf<T: ToSchema> {
    /// The items of this page.
    pub items: Vec<T>,
    /// How many items match in all.
    pub total: u64,
    /// This page's number (from 1).
    pub page: u64,
    /// The page size used (at most 100).
    pub page_size: u64,
}

impl<T: ToSchema> PageOf<T> {
    /// Converts a domain page.
    pub fn from_page<U>(p: domain::page::Page<U>, f: impl FnMut(U) -> T) -> Self {
        let p = p.map(f);
        PageOf { items: p.items, total: p.total, page: p.page, page_size: p.page_size }
    }
}
