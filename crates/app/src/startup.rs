//! Wiring: adapters into ports, services into HTTP. `axis serve` and the test harness both
//! start the server through [`Application::build`], so tests run the production wiring.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::{DefaultHeaders, from_fn};
use actix_web::{App, HttpServer, web};
use axis_advisor::AdvisorService;
use axis_audit::AuditService;
use axis_beneficiaries::{BeneficiaryService, EligibilityService};
use axis_clients::ClientService;
use axis_clients::service::ClientPorts;
use axis_contracts::ContractService;
use axis_crypto::{Argon2Hasher, Ed25519Codec, OsTokenGenerator};
use axis_documents::{DocumentService, UploadLimits};
use axis_identity::service::IdentityPorts;
use axis_identity::{IdentityService, IdentitySettings};
use axis_jobs::JobService;
use axis_kernel::idempotency::IdempotencyStore;
use axis_kpis::KpiService;
use axis_member_import::ImportService;
use axis_postgres::audited::PgAuditTrail;
use axis_postgres::{Database, PgHousekeeping, PgIdempotency};
use axis_postgres_advisor::PgAdvisor;
use axis_postgres_audit::PgAuditLog;
use axis_postgres_clients::{PgActivities, PgClientAccess, PgClients, PgContacts, PgIndustries, PgTags};
use axis_postgres_contracts::PgContracts;
use axis_postgres_documents::PgDocuments;
use axis_postgres_identity::{PgLoginThrottle, PgSessions, PgUsers};
use axis_postgres_jobs::{JobWakeups, PgJobs};
use axis_postgres_kpis::PgKpis;
use axis_postgres_members::{PgBeneficiaries, PgEligibility, PgImports, PgStaff};
use axis_postgres_reports::PgReports;
use axis_reports::ReportService;
use axis_staff::StaffService;
use axis_worker::{Registry, StopReport, Worker};
use tokio::task::JoinHandle;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::authz_cache::{CachedSessions, CachedTokens};
use crate::config::{DatabaseSettings, JobSettings, Settings};
use axis_http::cors::{self, CorsOrigins};
use axis_http::fallback::{RouteTable, not_found_or_not_allowed, path_error};
use axis_http::json::BodyLimit;
use axis_http::{HttpContext, middleware};
use axis_http_identity::Jwks;

use crate::http::{self, AppState, docs};

/// The services, built once from the adapters.
#[derive(Clone)]
pub struct Wiring {
    pub db: Database,
    pub identity: Arc<IdentityService>,
    pub audit: Arc<AuditService>,
    pub clients: Arc<ClientService>,
    pub contracts: Arc<ContractService>,
    pub staff: Arc<StaffService>,
    pub beneficiaries: Arc<BeneficiaryService>,
    pub eligibility: Arc<EligibilityService>,
    pub imports: Arc<ImportService>,
    pub documents: Arc<DocumentService>,
    pub kpis: Arc<KpiService>,
    pub advisor: Arc<AdvisorService>,
    pub reports: Arc<ReportService>,
    pub jobs: Arc<JobService>,
    pub idempotency: Arc<dyn IdempotencyStore>,
    pub codec: Arc<Ed25519Codec>,
    pub clock: Arc<dyn axis_kernel::Clock>,
    database_url: String,
}

