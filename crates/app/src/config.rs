//! Every setting of `axis`, read from the environment (and `.env`). `docs/OPERATIONS.md` lists
//! them all; keep the two in step.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use axis_crypto::{Ed25519Codec, JwtSettings};
use axis_identity::{IdentitySettings, ThrottlePolicy};
use axis_postgres::PoolSettings;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// Settings every command that works on the organisation's data needs.
#[derive(Debug, Clone, clap::Args)]
pub struct DatabaseSettings {
    /// PostgreSQL connection URL.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: String,
    /// Connections for requests, split evenly across the HTTP workers (at least one each).
    #[arg(long, env = "AXIS_DB_POOL_SIZE", default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub db_pool_size: u16,
    /// How long a request waits for a free connection before answering 503.
    #[arg(long, env = "AXIS_DB_POOL_WAIT_TIMEOUT_MS", default_value_t = 2_000, value_parser = clap::value_parser!(u64).range(10..=60_000))]
    pub db_pool_wait_timeout_ms: u64,
    /// How long opening a new connection may take.
    #[arg(long, env = "AXIS_DB_CONNECT_TIMEOUT_MS", default_value_t = 5_000, value_parser = clap::value_parser!(u64).range(100..=60_000))]
    pub db_connect_timeout_ms: u64,
    /// Server-side `statement_timeout` of every connection.
    #[arg(long, env = "AXIS_DB_STATEMENT_TIMEOUT_MS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(100..=600_000))]
    pub db_statement_timeout_ms: u64,
    /// Connections for work outside the HTTP workers (the audit sealer, jobs, commands).
    #[arg(long, env = "AXIS_DB_BACKGROUND_POOL_SIZE", default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=200))]
    pub db_background_pool_size: u16,
    /// The organisation's IANA time zone: where its days begin and end (date filters, expiry,
    /// ages, eligibility all count days there).
    #[arg(long, env = "AXIS_TIMEZONE", default_value = "UTC")]
    pub timezone: String,
    /// Where files (documents) are kept: a local directory, `s3://bucket/prefix` (credentials
    /// and endpoint from `AWS_*`) or `az://container/prefix` (account from `AZURE_*`).
    #[arg(long, env = "AXIS_BLOB_URL", default_value = ".data/blobs")]
    pub blob_url: String,
    /// The largest document file an upload takes (bytes).
    #[arg(long, env = "AXIS_DOCUMENT_MAX_BYTES", default_value_t = 10_485_760, value_parser = clap::value_parser!(u64).range(1_024..=1_073_741_824))]
    pub document_max_bytes: u64,
    /// The largest Azure Advisor export an upload takes (bytes).
    #[arg(long, env = "AXIS_ADVISOR_MAX_BYTES", default_value_t = 52_428_800, value_parser = clap::value_parser!(u64).range(1_024..=1_073_741_824))]
    pub advisor_max_bytes: u64,
    /// The most data rows an Advisor export may have (real exports reach ~15,000).
    #[arg(long, env = "AXIS_ADVISOR_MAX_ROWS", default_value_t = 200_000, value_parser = clap::value_parser!(u64).range(1..=5_000_000))]
    pub advisor_max_rows: u64,
    /// The consultancy's name, on every Advisor report's cover and page headers.
    #[arg(long, env = "AXIS_REPORT_FIRM_NAME", default_value = "axis")]
    pub report_firm_name: String,
}

impl DatabaseSettings {
    /// The pool settings for a process with `workers` HTTP worker threads (1 for commands).
    pub fn pool(&self, workers: usize) -> PoolSettings {
        PoolSettings {
            url: self.database_url.clone(),
            max_size: usize::from(self.db_pool_size),
            background_size: usize::from(self.db_background_pool_size),
            workers,
            wait_timeout: Duration::from_millis(self.db_pool_wait_timeout_ms),
            create_timeout: Duration::from_millis(self.db_connect_timeout_ms),
            statement_timeout: Duration::from_millis(self.db_statement_timeout_ms),
            application_name: "axis".to_owned(),
        }
    }

    /// These settings with a background pool big enough for `jobs`: a connection per job
    /// slot, one for heartbeats and one for the other background work.
    pub fn with_room_for(&self, jobs: &JobSettings) -> Self {
        let needed = jobs.job_concurrency.saturating_add(2);
        let mut settings = self.clone();
        if jobs.job_concurrency > 0 && settings.db_background_pool_size < needed {
            settings.db_background_pool_size = needed;
        }
        settings
    }

