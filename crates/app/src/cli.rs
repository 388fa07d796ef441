//! The `axis` command. Exit codes, for scripts:
//! 0 success · 1 failure (e.g. database unreachable) · 2 usage or invalid configuration ·
//! 3 `audit verify` found a broken chain · 4 refused (invalid input, not found, conflict).

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use axis_identity::{IdentityError, NewUser, UserChanges};
use axis_kernel::{Actor, DomainError};
use clap::{Parser, Subcommand};

use crate::config::{DatabaseSettings, JobSettings, LogFormat, Settings};
use crate::startup::{Application, Wiring, hex_string};
use axis_jobs::{Job, JobFilter, JobId, JobState};
use axis_kernel::Role;
use axis_member_import::{ImportError, ImportMode, ImportRequest, Progress, RowOutcome};

#[derive(Debug, Parser)]
#[command(name = "axis", version, about = "axis back office: server and administration commands")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the HTTP API.
    Serve(Box<Settings>),
    /// Validate the configuration without serving.
    Check(Box<Settings>),
    /// Apply pending database migrations.
    Migrate(DatabaseSettings),
    /// Write a new Ed25519 signing key (PKCS#8 PEM) for access tokens.
    Keygen {
        /// Where to write the key; an existing file is never overwritten.
        #[arg(long)]
        out: PathBuf,
    },
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Check the audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Run jobs (no HTTP) until SIGTERM or SIGINT; run as many as the queue needs.
    Worker(Box<WorkerCommand>),
    /// Inspect and steer the job queue.
    #[command(subcommand)]
    Jobs(JobsCommand),
    /// Import data files.
    #[command(subcommand)]
    Import(ImportCommand),
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// Apply a client's eligibility file (staff and their dependents, CSV) by the same rules as
    /// the API's import, whatever its size, with a progress bar; rejected rows are listed.
    Staff {
        #[command(flatten)]
        database: DatabaseSettings,
        /// The CSV file.
        file: PathBuf,
        /// The client whose members the file lists.
        #[arg(long)]
        client: uuid::Uuid,
        /// Check and report only; write no member.
        #[arg(long)]
        dry_run: bool,
        /// Also deactivate the client's active staff the file no longer lists.
        #[arg(long)]
        full: bool,
        /// With --full, deactivate even more than 20 % of the client's active staff.
        #[arg(long)]
        force: bool,
        /// The day the file describes (YYYY-MM-DD; default today).
        #[arg(long)]
        effective_date: Option<String>,
    },
    /// Import a client's Azure Advisor export (the portal's CSV, or the REST API's JSON) and
    /// read it into a snapshot here, by the same rules as the API's import, with a progress bar.
    Advisor {
        #[command(flatten)]
        database: DatabaseSettings,
        /// The export: `.csv` (portal) or `.json` (REST API list).
        file: PathBuf,
        /// The client the export is of.
        #[arg(long)]
        client: uuid::Uuid,
        /// For a download made inside one category (no Category column): that category.
        #[arg(long)]
        category: Option<String>,
        /// The Advisor score the portal shows (0–100).
        #[arg(long)]
        score: Option<String>,
    },
}

#[derive(Debug, clap::Args)]
struct WorkerCommand {
    #[command(flatten)]
    database: DatabaseSettings,
    #[command(flatten)]
    jobs: JobSettings,
    #[arg(long, env = "AXIS_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty)]
    log_format: LogFormat,
    #[arg(long, env = "AXIS_LOG_LEVEL", default_value = "info")]
    log_level: String,
}

