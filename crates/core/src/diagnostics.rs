//! Problems found while loading, each pinned to a file and (where it makes sense) a line.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Severity {
    /// Something could not be read at all (a file, a line).
    Error,
    /// Readable but odd: duplicates, missing images, mismatching logs.
    Warning,
    /// Worth knowing, not wrong (e.g. a think folder without traces).
    Info,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: PathBuf,
    /// 1-based line, when the problem is on a line.
    pub line: Option<u64>,
    pub message: String,
}

impl Diagnostic {
    pub fn new(
        severity: Severity,
        file: &Path,
        line: Option<u64>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity,
            file: file.to_path_buf(),
            line,
            message: message.into(),
        }
    }

    pub fn error(file: &Path, line: Option<u64>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, file, line, message)
    }

    pub fn warning(file: &Path, line: Option<u64>, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, file, line, message)
    }

    pub fn info(file: &Path, line: Option<u64>, message: impl Into<String>) -> Self {
        Self::new(Severity::Info, file, line, message)
    }

    /// `file:line` as editors and terminals understand it.
    pub fn location(&self) -> String {
        // (A remote run's files are named by their URLs, not by where the cache keeps them.)
        let file = crate::mirrors::shown_path(&self.file);
        match self.line {
            Some(line) => format!("{file}:{line}"),
            None => file,
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: {}",
            self.severity.label(),
            self.location(),
            self.message
        )
    }
}
