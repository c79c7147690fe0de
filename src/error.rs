//! Typed errors of the library. Every variant names the input (and for rule
//! files the file and line) and says what to do; no trailing period.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum InputError {
    #[error("{path}: cannot open: {source}")]
    Open {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: is a directory, not a log file: name the log files in it")]
    IsDirectory { path: String },
    #[error("{path}: read failed after {lines} lines: {source}")]
    Read {
        path: String,
        lines: u64,
        source: std::io::Error,
    },
    #[error("{path}: gzip data is corrupt or truncated after {lines} lines: {source}")]
    Gzip {
        path: String,
        lines: u64,
        source: std::io::Error,
    },
}

#[derive(Debug, Error)]
pub enum RulesError {
    #[error("{path}: cannot read rules: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{file}:{line}: invalid TOML: {message}")]
    Syntax {
        file: String,
        line: usize,
        message: String,
    },
    #[error("{file}:{line}: signature `{id}`: {message}")]
    Invalid {
        file: String,
        line: usize,
        id: String,
        message: String,
    },
}