impl Wiring {
    pub fn new(
        database: &DatabaseSettings,
        workers: usize,
        codec: Ed25519Codec,
        identity: IdentitySettings,
        authz_cache_ttl: Duration,
        jwt_leeway_secs: i64,
    ) -> Result<Self, anyhow::Error> {
        let db = Database::connect(&database.pool(workers))?;
        let clock: Arc<dyn axis_kernel::Clock> = Arc::new(database.clock().map_err(anyhow::Error::msg)?);
        let codec = Arc::new(codec);
        let sessions = Arc::new(CachedSessions::new(Arc::new(PgSessions::new(db.clone())), authz_cache_ttl));
        let ports = IdentityPorts {
            users: Arc::new(PgUsers::new(db.clone())),
            sessions,
            throttle: Arc::new(PgLoginThrottle::new(db.clone())),
            hasher: Arc::new(Argon2Hasher::new()?),
            codec: Arc::new(CachedTokens::new(codec.clone(), jwt_leeway_secs)),
            generator: Arc::new(OsTokenGenerator),
            clock: clock.clone(),
        };
        let audit_log = Arc::new(PgAuditLog::new(db.clone()));
        let clients = ClientService::new(ClientPorts {
            industries: Arc::new(PgIndustries::new(db.clone())),
            clients: Arc::new(PgClients::new(db.clone())),
            tags: Arc::new(PgTags::new(db.clone())),
            contacts: Arc::new(PgContacts::new(db.clone())),
            activities: Arc::new(PgActivities::new(db.clone())),
            access: Arc::new(PgClientAccess::new(db.clone())),
            clock: clock.clone(),
        });
        let access = Arc::new(PgClientAccess::new(db.clone()));
        let trail = Arc::new(PgAuditTrail::new(db.clone()));
        let pg_staff = Arc::new(PgStaff::new(db.clone(), clock.clone()));
        let pg_beneficiaries = Arc::new(PgBeneficiaries::new(db.clone(), clock.clone()));
        let staff = Arc::new(StaffService::new(
            pg_staff.clone(),
            pg_staff,
            access.clone(),
            trail.clone(),
            clock.clone(),
        ));
        let beneficiaries = Arc::new(BeneficiaryService::new(
            pg_beneficiaries.clone(),
            pg_beneficiaries,
            staff.clone(),
            access.clone(),
            trail.clone(),
            clock.clone(),
        ));
        let eligibility = Arc::new(EligibilityService::new(
            Arc::new(PgEligibility::new(db.clone())),
            access.clone(),
            trail.clone(),
            clock.clone(),
        ));
        let imports =
            Arc::new(ImportService::new(Arc::new(PgImports::new(db.clone())), access.clone(), clock.clone()));
        let blobs: Arc<dyn axis_kernel::BlobStore> =
            Arc::new(database.blob_store().map_err(anyhow::Error::msg)?);
        let documents = Arc::new(DocumentService::new(
            Arc::new(PgDocuments::new(db.clone())),
            blobs.clone(),
            trail.clone(),
            access.clone(),
            clock.clone(),
            UploadLimits { max_bytes: database.document_max_bytes },
        ));
        let kpis =
            Arc::new(KpiService::new(Arc::new(PgKpis::new(db.clone())), access.clone(), clock.clone()));
        let pg_advisor = Arc::new(PgAdvisor::new(db.clone()));
        let advisor = Arc::new(AdvisorService::new(
            pg_advisor.clone(),
            trail.clone(),
            pg_advisor.clone(),
            pg_advisor.clone(),
            blobs.clone(),
            access.clone(),
            clock.clone(),
            database.advisor(),
        ));
        let pg_reports = Arc::new(PgReports::new(db.clone()));
        let reports = Arc::new(ReportService::new(
            pg_reports.clone(),
            pg_reports.clone(),
            pg_reports.clone(),
            pg_reports,
            Arc::new(axis_crypto::OsTokenGenerator),
            pg_advisor.clone(),
            pg_advisor.clone(),
            pg_advisor,
            blobs,
            trail.clone(),
            access.clone(),
            clock.clone(),
            database.reports(),
        ));
        Ok(Self {
            identity: Arc::new(IdentityService::new(ports, identity)),
            audit: Arc::new(AuditService::new(audit_log.clone(), audit_log)),
            clients: Arc::new(clients),
            contracts: Arc::new(ContractService::new(
                Arc::new(PgContracts::new(db.clone())),
                access,
                clock.clone(),
            )),
            staff,
            beneficiaries,
            eligibility,
            imports,
            documents,
            kpis,
            advisor,
            reports,
            jobs: Arc::new(JobService::new(Arc::new(PgJobs::new(db.clone())), clock.clone())),
            idempotency: Arc::new(PgIdempotency::new(db.clone())),
            db,
            codec,
            clock,
            database_url: database.database_url.clone(),
        })
    }

