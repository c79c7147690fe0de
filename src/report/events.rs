//! `stacklog parse`: every line of an input as one JSON event (the format
//! is decided from the first lines, like `diagnose`), then one closing
//! object with the facts (and, for worlddump and Go logs, the structured
//! summary). Schema: docs/events.md.

use std::io::{self, Write};

use serde::Serialize;

use crate::analyze::Sniffer;
use crate::error::InputError;
use crate::event::{Event, EventKind};
use crate::facts::Facts;
use crate::input::{self, InputSpec};
use crate::lines::{Line, peel};
use crate::parse::devstack::DevstackParser;
use crate::parse::gobuild::GoParser;
use crate::parse::worlddump::WorlddumpParser;
use crate::rules::Format;

/// Why `parse` stopped early.
#[derive(Debug)]
pub enum EventsError {
    Input(InputError),
    /// Writing failed; a closed pipe is reported as this too.
    Write(io::Error),
}

enum Parser {
    Devstack(DevstackParser, Box<Facts>),
    Worlddump(Box<WorlddumpParser>),
    Go(Box<GoParser>),
}

/// One event with the line's wrapper data, for any format.
#[derive(Serialize)]
struct Wrapped<'a, E: Serialize> {
    line: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    ts: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    host: Option<&'a str>,
    #[serde(flatten)]
    event: E,
}

fn wrapped<E: Serialize>(
    out: &mut dyn Write,
    line: u64,
    ts: Option<&str>,
    host: Option<&str>,
    event: E,
) -> serde_json::Result<()> {
    serde_json::to_writer(
        out,
        &Wrapped {
            line,
            ts,
            host,
            event,
        },
    )
}

struct Writer<'o> {
    out: &'o mut dyn Write,
    parser: Option<Parser>,
    sniffer: Sniffer,
    error: Option<io::Error>,
}

impl Writer<'_> {
    fn line(&mut self, line: &Line<'_>) {
        if self.error.is_some() {
            return;
        }
        let (n, ts, host, body) = (line.number, line.ts, line.host, &*line.body);
        let r = match self.parser.as_mut() {
            Some(Parser::Devstack(p, facts)) => {
                let kind: EventKind<'_> = p.parse_line(n, body);
                facts.observe(n, &kind, body);
                serde_json::to_writer(
                    &mut *self.out,
                    &Event {
                        line: n,
                        ts,
                        host,
                        kind,
                    },
                )
            }
            Some(Parser::Worlddump(p)) => {
                wrapped(&mut *self.out, n, ts, host, p.parse_line(n, body))
            }
            Some(Parser::Go(p)) => wrapped(&mut *self.out, n, ts, host, p.parse_line(n, body)),
            None => return,
        };
        if let Err(e) = r
            .map_err(io::Error::from)
            .and_then(|_| self.out.write_all(b"\n"))
        {
            self.error = Some(e);
        }
    }

    fn decide(&mut self) {
        let (format, pending) = self.sniffer.decide();
        self.parser = Some(match format {
            Format::Devstack => Parser::Devstack(DevstackParser::new(), Box::default()),
            Format::Worlddump => Parser::Worlddump(Box::default()),
            Format::GoBuild => Parser::Go(Box::default()),
        });
        for (n, raw) in &pending {
            self.line(&peel(*n, raw));
        }
    }

    fn feed(&mut self, n: u64, raw: &[u8]) {
        if self.parser.is_none() {
            if self.sniffer.push(n, raw) {
                self.decide();
            }
            return;
        }
        self.line(&peel(n, raw));
    }

    fn close(&mut self) -> io::Result<()> {
        if self.parser.is_none() {
            self.decide();
        }
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let last = match self.parser.as_ref() {
            Some(Parser::Devstack(_, facts)) => {
                serde_json::json!({ "kind": "facts", "facts": facts.values, "services": facts.services })
            }
            Some(Parser::Worlddump(p)) => {
                serde_json::json!({ "kind": "summary", "format": "worlddump", "summary": p.summary(), "facts": p.facts() })
            }
            Some(Parser::Go(p)) => {
                serde_json::json!({ "kind": "summary", "format": "go-build", "summary": p.summary(), "facts": p.facts(), "failure": p.failure() })
            }
            None => return Ok(()),
        };
        writeln!(self.out, "{last}")?;
        self.out.flush()
    }
}

/// Writes the events of `spec` to `out`.
pub fn write(spec: &InputSpec, out: &mut dyn Write) -> Result<(), EventsError> {
    let mut w = Writer {
        out,
        parser: None,
        sniffer: Sniffer::default(),
        error: None,
    };
    let read = input::for_each_line(spec, |n, raw| w.feed(n, raw));
    let closed = w.close();
    if let Err(e) = read {
        return Err(EventsError::Input(e));
    }
    closed.map_err(EventsError::Write)
}