    /// The blob store files are kept in.
    /// The Advisor import's limits.
    pub fn advisor(&self) -> axis_advisor::AdvisorSettings {
        axis_advisor::AdvisorSettings {
            max_bytes: self.advisor_max_bytes,
            limits: axis_advisor::Limits {
                max_rows: self.advisor_max_rows,
                ..axis_advisor::Limits::default()
            },
        }
    }

    pub fn reports(&self) -> axis_reports::ReportSettings {
        axis_reports::ReportSettings { firm_name: self.report_firm_name.clone() }
    }

    pub fn blob_store(&self) -> Result<axis_blob_store::ObjectBlobStore, String> {
        let settings = axis_blob_store::BlobSettings { url: self.blob_url.clone(), options: Vec::new() };
        axis_blob_store::ObjectBlobStore::open(&settings).map_err(|e| e.to_string())
    }

    /// The clock whose days are the organisation's.
    pub fn clock(&self) -> Result<axis_clock::SystemClock, String> {
        axis_clock::SystemClock::in_zone(&self.timezone).map_err(|e| format!("AXIS_TIMEZONE: {e}"))
    }

    pub fn validate(&self) -> Result<(), String> {
        self.clock()?;
        let url = self.database_url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(())
        } else {
            Err("DATABASE_URL must start with postgres:// or postgresql://".to_owned())
        }
    }
}

/// How this process runs jobs (`axis serve` and `axis worker`).
#[derive(Debug, Clone, clap::Args)]
pub struct JobSettings {
    /// Jobs run at once by this process; 0 runs none here (then run `axis worker` processes).
    #[arg(long, env = "AXIS_JOB_CONCURRENCY", default_value_t = 4, value_parser = clap::value_parser!(u16).range(0..=256))]
    pub job_concurrency: u16,
    /// An idle worker checks for due jobs this often even when no notice wakes it (jobs
    /// scheduled for later and retries are noticed at this pace).
    #[arg(long, env = "AXIS_JOB_POLL_INTERVAL_MS", default_value_t = 2_000, value_parser = clap::value_parser!(u64).range(10..=600_000))]
    pub job_poll_interval_ms: u64,
    /// How long a worker holds a job without a heartbeat; a worker that dies mid-job has its
    /// jobs run again this long after its last heartbeat.
    #[arg(long, env = "AXIS_JOB_LEASE_SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(3..=3_600))]
    pub job_lease_secs: u64,
    /// On SIGTERM, how long running jobs get to finish before they are handed back to the queue.
    #[arg(long, env = "AXIS_JOB_SHUTDOWN_GRACE_SECS", default_value_t = 20, value_parser = clap::value_parser!(u64).range(0..=3_600))]
    pub job_shutdown_grace_secs: u64,
    /// Completed, dead and cancelled jobs are purged this long after they finished.
    #[arg(long, env = "AXIS_JOB_RETENTION_HOURS", default_value_t = 168, value_parser = clap::value_parser!(u64).range(1..=87_600))]
    pub job_retention_hours: u64,
    /// The rows (the row-by-row report) of an eligibility-file import are purged this long
    /// after it ended; the import and its counts stay.
    #[arg(long, env = "AXIS_IMPORT_ROWS_RETENTION_DAYS", default_value_t = 90, value_parser = clap::value_parser!(u64).range(1..=3_650))]
    pub import_rows_retention_days: u64,
    /// An import still receiving its file this long after it started is marked failed (an
    /// upload cut off or stalled). Longer than `AXIS_BODY_READ_TIMEOUT_SECS`, which ends any
    /// upload still arriving before then.
    #[arg(long, env = "AXIS_STALLED_UPLOAD_SECS", default_value_t = 600, value_parser = clap::value_parser!(u64).range(60..=86_400))]
    pub stalled_upload_secs: u64,
}

impl JobSettings {
    /// The worker's settings, named after this host and process.
    pub fn worker(&self) -> axis_worker::WorkerSettings {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "axis".to_owned());
        axis_worker::WorkerSettings {
            name: format!("{host}:{}", std::process::id()),
            concurrency: usize::from(self.job_concurrency),
            poll_interval: Duration::from_millis(self.job_poll_interval_ms),
            lease: Duration::from_secs(self.job_lease_secs),
            shutdown_grace: Duration::from_secs(self.job_shutdown_grace_secs),
        }
    }

    pub fn retention(&self) -> axis_jobs::housekeeping::Retention {
        axis_jobs::housekeeping::Retention {
            jobs: Duration::from_secs(self.job_retention_hours * 3_600),
            import_rows: Duration::from_secs(self.import_rows_retention_days * 86_400),
            stalled_uploads: Duration::from_secs(self.stalled_upload_secs),
        }
    }
}

