use std::time::{Duration, Instant};

use axis_kernel::RepoError;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use futures_util::FutureExt;

use crate::error::{map_diesel, map_pool};

pub type PgPool = Pool<AsyncPgConnection>;

#[derive(Debug, Clone)]
pub struct PoolSettings {
    pub url: String,
    pub max_size: usize,
    /// How long a request waits for a free connection before it is told 503.
    pub wait_timeout: Duration,
    /// How long opening a new connection may take.
    pub create_timeout: Duration,
    /// Server-side cap on every statement.
    pub statement_timeout: Duration,
    pub application_name: String,
}

/// The database as the app sees it: a pool behind the repository adapters, plus health data.
#[derive(Clone)]
pub struct Database {
    pool: PgPool,
    started: Instant,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUsage {
    pub max_size: usize,
    pub size: usize,
    pub available: usize,
    pub waiting: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DbHealth {
    pub latency: Duration,
    pub pool: PoolUsage,
}

impl Database {
    /// Builds the pool once; no connection is opened until the first request.
    pub fn connect(settings: &PoolSettings) -> Result<Self, anyhow::Error> {
        let statement_timeout_ms = settings.statement_timeout.as_millis();
        let application_name = settings.application_name.replace('\'', "");
        let mut config = ManagerConfig::default();
        // No test query on every checkout (a round trip per request): a connection that died
        // is noticed on first use, fails that request with 503, and is dropped from the pool.
        config.recycling_method = RecyclingMethod::Fast;
        config.custom_setup = Box::new(move |url| {
            let setup = format!(
                "SET statement_timeout = {statement_timeout_ms}; SET application_name = '{application_name}'"
            );
            async move {
                let mut conn = AsyncPgConnection::establish(url).await?;
                conn.batch_execute(&setup)
                    .await
                    .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(conn)
            }
            .boxed()
        });
        let manager =
            AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(&settings.url, config);
        let pool = Pool::builder(manager)
            .max_size(settings.max_size)
            .wait_timeout(Some(settings.wait_timeout))
            .create_timeout(Some(settings.create_timeout))
            .recycle_timeout(Some(settings.create_timeout))
            .runtime(deadpool::Runtime::Tokio1)
            .build()?;
        Ok(Self { pool, started: Instant::now() })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub(crate) async fn conn(&self) -> Result<Object<AsyncPgConnection>, RepoError> {
        self.pool.get().await.map_err(map_pool)
    }

    pub fn usage(&self) -> PoolUsage {
        let status = self.pool.status();
        PoolUsage {
            max_size: status.max_size,
            size: status.size,
            available: status.available,
            waiting: status.waiting,
        }
    }

    pub fn uptime(&self) -> Duration {
        self.started.elapsed()
    }

    /// One round trip (`SELECT 1`), timed.
    pub async fn ping(&self) -> Result<DbHealth, RepoError> {
        let started = Instant::now();
        let mut conn = self.conn().await?;
        diesel::sql_query("SELECT 1").execute(&mut conn).await.map_err(map_diesel)?;
        Ok(DbHealth { latency: started.elapsed(), pool: self.usage() })
    }
}