    /// Every job kind this build runs, with the periodic ones' schedules.
    pub fn job_registry(&self, jobs: &JobSettings) -> Registry {
        let housekeeping = Arc::new(PgHousekeeping::new(self.db.clone()));
        let sweep = Arc::new(axis_contracts::jobs::ContractSweep(self.contracts.clone()));
        let apply = Arc::new(axis_beneficiaries::jobs::ApplyScheduled(self.beneficiaries.clone()));
        let apply_contracts = Arc::new(axis_contracts::jobs::ApplyScheduled(self.contracts.clone()));
        let expire_documents = Arc::new(axis_documents::jobs::ExpireDocuments(self.documents.clone()));
        let file_sweep = |kind, files: Arc<dyn axis_jobs::UnrecordedFiles>| {
            Arc::new(axis_jobs::SweepFiles { kind, files })
        };
        let sweep_files = file_sweep(axis_documents::jobs::SWEEP_FILES, self.documents.clone());
        let sweep_exports = file_sweep(axis_advisor::jobs::SWEEP_FILES, self.advisor.clone());
        let sweep_reports = file_sweep(axis_reports::jobs::SWEEP_FILES, self.reports.clone());
        let periodic = axis_jobs::housekeeping::purges(housekeeping, self.clock.clone(), jobs.retention())
            .into_iter()
            .chain([
                (sweep as Arc<dyn axis_jobs::JobHandler>, axis_contracts::jobs::sweep_schedule()),
                (
                    apply as Arc<dyn axis_jobs::JobHandler>,
                    axis_beneficiaries::jobs::apply_scheduled_schedule(),
                ),
                (
                    apply_contracts as Arc<dyn axis_jobs::JobHandler>,
                    axis_contracts::jobs::apply_scheduled_schedule(),
                ),
                (expire_documents as Arc<dyn axis_jobs::JobHandler>, axis_documents::jobs::expire_schedule()),
                (sweep_files as Arc<dyn axis_jobs::JobHandler>, axis_documents::jobs::sweep_files_schedule()),
                (sweep_exports as Arc<dyn axis_jobs::JobHandler>, axis_advisor::jobs::sweep_files_schedule()),
                (sweep_reports as Arc<dyn axis_jobs::JobHandler>, axis_reports::jobs::sweep_files_schedule()),
            ]);
        let on_demand = Registry::new()
            .register(Arc::new(axis_worker::noop::Noop))
            .register(Arc::new(axis_member_import::ImportJob(self.imports.clone())))
            .register(Arc::new(axis_advisor::jobs::ProcessImport(self.advisor.clone())))
            .register(Arc::new(axis_reports::jobs::RenderReport(self.reports.clone())));
        periodic
            .fold(on_demand, |registry, (handler, periodic)| registry.register_periodic(handler, periodic))
    }

    /// Runs a job worker until `stop` completes, then stops it gracefully.
    pub fn spawn_worker(
        &self,
        jobs: &JobSettings,
        stop: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> JoinHandle<StopReport> {
        let worker = Worker::new(
            Arc::new(PgJobs::new(self.db.clone())),
            self.job_registry(jobs),
            self.clock.clone(),
            jobs.worker(),
        );
        tokio::spawn(worker.run(JobWakeups::lazy(&self.database_url), stop))
    }

    /// For commands that never issue tokens: a throwaway signing key.
    pub fn for_command_line(database: &DatabaseSettings) -> Result<Self, anyhow::Error> {
        let pem = axis_crypto::generate_signing_key_pem()?;
        let jwt =
            axis_crypto::JwtSettings { issuer: "axis".into(), audience: "axis-cli".into(), leeway_secs: 0 };
        Self::new(
            database,
            1,
            Ed25519Codec::from_pem(&pem, jwt)?,
            IdentitySettings::default(),
            Duration::ZERO,
            0,
        )
    }

    pub fn from_settings(settings: &Settings) -> Result<Self, anyhow::Error> {
        let codec = settings.codec().map_err(anyhow::Error::msg)?;
        Self::new(
            &settings.database.with_room_for(&settings.jobs),
            settings.worker_count(),
            codec,
            settings.identity(),
            Duration::from_millis(settings.authz_cache_ttl_ms),
            settings.jwt_leeway_secs,
        )
    }
}

/// A bound, not yet running server plus its periodic tasks.
pub struct Application {
    server: Server,
    port: u16,
    wiring: Wiring,
    /// The periodic tasks: the audit sealer and the counter roll-up.
    background: Vec<JoinHandle<()>>,
    /// The job worker, when `AXIS_JOB_CONCURRENCY` is above 0: its stop signal and its task.
    worker: Option<(tokio::sync::oneshot::Sender<()>, JoinHandle<StopReport>)>,
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Self, anyhow::Error> {
        let listener = TcpListener::bind(settings.bind)?;
        let wiring = Wiring::from_settings(&settings)?;
        Self::build_with(settings, wiring, listener)
    }