/// Settings of the HTTP server.
#[derive(Debug, Clone, clap::Args)]
pub struct Settings {
    #[command(flatten)]
    pub database: DatabaseSettings,
    #[command(flatten)]
    pub jobs: JobSettings,
    /// Address and port to listen on.
    #[arg(long, env = "AXIS_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Log output: `pretty` for people, `json` for log collectors.
    #[arg(long, env = "AXIS_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty)]
    pub log_format: LogFormat,
    /// Log filter in `tracing` syntax, e.g. `info` or `info,axis_postgres=debug`.
    #[arg(long, env = "AXIS_LOG_LEVEL", default_value = "info")]
    pub log_level: String,
    /// Ed25519 private key (PKCS#8 PEM) that signs access tokens; `axis keygen` makes one.
    #[arg(long, env = "AXIS_JWT_KEY_FILE")]
    pub jwt_key_file: PathBuf,
    /// `iss` of our access tokens.
    #[arg(long, env = "AXIS_JWT_ISSUER", default_value = "axis")]
    pub jwt_issuer: String,
    /// `aud` of our access tokens.
    #[arg(long, env = "AXIS_JWT_AUDIENCE", default_value = "axis-api")]
    pub jwt_audience: String,
    /// Clock skew tolerated on `exp`, `nbf` and `iat` (at most 30).
    #[arg(long, env = "AXIS_JWT_LEEWAY_SECS", default_value_t = 30, value_parser = clap::value_parser!(i64).range(0..=30))]
    pub jwt_leeway_secs: i64,
    /// Access-token lifetime (at most 15 minutes).
    #[arg(long, env = "AXIS_ACCESS_TOKEN_TTL_SECS", default_value_t = 900, value_parser = clap::value_parser!(i64).range(60..=900))]
    pub access_token_ttl_secs: i64,
    /// A session ends when its refresh token is not used for this long.
    #[arg(long, env = "AXIS_REFRESH_IDLE_TTL_SECS", default_value_t = 86_400, value_parser = clap::value_parser!(i64).range(300..=2_592_000))]
    pub refresh_idle_ttl_secs: i64,
    /// A session ends this long after login, however much it is used.
    #[arg(long, env = "AXIS_REFRESH_ABSOLUTE_TTL_SECS", default_value_t = 604_800, value_parser = clap::value_parser!(i64).range(300..=7_776_000))]
    pub refresh_absolute_ttl_secs: i64,
    /// How long a user's role, status and session state are cached per instance (at most 5 s).
    #[arg(long, env = "AXIS_AUTHZ_CACHE_TTL_MS", default_value_t = 1_000, value_parser = clap::value_parser!(u64).range(0..=5_000))]
    pub authz_cache_ttl_ms: u64,
    /// Offer e-mail + password login.
    #[arg(long, env = "AXIS_LOCAL_LOGIN", default_value_t = true, action = clap::ArgAction::Set)]
    pub local_login: bool,
    /// Failed logins per account or IP before each further attempt must wait.
    #[arg(long, env = "AXIS_LOGIN_FREE_FAILURES", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub login_free_failures: u32,

    /// Failed logins from one address (IPv6: its /64) over all accounts before it must wait.
    #[arg(long, env = "AXIS_LOGIN_ADDRESS_FREE_FAILURES", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub login_address_free_failures: u32,

    /// A paced account (too many failures from anywhere) evaluates one attempt per this long.
    #[arg(long, env = "AXIS_LOGIN_ACCOUNT_PACE_SECS", default_value_t = 5, value_parser = clap::value_parser!(i64).range(1..=10))]
    pub login_account_pace_secs: i64,
    /// Largest accepted JSON body.
    #[arg(long, env = "AXIS_BODY_LIMIT_BYTES", default_value_t = 262_144, value_parser = clap::value_parser!(u64).range(1_024..=10_485_760))]
    pub body_limit_bytes: u64,
    /// The longest pause between two parts of a request body before it is answered 408 and
    /// its connection closed (a stalled upload).
    #[arg(long, env = "AXIS_BODY_IDLE_TIMEOUT_SECS", default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub body_idle_timeout_secs: u64,
    /// The longest a whole request body may take to arrive, from the request's start (408).
    #[arg(long, env = "AXIS_BODY_READ_TIMEOUT_SECS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=3_600))]
    pub body_read_timeout_secs: u64,
    /// How often committed audit records are sealed into the hash chain.
    #[arg(long, env = "AXIS_AUDIT_SEAL_INTERVAL_MS", default_value_t = 1_000, value_parser = clap::value_parser!(u64).range(50..=3_600_000))]
    pub audit_seal_interval_ms: u64,
    /// Apply pending migrations when the server starts.
    #[arg(long, env = "AXIS_MIGRATE_ON_START", default_value_t = false, action = clap::ArgAction::Set)]
    pub migrate_on_start: bool,
    /// Seconds in-flight requests get to finish after SIGTERM.
    #[arg(long, env = "AXIS_SHUTDOWN_TIMEOUT_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(0..=600))]
    pub shutdown_timeout_secs: u64,
    /// HTTP worker threads (default: one per CPU core).
    #[arg(long, env = "AXIS_WORKERS", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub workers: Option<u16>,
    /// Serve the interactive API documentation at /api/v1/docs/.
    #[arg(long, env = "AXIS_DOCS_UI", default_value_t = true, action = clap::ArgAction::Set)]
    pub docs_ui: bool,
    /// Peers whose `X-Forwarded-For` is believed (comma-separated IPs of your load balancers).
    #[arg(long, env = "AXIS_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<IpAddr>,