#[derive(Debug, Subcommand)]
enum JobsCommand {
    /// List jobs, newest first.
    List {
        #[command(flatten)]
        database: DatabaseSettings,
        #[arg(long, value_parser = job_state_parser())]
        state: Option<JobState>,
        #[arg(long)]
        kind: Option<String>,
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=100))]
        limit: u32,
    },
    /// Run a dead, cancelled or waiting job now, with at least one more attempt.
    Retry {
        #[command(flatten)]
        database: DatabaseSettings,
        id: uuid::Uuid,
    },
    /// Cancel a job that has not finished (final; a running one stops at its next progress point).
    Cancel {
        #[command(flatten)]
        database: DatabaseSettings,
        id: uuid::Uuid,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create a user.
    Create {
        #[command(flatten)]
        database: DatabaseSettings,
        #[arg(long)]
        email: String,
        #[arg(long, value_parser = role_parser())]
        role: Role,
        #[arg(long, default_value = "")]
        first_name: String,
        #[arg(long, default_value = "")]
        last_name: String,
        /// Read a password (first line) from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Change a user's role; their current access tokens stop working.
    SetRole {
        #[command(flatten)]
        user: UserSelector,
        #[arg(long, value_parser = role_parser())]
        role: Role,
    },
    /// Disable a user and end their sessions.
    Disable {
        #[command(flatten)]
        user: UserSelector,
    },
    /// Create the first administrator unless an active one exists. Without a password one is
    /// generated and printed once.
    EnsureAdmin {
        #[command(flatten)]
        database: DatabaseSettings,
        #[arg(long, env = "AXIS_ADMIN_EMAIL", default_value = "admin@axis.local")]
        email: String,
        #[arg(long, env = "AXIS_ADMIN_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
}

/// The database and the e-mail of the user a command acts on.
#[derive(Debug, clap::Args)]
struct UserSelector {
    #[command(flatten)]
    database: DatabaseSettings,
    #[arg(long)]
    email: String,
}

/// The wiring for the selector's database and the user it names.
async fn selected_user(
    operator: &Actor,
    selector: UserSelector,
) -> Result<(Wiring, axis_identity::User), Failure> {
    check_database(&selector.database)?;
    let wiring = Wiring::for_command_line(&selector.database)?;
    let user = wiring.identity.find_user_by_email(operator, &selector.email).await?;
    Ok((wiring, user))
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Walk the whole hash chain and report the first broken link; if intact, seal pending
    /// records and check them too.
    Verify {
        #[command(flatten)]
        database: DatabaseSettings,
    },
}

/// `--state`, spelled as in the API.
fn job_state_parser() -> impl clap::builder::TypedValueParser<Value = JobState> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(JobState::ALL.iter().map(|state| state.as_str()))
        .map(|text| text.parse::<JobState>().unwrap_or(JobState::Available))
}

/// `--role`, spelled as everywhere else (`Role`'s string forms).
fn role_parser() -> impl clap::builder::TypedValueParser<Value = Role> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(Role::ALL.iter().map(|role| role.as_str()))
        // Only the listed forms get this far, and each is a role.
        .map(|text| text.parse::<Role>().unwrap_or(Role::Viewer))
}

const FAILED: u8 = 1;
const INVALID_CONFIG: u8 = 2;
const CHAIN_BROKEN: u8 = 3;
const REFUSED: u8 = 4;

/// An error with the exit code it should end the process with.
struct Failure(u8, String);

impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Self {
        Failure(FAILED, format!("{error:#}"))
    }
}

impl From<IdentityError> for Failure {
    fn from(error: IdentityError) -> Self {
        match error {
            IdentityError::Domain(DomainError::Validation(errors) | DomainError::Conflict { errors, .. })
                if !errors.is_empty() =>
            {
                let fields: Vec<String> =
                    errors.fields().iter().map(|(f, m)| format!("{f}: {}", m.join("; "))).collect();
                Failure(REFUSED, format!("invalid input: {}", fields.join(", ")))
            }
            IdentityError::Domain(error @ (DomainError::Unavailable | DomainError::Internal(_))) => {
                Failure(FAILED, error.to_string())
            }
            other => Failure(REFUSED, other.to_string()),
        }
    }
}

impl From<DomainError> for Failure {
    fn from(error: DomainError) -> Self {
        IdentityError::from(error).into()
    }
}

