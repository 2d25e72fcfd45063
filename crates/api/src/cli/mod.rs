//! The `stockroom` command line: serve, worker, migrate, create-staff, set-role, seed-demo.

mod seed;

use std::io::BufRead;
use std::net::TcpListener;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use diesel::{Connection, PgConnection};
use domain::accounts::{Password, Role, use_cases};
use domain::email::Email;
use domain::text::PersonName;
use infra::PgAccounts;
use infra::pool::PoolOptions;
use tokio::sync::watch;

use crate::auth::password_hashing::Argon2Hasher;
use crate::config::{CoreSettings, Environment, Settings};
use crate::ops::worker::{Worker, WorkerSettings};
use crate::state::{AppConfig, AppState};

#[derive(Parser)]
#[command(name = "stockroom", about = "Orders and inventory service", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API on STOCKROOM_BIND.
    Serve,
    /// Run only the background worker (expire unpaid orders, purge idempotency keys).
    Worker,
    /// Apply pending migrations to DATABASE_URL.
    Migrate {
        /// List every migration and whether it is applied, change nothing.
        #[arg(long)]
        status: bool,
    },
    /// Create a staff account; the password is read from standard input (one line).
    CreateStaff {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Staff")]
        name: String,
    },
    /// Make an account staff or customer. Its earlier tokens stop working within seconds.
    SetRole {
        #[arg(long)]
        email: String,
        /// `staff` or `customer`.
        #[arg(long)]
        role: String,
    },
    /// Load a few hundred demo products in several categories.
    SeedDemo {
        /// Do nothing when the catalog already has products.
        #[arg(long)]
        if_empty: bool,
    },
}

pub fn main() -> ExitCode {
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Serve => serve(),
        Command::Worker => worker(),
        Command::SetRole { email, role } => set_role(&email, &role),
        Command::Migrate { status } => migrate(status),
        Command::CreateStaff { email, name } => create_staff(&email, &name),
        Command::SeedDemo { if_empty } => seed::seed_demo(&database_url(), if_empty),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("stockroom: {message}");
            ExitCode::FAILURE
        }
    }
}

fn database_url() -> String {
    std::env::var("DATABASE_URL").unwrap_or_default()
}

fn connect() -> Result<PgConnection, String> {
    let url = database_url();
    if url.is_empty() {
        return Err("DATABASE_URL is required".into());
    }
    PgConnection::establish(&url).map_err(|e| format!("cannot connect to the database: {e}"))
}

fn pool_for(core: &CoreSettings) -> infra::PgPool {
    infra::pool::connect_with(
        &core.database_url,
        PoolOptions {
            statement_timeout: core.statement_timeout,
            ..PoolOptions::new(core.db_pool_size)
        },
    )
}

fn worker_settings(core: &CoreSettings) -> WorkerSettings {
    WorkerSettings {
        currency: core.currency.clone(),
        reservation_window: core.reservation_window,
        retry: core.webhook_retry,
        allow_private: core.webhook_allow_private,
        listen_url: Some(core.database_url.clone()),
        smtp: core.smtp.clone(),
    }
}

/// Runs only the worker, with nothing but the database: no HTTP secrets, no HTTP state.
/// SIGTERM or Ctrl-C lets the pass under way finish, then exits 0.
fn worker() -> Result<(), String> {
    let core = CoreSettings::from_env().map_err(|e| format!("refusing to start: {e}"))?;
    let _logs = crate::ops::telemetry::init(core.log_format);
    let worker = Worker::new(pool_for(&core), worker_settings(&core))
        .map_err(|e| format!("refusing to start: {e}"))?;
    tracing::info!("running the worker only");
    actix_web::rt::System::new().block_on(async move {
        let (stop, stopping) = watch::channel(false);
        let running = actix_web::rt::spawn(worker.run(stopping));
        shutdown_signal().await;
        tracing::info!("stopping the worker");
        let _ = stop.send(true);
        running.await.map_err(|e| e.to_string())
    })
}