    /// Browser origins allowed to call the API (`https://app.example.com`), comma-separated.
    #[arg(long, env = "AXIS_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,

    /// `/api/health` says `degraded` when an audit record has waited longer than this to be sealed.
    #[arg(long, env = "AXIS_AUDIT_SEAL_LAG_ALERT_SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub audit_seal_lag_alert_secs: u64,
}

impl Settings {
    /// HTTP worker threads: `AXIS_WORKERS`, or one per CPU the process may use.
    pub fn worker_count(&self) -> usize {
        self.workers.map_or_else(
            || std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
            usize::from,
        )
    }

    pub fn identity(&self) -> IdentitySettings {
        IdentitySettings {
            access_ttl: time::Duration::seconds(self.access_token_ttl_secs),
            refresh_idle_ttl: time::Duration::seconds(self.refresh_idle_ttl_secs),
            refresh_absolute_ttl: time::Duration::seconds(self.refresh_absolute_ttl_secs),
            throttle: ThrottlePolicy {
                free_failures: self.login_free_failures,
                address_free_failures: self.login_address_free_failures,
                account_pace: time::Duration::seconds(self.login_account_pace_secs),
                ..ThrottlePolicy::default()
            },
            local_login: self.local_login,
        }
    }

    pub fn jwt(&self) -> JwtSettings {
        JwtSettings {
            issuer: self.jwt_issuer.clone(),
            audience: self.jwt_audience.clone(),
            leeway_secs: self.jwt_leeway_secs,
        }
    }

    /// Reads and parses the signing key.
    pub fn codec(&self) -> Result<Ed25519Codec, String> {
        let pem = std::fs::read_to_string(&self.jwt_key_file)
            .map_err(|e| format!("AXIS_JWT_KEY_FILE {}: {e}", self.jwt_key_file.display()))?;
        Ed25519Codec::from_pem(&pem, self.jwt()).map_err(|e| format!("AXIS_JWT_KEY_FILE: {e}"))
    }

    /// Every check that can be made without serving; all problems at once.
    pub fn validate(&self) -> Result<(), Vec<String>> {
        let mut problems: Vec<String> = self
            .cors_origins
            .iter()
            .filter(|origin| !axis_http::cors::valid_origin(origin))
            .map(|origin| {
                format!("AXIS_CORS_ORIGINS: {origin:?} is not an origin such as https://app.example.com (no path, no *)")
            })
            .collect();
        if let Err(problem) = self.database.validate() {
            problems.push(problem);
        }
        if let Err(problem) = self.codec() {
            problems.push(problem);
        }
        if self.refresh_idle_ttl_secs > self.refresh_absolute_ttl_secs {
            problems
                .push("AXIS_REFRESH_IDLE_TTL_SECS must not exceed AXIS_REFRESH_ABSOLUTE_TTL_SECS".to_owned());
        }
        if self.jobs.stalled_upload_secs <= self.body_read_timeout_secs {
            problems.push("AXIS_STALLED_UPLOAD_SECS must exceed AXIS_BODY_READ_TIMEOUT_SECS".to_owned());
        }
        if self.jwt_issuer.trim().is_empty() || self.jwt_audience.trim().is_empty() {
            problems.push("AXIS_JWT_ISSUER and AXIS_JWT_AUDIENCE must not be empty".to_owned());
        }
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(&self.log_level) {
            problems.push(format!("AXIS_LOG_LEVEL: {e}"));
        }
        if problems.is_empty() { Ok(()) } else { Err(problems) }
    }
}