pub fn main() -> ExitCode {
    // A missing .env is normal; variables already set win over it.
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("axis: cannot start the async runtime: {error}");
            return ExitCode::from(FAILED);
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(code, message)) => {
            eprintln!("axis: {message}");
            ExitCode::from(code)
        }
    }
}

fn check_database(database: &DatabaseSettings) -> Result<(), Failure> {
    database.validate().map_err(|problem| Failure(INVALID_CONFIG, problem))
}

async fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Serve(settings) => serve(*settings).await,
        Command::Check(settings) => {
            crate::telemetry::init(LogFormat::Pretty, "warn");
            settings.validate().map_err(|problems| {
                Failure(INVALID_CONFIG, format!("invalid configuration:\n  {}", problems.join("\n  ")))
            })?;
            println!("configuration is valid");
            Ok(())
        }
        Command::Migrate(database) => {
            check_database(&database)?;
            let applied = axis_postgres::run_migrations(&database.database_url).await?;
            println!("applied {} migration(s){}", applied.len(), if applied.is_empty() { "" } else { ":" });
            for version in applied {
                println!("  {version}");
            }
            Ok(())
        }
        Command::Keygen { out } => {
            if out.exists() {
                return Err(Failure(REFUSED, format!("{} exists; not overwriting a key", out.display())));
            }
            let pem = axis_crypto::generate_signing_key_pem().map_err(|e| Failure(FAILED, e.to_string()))?;
            write_private(&out, &pem).map_err(|e| Failure(FAILED, format!("{}: {e}", out.display())))?;
            println!("wrote a new signing key to {}", out.display());
            Ok(())
        }
        Command::User(command) => user(command).await,
        Command::Worker(command) => worker(*command).await,
        Command::Jobs(command) => jobs(command).await,
        Command::Import(command) => import(command).await,
        Command::Audit(AuditCommand::Verify { database }) => {
            check_database(&database)?;
            let wiring = Wiring::for_command_line(&database)?;
            let audit = &wiring.audit;
            let failed = |e: axis_audit::AuditError| Failure(FAILED, e.to_string());
            // Check what is sealed before sealing more: sealing appends after the last link,
            // so a tampered chain is reported rather than extended.
            let mut report = audit.verify().await.map_err(failed)?;
            let mut sealed = 0;
            if report.first_break.is_none() {
                sealed = audit.seal(1_000).await.map_err(failed)?.sealed;
                if sealed > 0 {
                    report = audit.verify().await.map_err(failed)?;
                }
            }
            match report.first_break {
                None => {
                    println!(
                        "audit chain intact: {} link(s) checked ({sealed} newly sealed); head {}",
                        report.links_checked,
                        hex_string(&report.head_hash)
                    );
                    Ok(())
                }
                Some(broken) => Err(Failure(CHAIN_BROKEN, format!("audit chain broken: {broken}"))),
            }
        }
    }
}

#[cfg(unix)]
fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

async fn serve(settings: Settings) -> Result<(), Failure> {
    crate::telemetry::init(settings.log_format, &settings.log_level);
    settings.validate().map_err(|problems| {
        Failure(INVALID_CONFIG, format!("invalid configuration:\n  {}", problems.join("\n  ")))
    })?;
    if settings.migrate_on_start {
        let applied = axis_postgres::run_migrations(&settings.database.database_url).await?;
        tracing::info!(applied = applied.len(), "migrations applied");
    }
    let bind = settings.bind;
    let docs_ui = settings.docs_ui;
    let app = Application::build(settings).await?;
    tracing::info!(address = %bind, "axis is listening");
    if docs_ui {
        println!(
            "axis is serving on http://{bind} — API docs: http://{bind}{}",
            crate::http::docs::DOCS_PATH
        );
    }
    app.run_until_stopped().await.map_err(|e| Failure(FAILED, e.to_string()))
}