    /// Starts on an already bound listener (tests bind port 0).
    pub fn build_with(
        settings: Settings,
        wiring: Wiring,
        listener: TcpListener,
    ) -> Result<Self, anyhow::Error> {
        let port = listener.local_addr()?.port();
        let api = http::openapi();
        let routes = web::Data::new(RouteTable::from_openapi(&api));
        let state = web::Data::new(AppState {
            identity: wiring.identity.clone(),
            audit: wiring.audit.clone(),
            jobs: wiring.jobs.clone(),
            db: wiring.db.clone(),
            openapi_json: serde_json::to_string(&api)?,
            seal_lag_alert: Duration::from_secs(settings.audit_seal_lag_alert_secs),
        });
        let context = web::Data::new(HttpContext {
            authenticator: wiring.identity.clone(),
            idempotency: wiring.idempotency.clone(),
            unit_of_work: Arc::new(wiring.db.clone()),
            trusted_proxies: settings.trusted_proxies.clone(),
        });
        // Each routes crate reaches its own service.
        let identity = web::Data::from(wiring.identity.clone());
        let clients = web::Data::from(wiring.clients.clone());
        let audit = web::Data::from(wiring.audit.clone());
        let jobs = web::Data::from(wiring.jobs.clone());
        let contracts = web::Data::from(wiring.contracts.clone());
        let staff = web::Data::from(wiring.staff.clone());
        let beneficiaries = web::Data::from(wiring.beneficiaries.clone());
        let eligibility = web::Data::from(wiring.eligibility.clone());
        let imports = web::Data::from(wiring.imports.clone());
        let documents = web::Data::from(wiring.documents.clone());
        let kpis = web::Data::from(wiring.kpis.clone());
        let advisor = web::Data::from(wiring.advisor.clone());
        let reports = web::Data::from(wiring.reports.clone());
        let jwks = web::Data::new(Jwks(wiring.codec.jwks()));
        let cors_origins = web::Data::new(CorsOrigins(settings.cors_origins.clone()));
        let body_limit = usize::try_from(settings.body_limit_bytes)?;
        let body_deadline = web::Data::new(axis_http::body::BodyDeadline {
            idle: Duration::from_secs(settings.body_idle_timeout_secs),
            total: Duration::from_secs(settings.body_read_timeout_secs),
        });
        let docs_ui = settings.docs_ui;
        let db = wiring.db.clone();
        let server = HttpServer::new(move || {
            // Runs once on each worker thread, which then keeps its own connections.
            db.bind_current_thread();
            // The last `wrap` runs first: headers on everything, then the request id, CORS,
            // HEAD, and the target checks closest to the routes.
            let app = App::new()
                .wrap(from_fn(axis_http::body::read_deadline))
                .wrap(from_fn(middleware::guard_input))
                .wrap(from_fn(middleware::head_as_get))
                .wrap(from_fn(cors::cors))
                .wrap(from_fn(middleware::observe))
                .wrap(
                    DefaultHeaders::new()
                        .add(("X-Content-Type-Options", "nosniff"))
                        .add(("X-Frame-Options", "DENY"))
                        .add(("Referrer-Policy", "no-referrer"))
                        .add(("Cache-Control", "no-store")),
                )
                .app_data(state.clone())
                .app_data(context.clone())
                .app_data(identity.clone())
                .app_data(clients.clone())
                .app_data(audit.clone())
                .app_data(jobs.clone())
                .app_data(contracts.clone())
                .app_data(staff.clone())
                .app_data(beneficiaries.clone())
                .app_data(eligibility.clone())
                .app_data(imports.clone())
                .app_data(documents.clone())
                .app_data(kpis.clone())
                .app_data(advisor.clone())
                .app_data(reports.clone())
                .app_data(jwks.clone())
                .app_data(routes.clone())
                .app_data(cors_origins.clone())
                .app_data(web::Data::new(BodyLimit(body_limit)))
                .app_data(body_deadline.clone())
                .app_data(web::PayloadConfig::new(body_limit))
                .app_data(web::PathConfig::default().error_handler(|_, req| path_error(req).into()))
                .into_utoipa_app()
                .configure(http::configure)
                .into_app();
            let app = if docs_ui {
                app.service(
                    SwaggerUi::new(format!("{}{{_:.*}}", docs::DOCS_PATH))
                        .config(Config::new([docs::OPENAPI_PATH])),
                )
            } else {
                app
            };
            app.default_service(web::to(not_found_or_not_allowed))
        })
        .listen(listener)?
        .shutdown_timeout(settings.shutdown_timeout_secs)
        .workers(settings.worker_count())
        .run();
        let background = vec![
            spawn_sealer(wiring.audit.clone(), Duration::from_millis(settings.audit_seal_interval_ms)),
            spawn_counter_roll_up(wiring.db.clone()),
        ];
        let worker = (settings.jobs.job_concurrency > 0).then(|| {
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            let task = wiring.spawn_worker(&settings.jobs, async move {
                let _ = stopped.await;
            });
            (stop, task)
        });
        Ok(Self { server, port, wiring, background, worker })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn wiring(&self) -> &Wiring {
        &self.wiring
    }

    /// Serves until SIGTERM/SIGINT (graceful: in-flight requests finish, up to the timeout;
    /// then running jobs get their grace period and the rest go back to the queue).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        if let Some((stop, task)) = self.worker {
            let _ = stop.send(());
            match task.await {
                Ok(report) => tracing::info!(
                    finished = report.finished,
                    released = report.released,
                    "job worker stopped"
                ),
                Err(error) => tracing::warn!(%error, "the job worker ended abnormally"),
            }
        }
        for task in &self.background {
            task.abort();
        }
        result
    }
}

