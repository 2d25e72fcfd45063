//! Structured logs: JSON in production, human-readable in development; `RUST_LOG` filters.
//!
//! Lines are written by a thread of their own through a buffer flushed whenever it has nothing
//! more to write (`tracing-appender`): a request thread never waits on stdout, and a busy
//! second's access log leaves in a few writes instead of one system call per line. Nothing is
//! dropped: a full queue makes loggers wait rather than lose lines.

use std::io::BufWriter;

use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

use super::json_lines::{JsonFields, JsonLines};

/// Keep the guard for the life of the process: dropping it flushes what is still queued.
#[must_use = "dropping the guard stops the log writer"]
pub fn init(format: LogFormat) -> WorkerGuard {
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(false)
        .finish(BufWriter::new(std::io::stdout()));
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(writer);
    let _ = match format {
        LogFormat::Json => builder.fmt_fields(JsonFields).event_format(JsonLines).try_init(),
        LogFormat::Pretty => builder.compact().try_init(),
    };
    guard
}