/// A worker process: jobs only, stopped gracefully by SIGTERM or SIGINT.
async fn worker(command: WorkerCommand) -> Result<(), Failure> {
    crate::telemetry::init(command.log_format, &command.log_level);
    check_database(&command.database)?;
    if command.jobs.job_concurrency == 0 {
        return Err(Failure(
            INVALID_CONFIG,
            "AXIS_JOB_CONCURRENCY is 0: this worker would run nothing".into(),
        ));
    }
    let wiring = Wiring::for_command_line(&command.database.with_room_for(&command.jobs))?;
    let settings = command.jobs.worker();
    tracing::info!(name = %settings.name, concurrency = settings.concurrency, "job worker started");
    let report = wiring
        .spawn_worker(&command.jobs, stop_signal())
        .await
        .map_err(|e| Failure(FAILED, format!("the worker ended abnormally: {e}")))?;
    tracing::info!(finished = report.finished, released = report.released, "job worker stopped");
    Ok(())
}

/// Completes on the first SIGTERM or SIGINT.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = terminate.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn print_job(job: &Job) {
    let progress =
        job.progress.as_ref().map(|p| format!(" {}/{} {}", p.done, p.total, p.message)).unwrap_or_default();
    let error = job
        .last_error
        .as_deref()
        .map(|e| format!(" — {}", e.lines().next().unwrap_or("")))
        .unwrap_or_default();
    println!(
        "{}  {:<9}  {}  attempt {}/{}  run_at {}{progress}{error}",
        job.id,
        job.state.as_str(),
        job.kind,
        job.attempt,
        job.max_attempts,
        job.run_at
    );
}

async fn jobs(command: JobsCommand) -> Result<(), Failure> {
    let operator = Actor::command_line();
    match command {
        JobsCommand::List { database, state, kind, limit } => {
            check_database(&database)?;
            let wiring = Wiring::for_command_line(&database)?;
            let page = axis_kernel::PageRequest::parse(Some(1), Some(limit)).map_err(DomainError::from)?;
            let listed = wiring.jobs.list(&operator, &JobFilter { state, kind }, page).await?;
            for job in &listed.items {
                print_job(job);
            }
            println!("{} of {} job(s)", listed.items.len(), listed.total);
            Ok(())
        }
        JobsCommand::Retry { database, id } => {
            check_database(&database)?;
            let wiring = Wiring::for_command_line(&database)?;
            let job = wiring.jobs.retry(&operator, JobId(id)).await?;
            print_job(&job);
            Ok(())
        }
        JobsCommand::Cancel { database, id } => {
            check_database(&database)?;
            let wiring = Wiring::for_command_line(&database)?;
            let job = wiring.jobs.cancel(&operator, JobId(id)).await?;
            print_job(&job);
            Ok(())
        }
    }
}

fn read_password_from_stdin() -> Result<String, Failure> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| Failure(FAILED, format!("reading stdin: {e}")))?;
    let password = input.lines().next().unwrap_or_default().to_owned();
    Ok(password)
}

async fn user(command: UserCommand) -> Result<(), Failure> {
    let operator = Actor::command_line();
    match command {
        UserCommand::Create { database, email, role, first_name, last_name, password_stdin } => {
            check_database(&database)?;
            let password = if password_stdin { Some(read_password_from_stdin()?) } else { None };
            let input = NewUser::parse(&email, &first_name, &last_name, role, password.as_deref())
                .map_err(IdentityError::from)?;
            let wiring = Wiring::for_command_line(&database)?;
            let user = wiring.identity.create_user(&operator, input).await?;
            println!("created user {} ({}) with role {}", user.email, user.id, user.role);
            Ok(())
        }
        UserCommand::SetRole { user, role } => {
            let (wiring, user) = selected_user(&operator, user).await?;
            let changes = UserChanges { role: Some(role), ..UserChanges::default() };
            let user = wiring.identity.update_user(&operator, user.id, changes, None).await?;
            println!("{} now has role {}", user.email, user.role);
            Ok(())
        }
        UserCommand::Disable { user } => {
            let (wiring, user) = selected_user(&operator, user).await?;
            let user = wiring.identity.disable_user(&operator, user.id).await?;
            println!("{} is disabled and signed out everywhere", user.email);
            Ok(())
        }
        UserCommand::EnsureAdmin { database, email, password } => {
            check_database(&database)?;
            let wiring = Wiring::for_command_line(&database)?;
            match wiring.identity.ensure_admin(&email, password.as_deref()).await? {
                None => println!("an active administrator exists"),
                Some((user, Some(generated))) => {
                    println!("created administrator {} with password: {generated}", user.email);
                    println!("(shown once; change it or set AXIS_ADMIN_PASSWORD next time)");
                }
                Some((user, None)) => println!("created administrator {}", user.email),
            }
            Ok(())
        }
    }
}