/// Runs `task` every `interval` until the server stops; a failed run is logged and retried
/// at the next tick.
fn spawn_periodic<F, Fut>(interval: Duration, mut task: F) -> JoinHandle<()>
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            task().await;
        }
    })
}

/// Seals committed audit records into the hash chain every `interval`.
fn spawn_sealer(audit: Arc<AuditService>, interval: Duration) -> JoinHandle<()> {
    spawn_periodic(interval, move || {
        let audit = audit.clone();
        async move {
            match audit.seal(1_000).await {
                Ok(outcome) if outcome.sealed > 0 => tracing::debug!(
                    sealed = outcome.sealed,
                    head_seq = outcome.head_seq,
                    head_hash = %hex_string(&outcome.head_hash),
                    "audit records sealed"
                ),
                Ok(_) => {}
                Err(error) => tracing::warn!(error = %error, "audit sealing failed; will retry"),
            }
        }
    })
}

/// How often the client counters' pending deltas are folded (see the linear_counts migration).
const COUNTER_ROLL_UP_INTERVAL: Duration = Duration::from_secs(1);

fn spawn_counter_roll_up(db: Database) -> JoinHandle<()> {
    spawn_periodic(COUNTER_ROLL_UP_INTERVAL, move || {
        let db = db.clone();
        async move {
            if let Err(error) = axis_postgres_clients::roll_up_client_counts(&db).await {
                tracing::warn!(error = %error, "folding client counter deltas failed; will retry");
            }
        }
    })
}

pub fn hex_string(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
