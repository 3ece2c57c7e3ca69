//! A system's own configuration files, in and out: the shapes every importer and
//! exporter shares, and the one-text form with a section per file.
//!
//! A system that reads its real configuration files says so in its [`SystemDesc`]
//! (`import`, `export`); the page and the command-line tool call them without knowing
//! the system.
//!
//! [`SystemDesc`]: crate::system::SystemDesc

use serde::Serialize;

use crate::scenario::Scenario;

/// One configuration file: its name (a path, or a section's name) and its text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConfFile {
    /// Where it came from (`box1/M1` in a sectioned text, or a file's path).
    pub name: String,
    /// Its text.
    pub text: String,
}

/// What became of one line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteLevel {
    /// The real system refuses this line (it would not start); nothing is imported.
    Refused,
    /// Valid for the real system, but the lab does not model it.
    NotModelled,
    /// Read, with something worth knowing (a value adjusted, an assumption made).
    Info,
}

/// A message about one line of one file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConfNote {
    /// The file's name.
    pub file: String,
    /// The line number, from 1 (0: the file as a whole).
    pub line: usize,
    /// What became of it.
    pub level: NoteLevel,
    /// In plain words; for a refused line, the real system's own words.
    pub text: String,
    /// Whether what it configures can change a split-brain's outcome.
    pub matters: bool,
}

/// The result of importing configuration files.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConfImport {
    /// The scenario, unless a line was refused or the files do not make a deployment.
    pub scenario: Option<Scenario>,
    /// A note for every line the lab did not simply take, in file and line order.
    pub notes: Vec<ConfNote>,
}

/// Reads configuration files into a scenario of the system.
pub type ImportFn = fn(&[ConfFile]) -> ConfImport;
/// Writes a scenario's processes as the system's configuration files.
pub type ExportFn = fn(&Scenario) -> Result<Vec<ConfFile>, crate::scenario::ScenarioError>;

/// A system's configuration files, as it describes them once.
pub struct ConfDesc {
    /// Reads the files into a scenario.
    pub import: ImportFn,
    /// Writes a scenario as the files.
    pub export: ExportFn,
    /// What to paste or open, in a sentence or two.
    pub help: &'static str,
    /// A short example for an empty field.
    pub example: &'static str,
    /// The real program that refuses a bad line ("would stop it from starting").
    pub program: &'static str,
}

/// The line that starts a section in a text holding several files: a comment to the
/// real system, so each section stays a valid file.
pub const SECTION: &str = "#> ";

/// Splits a text into its sections (`#> box1/M1` starts one). A text with no section
/// line is one file named `name`; lines before the first section line are dropped
/// unless they are only comments or blank.
pub fn split_sections(name: &str, text: &str) -> Vec<ConfFile> {
    let mut out: Vec<ConfFile> = Vec::new();
    let mut before = String::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix(SECTION) {
            out.push(ConfFile {
                name: rest.trim().to_string(),
                text: String::new(),
            });
        } else if let Some(last) = out.last_mut() {
            last.text.push_str(line);
            last.text.push('\n');
        } else {
            before.push_str(line);
            before.push('\n');
        }
    }
    let stray = before
        .lines()
        .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    if out.is_empty() || stray {
        out.insert(
            0,
            ConfFile {
                name: name.to_string(),
                text: before,
            },
        );
    }
    out
}

/// Joins files into one text with a section line before each.
pub fn join_sections(files: &[ConfFile]) -> String {
    let mut out = String::new();
    for f in files {
        out.push_str(SECTION);
        out.push_str(&f.name);
        out.push('\n');
        out.push_str(&f.text);
        if !f.text.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_split_and_join_back() {
        let files = vec![
            ConfFile {
                name: "box1/A1".into(),
                text: "port 7000\n".into(),
            },
            ConfFile {
                name: "box1/B1".into(),
                text: "watch a 10.0.0.1 7000 2\n".into(),
            },
        ];
        let text = join_sections(&files);
        assert_eq!(split_sections("pasted", &text), files);
        let plain = split_sections("server.conf", "port 7000\n");
        assert_eq!(plain.len(), 1);
        assert_eq!(plain[0].name, "server.conf");
    }
}
