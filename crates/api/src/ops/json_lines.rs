//! Log events as one JSON object per line, written straight into the line: time, level, the
//! event's fields, the id of the request it happened for, then the fields of the spans it
//! happened in. The
//! `tracing-subscriber` JSON format builds a map of `serde_json::Value`s for every event and
//! parses each span's fields back from text; for an access log at tens of thousands of lines a
//! second that was a quarter of a cached catalog read (DECISIONS.md, "Logs and the benchmark").

use std::fmt::{self, Write as _};

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields};
use tracing_subscriber::registry::LookupSpan;

use crate::http::request_id;

/// The event format: `{"timestamp":…,"level":…,"message":…,<fields>,"request_id":…,<span fields>}`.
pub struct JsonLines;

/// Span fields, kept as `,"name":value` pieces ready to go into each line of the span.
pub struct JsonFields;

impl<S, N> FormatEvent<S, N> for JsonLines
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        write!(
            writer,
            "{{\"timestamp\":\"{}\",\"level\":\"{}\"",
            // Written directly; a strftime pattern would be parsed anew for every line.
            chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            event.metadata().level()
        )?;
        let mut fields = FieldsVisitor::new(&mut writer);
        event.record(&mut fields);
        fields.result?;
        if let Some(id) = request_id::current() {
            writer.write_str(",\"request_id\":\"")?;
            JsonString(&mut writer).write_str(&id)?;
            writer.write_char('"')?;
        }
        if let Some(scope) = ctx.event_scope() {
            for span in scope.from_root() {
                if let Some(fields) = span.extensions().get::<FormattedFields<N>>() {
                    writer.write_str(fields)?;
                }
            }
        }
        writer.write_str("}\n")
    }
}

impl<'writer> FormatFields<'writer> for JsonFields {
    fn format_fields<R: RecordFields>(&self, mut writer: Writer<'writer>, fields: R) -> fmt::Result {
        let mut visitor = FieldsVisitor::new(&mut writer);
        fields.record(&mut visitor);
        visitor.result
    }
}

/// Writes each field as `,"name":value`.
struct FieldsVisitor<'a, 'w> {
    writer: &'a mut Writer<'w>,
    result: fmt::Result,
}

impl<'a, 'w> FieldsVisitor<'a, 'w> {
    fn new(writer: &'a mut Writer<'w>) -> Self {
        FieldsVisitor {
            writer,
            result: Ok(()),
        }
    }

    fn raw(&mut self, field: &Field, value: fmt::Arguments<'_>) {
        if self.result.is_ok() {
            self.result = write!(self.writer, ",\"{}\":{}", field.name(), value);
        }
    }

    /// `value` as a JSON string, escaped as it is formatted (no intermediate `String`).
    fn text(&mut self, field: &Field, value: fmt::Arguments<'_>) {
        if self.result.is_ok() {
            self.result = write!(self.writer, ",\"{}\":\"", field.name())
                .and_then(|()| fmt::write(&mut JsonString(self.writer), value))
                .and_then(|()| self.writer.write_char('"'));
        }
    }
}

impl Visit for FieldsVisitor<'_, '_> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        if value.is_finite() {
            self.raw(field, format_args!("{value}"));
        } else {
            self.text(field, format_args!("{value}"));
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.raw(field, format_args!("{value}"));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.raw(field, format_args!("{value}"));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.raw(field, format_args!("{value}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.text(field, format_args!("{value}"));
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.text(field, format_args!("{value}"));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.text(field, format_args!("{value:?}"));
    }
}

/// What is written into it, escaped as the inside of a JSON string.
struct JsonString<'a, 'w>(&'a mut Writer<'w>);

impl fmt::Write for JsonString<'_, '_> {
    fn write_str(&mut self, value: &str) -> fmt::Result {
        let mut plain = 0;
        for (at, c) in value.char_indices() {
            let escaped = match c {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                c if u32::from(c) < 0x20 => "",
                _ => continue,
            };
            self.0.write_str(&value[plain..at])?;
            if escaped.is_empty() {
                write!(self.0, "\\u{:04x}", u32::from(c))?;
            } else {
                self.0.write_str(escaped)?;
            }
            plain = at + c.len_utf8();
        }
        self.0.write_str(&value[plain..])
    }
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::{Arc, Mutex};

    use serde_json::{Value, json};
    use tracing_subscriber::fmt::MakeWriter;

    use super::*;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Captured {
        type Writer = Captured;

        fn make_writer(&'a self) -> Captured {
            self.clone()
        }
    }

    fn lines_of(log: impl FnOnce()) -> Vec<Value> {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(captured.clone())
            .fmt_fields(JsonFields)
            .event_format(JsonLines)
            .finish();
        tracing::subscriber::with_default(subscriber, log);
        let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        text.lines()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
            .collect()
    }

    #[test]
    fn an_event_is_one_json_object_with_its_fields_and_its_spans_fields() {
        let lines = lines_of(|| {
            let span = tracing::info_span!("request", request_id = %"r-1");
            let _in = span.enter();
            tracing::info!(method = %"GET", path = "/v1/products?q=\"tea\"\n", status = 200u16, latency_ms = 0.25, ok = true, "request");
        });

        assert_eq!(lines.len(), 1);
        let line = &lines[0];
        assert_eq!(line["level"], "INFO");
        assert_eq!(line["message"], "request");
        assert_eq!(line["method"], "GET");
        assert_eq!(line["path"], "/v1/products?q=\"tea\"\n");
        assert_eq!(line["status"], 200);
        assert_eq!(line["latency_ms"], 0.25);
        assert_eq!(line["ok"], true);
        assert_eq!(line["request_id"], "r-1");
        let timestamp = line["timestamp"].as_str().unwrap();
        assert!(
            chrono::DateTime::parse_from_rfc3339(timestamp).is_ok(),
            "{timestamp}"
        );
    }

    #[test]
    fn a_line_written_for_a_request_carries_its_id_and_one_written_after_it_none() {
        let lines = lines_of(|| {
            request_id::lend(Some("r-2".into()), || tracing::info!("inside"));
            tracing::info!("after");
        });

        assert_eq!(lines[0]["request_id"], "r-2");
        assert_eq!(lines[1].get("request_id"), None);
    }

    #[test]
    fn control_characters_and_errors_are_escaped_into_valid_json() {
        let error = io::Error::other("disk \u{1} \"full\"\\");
        let lines = lines_of(|| {
            tracing::warn!(
                error = &error as &dyn std::error::Error,
                nan = f64::NAN,
                "tab\there"
            )
        });

        assert_eq!(
            (&lines[0]["error"], &lines[0]["nan"], &lines[0]["message"]),
            (
                &json!("disk \u{1} \"full\"\\"),
                &json!("NaN"),
                &json!("tab\there")
            )
        );
    }
}
