//! `stacklog parse`: every line of an input as one JSON event (the format
//! is decided from the first lines, like `diagnose`), then one closing
//! object with the facts (and, for worlddump and Go logs, the structured
//! summary). Schema: docs/events.md.

use std::io::{self, Write};

use serde::Serialize;

use crate::analyze::{sniff, sniff_clear, sniff_now};
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

struct Writer<'o> {
    out: &'o mut dyn Write,
    parser: Option<Parser>,
    pending: Vec<(u64, Vec<u8>)>,
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
                let event = p.parse_line(n, body);
                serde_json::to_writer(
                    &mut *self.out,
                    &Wrapped {
                        line: n,
                        ts,
                        host,
                        event,
                    },
                )
            }
            Some(Parser::Go(p)) => {
                let event = p.parse_line(n, body);
                serde_json::to_writer(
                    &mut *self.out,
                    &Wrapped {
                        line: n,
                        ts,
                        host,
                        event,
                    },
                )
            }
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
        let pending = std::mem::take(&mut self.pending);
        let peeled: Vec<Line<'_>> = pending.iter().map(|(n, raw)| peel(*n, raw)).collect();
        let bodies: Vec<&str> = peeled.iter().map(|l| &*l.body).collect();
        self.parser = Some(match sniff(&bodies) {
            Format::Devstack => Parser::Devstack(DevstackParser::new(), Box::default()),
            Format::Worlddump => Parser::Worlddump(Box::default()),
            Format::GoBuild => Parser::Go(Box::default()),
        });
        for l in &peeled {
            self.line(l);
        }
    }

    fn feed(&mut self, n: u64, raw: &[u8]) {
        if self.parser.is_none() {
            self.pending.push((n, raw.to_vec()));
            let pending = &self.pending;
            if sniff_now(pending.len(), || {
                let peeled: Vec<Line<'_>> = pending.iter().map(|(n, raw)| peel(*n, raw)).collect();
                let bodies: Vec<&str> = peeled.iter().map(|l| &*l.body).collect();
                sniff_clear(&bodies)
            }) {
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
        pending: vec![],
        error: None,
    };
    let read = input::for_each_line(spec, |n, raw| w.feed(n, raw));
    let closed = w.close();
    if let Err(e) = read {
        return Err(EventsError::Input(e));
    }
    closed.map_err(EventsError::Write)
}
