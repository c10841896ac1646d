//! What `xuezhang demo` asks of the database directly: whether it is empty. Everything the demo
//! creates goes through the API, with the rules and permissions of the real endpoints.

use sea_orm::{EntityTrait, PaginatorTrait};

use crate::{Db, Result};

/// What makes a database "not empty" for the demo: the tables whose rows it counted, and how
/// many each holds, in that order (users, colleges, students). Staff, units and academic years
/// hang off colleges, so a database without colleges has none of them either.
pub async fn occupied(db: &Db) -> Result<Vec<(&'static str, u64)>> {
    let conn = db.reader();
    let counts = [
        ("users", crate::entities::user::Entity::find().count(conn).await?),
        ("colleges", crate::entities::college::Entity::find().count(conn).await?),
        ("students", crate::entities::student::Entity::find().count(conn).await?),
    ];
    Ok(counts.into_iter().filter(|(_, n)| *n > 0).collect())
}

/// Replaces the secret of the service client `client_id` with `secret`, hashed as every secret
/// is. Only for `xuezhang demo`, whose client has a documented secret so that the README works as
/// written; the API itself only ever generates secrets.
pub async fn set_client_secret(db: &Db, client_id: &str, secret: &str) -> Result<()> {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, QueryFilter};

    use crate::entities::service_client;

    let hash = crate::accounts::hash_password(secret.to_owned()).await?;
    let tx = db.begin().await?;
    service_client::Entity::update_many()
        .col_expr(service_client::Column::SecretHash, Expr::value(hash))
        .col_expr(service_client::Column::UpdatedAt, Expr::value(crate::now()))
        .filter(service_client::Column::ClientId.eq(client_id))
        .exec(&tx)
        .await?;
    tx.commit().await?;
    Ok(())
}