impl From<ImportError> for Failure {
    fn from(error: ImportError) -> Self {
        match error {
            ImportError::Domain(error) => error.into(),
            refused => Failure(REFUSED, refused.to_string()),
        }
    }
}

/// Progress of an import on the command line's bar.
struct OnBar(indicatif::ProgressBar);

#[async_trait::async_trait]
impl Progress for OnBar {
    async fn step(&self, done: i64, total: i64, message: &str) -> Result<(), ImportError> {
        self.0.set_message(format!("{message} ({done}/{total})"));
        Ok(())
    }
}

async fn import(command: ImportCommand) -> Result<(), Failure> {
    match command {
        ImportCommand::Staff { database, file, client, dry_run, full, force, effective_date } => {
            import_staff(database, file, client, dry_run, (full, force), effective_date).await
        }
        ImportCommand::Advisor { database, file, client, category, score } => {
            import_advisor(database, file, client, category, score).await
        }
    }
}

async fn import_staff(
    database: DatabaseSettings,
    file: PathBuf,
    client: uuid::Uuid,
    dry_run: bool,
    (full, force): (bool, bool),
    effective_date: Option<String>,
) -> Result<(), Failure> {
    check_database(&database)?;
    let mut errors = axis_kernel::FieldErrors::new();
    let effective_date =
        axis_kernel::input::parse_date(&mut errors, "effective-date", effective_date.as_deref());
    errors.into_result().map_err(DomainError::from)?;
    let mut source =
        std::fs::File::open(&file).map_err(|e| Failure(REFUSED, format!("{}: {e}", file.display())))?;
    let size = source.metadata().map(|m| m.len()).unwrap_or(0);
    let wiring = Wiring::for_command_line(&database)?;
    let operator = Actor::command_line();
    let request = ImportRequest {
        mode: if full { ImportMode::Full } else { ImportMode::Merge },
        dry_run,
        force,
        effective_date,
        file_name: file.file_name().map(|name| name.to_string_lossy().into_owned()),
    };
    let bar = indicatif::ProgressBar::new(size);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message("reading the file");
    let mut upload = wiring.imports.begin(&operator, axis_kernel::ClientId(client), request).await?;
    let mut buffer = vec![0; 256 * 1024];
    loop {
        let read = match source.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) => {
                return Err(upload.abandon(format!("reading the file failed: {error}")).await.into());
            }
        };
        upload.feed(&buffer[..read]).await?;
        bar.inc(read as u64);
    }
    let result = upload.finish_here(&OnBar(bar.clone())).await;
    bar.finish_and_clear();
    let (id, outcome) = match result {
        Ok(import) => (import.id, Ok(import)),
        Err(
            error @ (ImportError::RejectedRows { import, .. }
            | ImportError::TooManyDeactivations { import, .. }),
        ) => (import, Err(error)),
        Err(error) => return Err(error.into()),
    };
    let done = wiring.imports.get(&operator, id).await?;
    let s = done.summary;
    println!(
        "import {} {}: {} row(s): {} created, {} updated, {} unchanged, {} rejected, {} deactivated",
        id.0, done.status, s.rows, s.created, s.updated, s.unchanged, s.rejected, s.deactivated
    );
    if s.rejected > 0 {
        let page = axis_kernel::PageRequest::parse(Some(1), Some(100)).map_err(DomainError::from)?;
        let rejected = wiring.imports.report(&operator, id, Some(RowOutcome::Rejected), page).await?;
        for entry in &rejected.items {
            let errors: Vec<String> =
                entry.errors.fields().iter().map(|(f, m)| format!("{f}: {}", m.join("; "))).collect();
            println!("  line {}: {}", entry.line.unwrap_or_default(), errors.join(", "));
        }
        if rejected.total > rejected.items.len() as u64 {
            println!("  … and {} more (GET /api/v1/staff-imports/{}/report)", rejected.total - 100, id.0);
        }
    }
    outcome.map(|_| ()).map_err(Failure::from)
}

