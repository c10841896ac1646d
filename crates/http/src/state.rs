//! What every handler can reach: the database and the token service.

use persistence::Db;

use crate::auth::Tokens;
use crate::settings::Settings;

/// Application state, shared by all workers.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Issues and checks access tokens.
    pub tokens: Tokens,
    /// The settings the server started with.
    pub settings: Settings,
}