/// Serves HTTP, with the worker inside unless STOCKROOM_WORKER=false. On SIGTERM or Ctrl-C the
/// listener closes, requests in flight finish (up to STOCKROOM_SHUTDOWN_GRACE_SECS), the worker
/// finishes its pass, and the process exits 0.
fn serve() -> Result<(), String> {
    let settings = Settings::from_env().map_err(|e| format!("refusing to start: {e}"))?;
    let core = &settings.core;
    let _logs = crate::ops::telemetry::init(core.log_format);
    if std::env::var("STOCKROOM_JWT_SECRET").is_err() {
        tracing::warn!("STOCKROOM_JWT_SECRET is unset: using a random secret; tokens end with this process");
    }
    let pool = pool_for(core);
    let worker = match settings.worker {
        true => Some(
            Worker::new(pool.clone(), worker_settings(core))
                .map_err(|e| format!("refusing to start: {e}"))?,
        ),
        false => None,
    };
    let state = AppState::new(
        pool,
        AppConfig {
            token_ttl_secs: settings.token_ttl_secs,
            currency: core.currency.clone(),
            auth_rate_per_min: settings.auth_rate_per_min,
            order_rate_per_min: settings.order_rate_per_min,
            max_pending_orders: settings.max_pending_orders,
            payment_webhook_secrets: settings.payment_webhook_secrets.clone(),
            trusted_proxies: settings.trusted_proxies.clone(),
            body_limit: settings.body_limit,
            batch_orders: settings.batch_orders,
            webhook_allow_private: core.webhook_allow_private,
            // Production endpoints must be https: a signed event is no secret, but its data is.
            webhook_https_only: core.environment == Environment::Production,
            // The console's cookie travels over https only in production, where TLS ends in front.
            console_secure_cookie: core.environment == Environment::Production,
            ..AppConfig::new(&settings.jwt_secret)
        },
    );
    let listener =
        TcpListener::bind(&settings.bind).map_err(|e| format!("cannot listen on {}: {e}", settings.bind))?;
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    tracing::info!(bind = %settings.bind, workers, pool = core.db_pool_size, "serving");
    let grace = core.shutdown_grace;
    actix_web::rt::System::new().block_on(async move {
        let (stop, stopping) = watch::channel(false);
        let running = worker.map(|worker| actix_web::rt::spawn(worker.run(stopping)));
        let server = crate::app::serve(listener, state, workers, grace).map_err(|e| e.to_string())?;
        let handle = server.handle();
        actix_web::rt::spawn(async move {
            shutdown_signal().await;
            tracing::info!("draining: no new connections, finishing requests in flight");
            handle.stop(true).await;
        });
        let served = server.await.map_err(|e| e.to_string());
        let _ = stop.send(true);
        if let Some(running) = running {
            let _ = running.await;
        }
        tracing::info!("stopped");
        served
    })
}

/// Resolves on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut terminate = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(terminate) => terminate,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! {
            _ = terminate.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

fn migrate(status_only: bool) -> Result<(), String> {
    let mut conn = connect()?;
    if status_only {
        for (name, applied) in infra::migrations::status(&mut conn).map_err(|e| e.to_string())? {
            println!("{} {name}", if applied { "[applied]" } else { "[pending]" });
        }
        return Ok(());
    }
    let applied = infra::migrations::run_pending(&mut conn).map_err(|e| e.to_string())?;
    if applied.is_empty() {
        println!("migrations: nothing to apply");
    }
    for name in applied {
        println!("migrations: applied {name}");
    }
    Ok(())
}

fn create_staff(email: &str, name: &str) -> Result<(), String> {
    let email = Email::parse(email).map_err(|e| format!("--email {e}"))?;
    let name = PersonName::parse(name).map_err(|e| format!("--name {e}"))?;
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password: {e}"))?;
    let password =
        Password::parse(line.trim_end_matches(['\r', '\n'])).map_err(|e| format!("password {e}"))?;
    let pool = infra::connect(&database_url(), 1);
    let user = use_cases::create_staff(
        &PgAccounts::new(pool),
        &Argon2Hasher::new(),
        email,
        &password,
        name,
    )
    .map_err(|e| e.to_string())?;
    println!("created staff account {} ({})", user.id, user.email);
    Ok(())
}

fn set_role(email: &str, role: &str) -> Result<(), String> {
    let email = Email::parse(email).map_err(|e| format!("--email {e}"))?;
    let role = Role::parse(role).ok_or("--role must be staff or customer")?;
    connect()?;
    let accounts = PgAccounts::new(infra::connect(&database_url(), 1));
    let user = use_cases::change_role(&accounts, &email, role).map_err(|e| e.to_string())?;
    println!(
        "{} is now {}; earlier tokens no longer work",
        user.email,
        user.role.as_str()
    );
    Ok(())
}

/// Lets tests and tools start the listener the same way `serve` does.
pub fn bind(addr: &str) -> std::io::Result<TcpListener> {
    TcpListener::bind(addr)
}
