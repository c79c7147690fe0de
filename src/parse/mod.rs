//! Format parsers: one module per input format. Parsers are total (every
//! line becomes an event), do no I/O and never panic.

pub mod devstack;
pub mod gobuild;
pub mod worlddump;
