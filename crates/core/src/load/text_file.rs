//! A run file read as text: undecodable bytes shown as �, and said once.

use std::path::Path;

use crate::diagnostics::Diagnostic;

/// How a diagnostic about undecodable bytes begins.
pub(crate) const NOT_UTF8: &str = "not valid UTF-8";

/// The file's text, or `None` (with a diagnostic) when it cannot be read.
pub(crate) fn read_text(path: &Path, diagnostics: &mut Vec<Diagnostic>) -> Option<String> {
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Some(text),
            Err(err) => {
                diagnostics.push(Diagnostic::warning(
                    path,
                    None,
                    format!("{NOT_UTF8}; undecodable bytes shown as �"),
                ));
                Some(String::from_utf8_lossy(err.as_bytes()).into_owned())
            }
        },
        Err(err) => {
            diagnostics.push(Diagnostic::error(path, None, format!("cannot read: {err}")));
            None
        }
    }
}
