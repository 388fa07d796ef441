use std::cell::Cell;
use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axis_kernel::DomainError;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod};
use diesel_async::{
    AnsiTransactionManager, AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection,
    TransactionManager,
};
use futures_util::FutureExt;
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::error::{map_diesel, map_pool};

pub type PgPool = Pool<AsyncPgConnection>;

#[derive(Debug, Clone)]
pub struct PoolSettings {
    pub url: String,
    /// Connections for requests, split evenly across `workers` (each worker gets at least one).
    pub max_size: usize,
    /// Connections for threads that are not HTTP workers (the audit sealer, jobs, commands).
    pub background_size: usize,
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

tokio::task_local! {
    /// The connection of the unit of work the current task runs in (see
    /// [`Database::in_unit_of_work`]); every adapter call of the task uses it.
    static UNIT_OF_WORK: Arc<Mutex<Object<AsyncPgConnection>>>;
}

/// How long a unit of work may sit idle inside its transaction before PostgreSQL ends it: the
/// lease on whatever it holds (an idempotency key's lock) when its process stops answering.
const UNIT_OF_WORK_IDLE_LEASE_MS: u32 = 15_000;

/// A connection for one adapter call: from the pool, or the current unit of work's.
#[expect(
    clippy::large_enum_variant,
    reason = "made once per adapter call and kept on its stack; boxing would allocate per query"
)]
pub enum PgConn {
    Pooled(Object<AsyncPgConnection>),
    Shared(OwnedMutexGuard<Object<AsyncPgConnection>>),
}

impl Deref for PgConn {
    type Target = AsyncPgConnection;

    fn deref(&self) -> &AsyncPgConnection {
        match self {
            PgConn::Pooled(conn) => conn,
            PgConn::Shared(conn) => conn,
        }
    }
}

impl DerefMut for PgConn {
    fn deref_mut(&mut self) -> &mut AsyncPgConnection {
        match self {
            PgConn::Pooled(conn) => conn,
            PgConn::Shared(conn) => conn,
        }
    }
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
            background: build_pool(settings, settings.background_size.max(1))?,
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

    /// The current unit of work's connection, or one from this thread's pool.
    pub async fn conn(&self) -> Result<PgConn, DomainError> {
        if let Ok(shared) = UNIT_OF_WORK.try_with(Arc::clone) {
            // Calls inside a unit of work run one after another; a second connection wanted
            // while one is out would escape the transaction, so it is an error, not a wait.
            return shared.try_lock_owned().map(PgConn::Shared).map_err(|_| {
                DomainError::Internal("the unit of work's connection is already in use by this task".into())
            });
        }
        Ok(PgConn::Pooled(self.current_pool().get().await.map_err(map_pool)?))
    }

    /// Runs `work` as one transaction: every adapter call it makes uses the same connection,
    /// and all of them commit together when `work` returns `Ok`, or none when it returns `Err`
    /// (or the process stops: PostgreSQL ends a transaction idle for 15 s).
    pub async fn in_unit_of_work<T, E, Fut>(&self, work: impl FnOnce() -> Fut) -> Result<T, E>
    where
        Fut: Future<Output = Result<T, E>>,
        E: From<DomainError>,
    {
        let mut conn = self.current_pool().get().await.map_err(map_pool)?;
        #[expect(
            clippy::disallowed_methods,
            reason = "the unit of work is the one transaction its writes share"
        )]
        AnsiTransactionManager::begin_transaction(&mut *conn).await.map_err(map_diesel)?;
        let lease = format!("SET LOCAL idle_in_transaction_session_timeout = {UNIT_OF_WORK_IDLE_LEASE_MS}");
        if let Err(error) = conn.batch_execute(&lease).await {
            let _ = AnsiTransactionManager::rollback_transaction(&mut *conn).await;
            return Err(map_diesel(error).into());
        }
        let shared = Arc::new(Mutex::new(conn));
        let result = UNIT_OF_WORK.scope(Arc::clone(&shared), work()).await;
        let mut conn = shared.try_lock_owned().map_err(|_| {
            DomainError::Internal("a unit of work ended while its connection was still in use".into())
        })?;
        match result {
            Ok(value) => {
                AnsiTransactionManager::commit_transaction(&mut **conn).await.map_err(map_diesel)?;
                Ok(value)
            }
            Err(error) => {
                // A failed rollback leaves a broken connection, which the pool discards.
                let _ = AnsiTransactionManager::rollback_transaction(&mut **conn).await;
                Err(error)
            }
        }
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
    pub async fn ping(&self) -> Result<DbHealth, DomainError> {
        let started = Instant::now();
        let mut conn = self.conn().await?;
        diesel::sql_query("SELECT 1").execute(&mut *conn).await.map_err(map_diesel)?;
        Ok(DbHealth { latency: started.elapsed(), pool: self.usage() })
    }
}

/// The kernel's unit-of-work port: [`Database::in_unit_of_work`] for callers that know no
/// connection (the HTTP kit's idempotent creates).
#[async_trait::async_trait(?Send)]
impl axis_kernel::UnitOfWork for Database {
    async fn run<'a>(&self, work: axis_kernel::unit_of_work::Work<'a>) -> Result<(), DomainError> {
        // `Err(None)`: the work failed and was rolled back, which is not the unit's error.
        let ran: Result<(), Option<DomainError>> =
            self.in_unit_of_work(|| async { if work.await { Ok(()) } else { Err(None) } }).await;
        match ran {
            Ok(()) | Err(None) => Ok(()),
            Err(Some(error)) => Err(error),
        }
    }
}