/// A bar over `size` bytes (or steps) with a message.
fn progress_bar(size: u64, message: &'static str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(size);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {percent:>3}% {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message(message);
    bar
}

async fn import_advisor(
    database: DatabaseSettings,
    file: PathBuf,
    client: uuid::Uuid,
    category: Option<String>,
    score: Option<String>,
) -> Result<(), Failure> {
    use axis_advisor::{AdvisorScore, Category, Processed, UploadRequest};
    use axis_kernel::FileSink;
    check_database(&database)?;
    let mut errors = axis_kernel::FieldErrors::new();
    let category =
        category.and_then(|c| c.parse::<Category>().map_err(|e| errors.add("category", e.to_string())).ok());
    let advisor_score = score.and_then(|s| AdvisorScore::manual(&s).map_err(|m| errors.add("score", m)).ok());
    errors.into_result().map_err(DomainError::from)?;
    let bytes = std::fs::read(&file).map_err(|e| Failure(REFUSED, format!("{}: {e}", file.display())))?;
    let wiring = Wiring::for_command_line(&database)?;
    let operator = Actor::command_line();
    let advisor = wiring.advisor.clone();
    let client = axis_kernel::ClientId(client);
    let is_json = file.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let bar = progress_bar(100, "uploading");
    let import = if is_json {
        advisor.upload_json(&operator, client, bytes::Bytes::from(bytes), category).await?
    } else {
        let file_name = file.file_name().map(|name| name.to_string_lossy().into_owned());
        let request = UploadRequest { file_name, category, advisor_score };
        let mut upload = advisor.begin_upload(&operator, client, request).await?;
        for chunk in bytes.chunks(256 * 1024) {
            upload.feed(bytes::Bytes::copy_from_slice(chunk)).await?;
        }
        upload.finish().await?
    };
    bar.set_message("reading the export");
    let id = import.id;
    let job = tokio::spawn({
        let advisor = advisor.clone();
        async move { advisor.process(id).await }
    });
    // The bar follows the import's own progress until the read is done.
    while !job.is_finished() {
        if let Ok(current) = advisor.get(&operator, id).await {
            bar.set_position(u64::try_from(current.progress).unwrap_or(0));
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let processed = job.await.map_err(|e| Failure(FAILED, e.to_string()))??;
    bar.finish_and_clear();
    let done = advisor.get(&operator, id).await?;
    let c = done.counts;
    println!(
        "import {} {}: {} row(s): {} accepted, {} duplicate, {} rejected",
        id, done.status, c.rows, c.accepted, c.duplicate, c.rejected
    );
    match processed {
        Processed::Failed(why) => Err(Failure(REFUSED, why)),
        Processed::Completed(_) | Processed::Skipped(_) => {
            if c.rejected + c.duplicate > 0 {
                let page = axis_kernel::PageRequest::parse(Some(1), Some(20)).map_err(DomainError::from)?;
                let problems = advisor.problems(&operator, id, page).await?;
                for p in &problems.items {
                    println!(
                        "  line {} ({}): {}{}",
                        p.line,
                        p.kind,
                        p.column.as_deref().map(|c| format!("{c}: ")).unwrap_or_default(),
                        p.message
                    );
                }
                if problems.total > problems.items.len() as u64 {
                    println!(
                        "  … and {} more (GET /api/v1/advisor-imports/{id}/errors)",
                        problems.total - problems.items.len() as u64
                    );
                }
            }
            Ok(())
        }
    }
}
