use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axis_kernel::RepoError;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use futures_util::FutureExt;

use crate::error::{map_diesel, map_pool};

pub type PgPool = Pool<AsyncPgConnection>;

/// Connections kept for work outside the HTTP workers (the audit sealer, command-line tools).
const BACKGROUND_POOL_SIZE: usize = 2;

#[derive(Debug, Clone)]
pub struct PoolSettings {
    pub url: String,
    /// Connections for requests, split evenly across `workers` (each worker gets at least one).
    pub max_size: usize,
    /// HTTP worker threads; each gets its own share of the pool (see [`Database`]).
    pub workers: usize,
    /// How long a request waits for a free connection before it is told 503.
    pub wait_timeout: Duration,
    /// How long opening a new connection may take.
    pub create_timeout: Duration,
    /// Server-side cap on every statement.
    pub statement_timeout: Duration,
    pub application_name: String,
}

thread_local! {
    /// The worker pool of this thread, set once by [`Database::bind_current_thread`].
    static WORKER_POOL: Cell<Option<usize>> = const { Cell::new(None) };
}

/// The database as the app sees it: connection pools behind the repository adapters, plus
/// health data.
///
/// Each HTTP worker thread has a pool of its own. A connection's socket is driven by a task on
/// the runtime of the thread that opened it, so a connection shared between workers would hand
/// every query over to another thread and back; a pool per worker keeps the query, its socket
/// and its response on one thread (measured in docs/BENCHMARKS.md). Threads that are not HTTP
/// workers share the small background pool.
#[derive(Clone)]
pub struct Database {
    workers: Arc<[PgPool]>,
    background: PgPool,
    next_worker: Arc<AtomicUsize>,
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

fn build_pool(settings: &PoolSettings, max_size: usize) -> Result<PgPool, anyhow::Error> {
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
            conn.batch_execute(&setup).await.map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
            Ok(conn)
        }
        .boxed()
    });
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(&settings.url, config);
    Ok(Pool::builder(manager)
        .max_size(max_size)
        .wait_timeout(Some(settings.wait_timeout))
        .create_timeout(Some(settings.create_timeout))
        .recycle_timeout(Some(settings.create_timeout))
        .runtime(deadpool::Runtime::Tokio1)
        .build()?)
}

impl Database {
    /// Builds the pools; no connection is opened until it is first needed.
    pub fn connect(settings: &PoolSettings) -> Result<Self, anyhow::Error> {
        let workers = settings.workers.max(1);
        let per_worker = (settings.max_size / workers).max(1);
        let worker_pools =
            (0..workers).map(|_| build_pool(settings, per_worker)).collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            workers: worker_pools.into(),
            background: build_pool(settings, BACKGROUND_POOL_SIZE)?,
            next_worker: Arc::new(AtomicUsize::new(0)),
            started: Instant::now(),
        })
    }

    /// Gives the calling thread (an HTTP worker) a pool of its own, the next one in turn.
    /// Calling it again on the same thread keeps the pool it has.
    pub fn bind_current_thread(&self) {
        if WORKER_POOL.get().is_none() {
            let index = self.next_worker.fetch_add(1, Ordering::Relaxed) % self.workers.len();
            WORKER_POOL.set(Some(index));
        }
    }

    /// The pool of HTTP worker `index` (in the order workers were bound), if there is one.
    pub fn worker_pool(&self, index: usize) -> Option<&PgPool> {
        self.workers.get(index)
    }

    fn current_pool(&self) -> &PgPool {
        match WORKER_POOL.get() {
            Some(index) => &self.workers[index % self.workers.len()],
            None => &self.background,
        }
    }

    pub(crate) async fn conn(&self) -> Result<Object<AsyncPgConnection>, RepoError> {
        self.current_pool().get().await.map_err(map_pool)
    }

    /// All pools together: what the instance may open, has open, has idle, and who waits.
    pub fn usage(&self) -> PoolUsage {
        self.workers.iter().chain([&self.background]).map(Pool::status).fold(
            PoolUsage { max_size: 0, size: 0, available: 0, waiting: 0 },
            |total, status| PoolUsage {
                max_size: total.max_size + status.max_size,
                size: total.size + status.size,
                available: total.available + status.available,
                waiting: total.waiting + status.waiting,
            },
        )
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
