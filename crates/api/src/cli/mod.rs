//! The `stockroom` command line: serve, migrate, create-staff, seed-demo.

mod seed;

use std::io::BufRead;
use std::net::TcpListener;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use diesel::{Connection, PgConnection};
use domain::accounts::{Password, use_cases};
use domain::email::Email;
use domain::text::PersonName;
use infra::PgAccounts;

use crate::auth::password_hashing::Argon2Hasher;
use crate::config::Settings;
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
        Command::Serve => serve(false),
        Command::Worker => serve(true),
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

/// Serves HTTP (with the worker inside unless STOCKROOM_WORKER=false), or only the worker.
fn serve(worker_only: bool) -> Result<(), String> {
    let settings = Settings::from_env().map_err(|e| format!("refusing to start: {e}"))?;
    crate::ops::telemetry::init(settings.log_format);
    if std::env::var("STOCKROOM_JWT_SECRET").is_err() {
        tracing::warn!("STOCKROOM_JWT_SECRET is unset: using a random secret; tokens end with this process");
    }
    let pool = infra::connect(&settings.database_url, settings.db_pool_size);
    let state = AppState::new(
        pool,
        &AppConfig {
            jwt_secret: &settings.jwt_secret,
            token_ttl_secs: settings.token_ttl_secs,
            currency: &settings.currency,
            auth_rate_per_min: settings.auth_rate_per_min,
            payment_webhook_secrets: &settings.payment_webhook_secrets,
        },
    );
    let window = settings.reservation_window;
    if worker_only {
        tracing::info!("running the worker only");
        actix_web::rt::System::new().block_on(crate::ops::worker::run(state, window));
        return Ok(());
    }
    let listener =
        TcpListener::bind(&settings.bind).map_err(|e| format!("cannot listen on {}: {e}", settings.bind))?;
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    tracing::info!(bind = %settings.bind, workers, pool = settings.db_pool_size, "serving");
    actix_web::rt::System::new().block_on(async move {
        if settings.worker {
            actix_web::rt::spawn(crate::ops::worker::run(state.clone(), window));
        }
        crate::app::serve(listener, state, settings.body_limit, workers)
            .map_err(|e| e.to_string())?
            .await
            .map_err(|e| e.to_string())
    })
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

/// Lets tests and tools start the listener the same way `serve` does.
pub fn bind(addr: &str) -> std::io::Result<TcpListener> {
    TcpListener::bind(addr)
}
