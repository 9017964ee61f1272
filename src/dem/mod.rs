//! Stim detector error models (DEMs): the syntax tree, a parser with line/column errors, a
//! writer, and a flattened view with repeat blocks unrolled and shifts applied.
//!
//! The language (specified with examples in `docs/formats/dem.md`) has one instruction per line:
//!
//! ```text
//! # a comment
//! error(0.1) D0 D1 L0          # probability, then detector/observable targets
//! error[tag](0.01) D0 ^ D5     # tag in brackets; `^` separates a suggested decomposition
//! detector(1.5, 2, 0) D0       # detector with coordinates
//! logical_observable L0
//! shift_detectors(0, 0, 1) 12  # shift later detector ids by 12 and coordinates by (0, 0, 1)
//! repeat 3 {                   # body executed 3 times; blocks nest
//!     error(0.1) D0 D12
//!     shift_detectors 12
//! }
//! ```
//!
//! [`Dem`] keeps the text's structure (targets relative to the enclosing shifts, repeat blocks
//! intact) and writes back as text with [`std::fmt::Display`]; [`Dem::flatten`] gives absolute
//! detector ids and coordinates. Comments are not kept.

mod flat;
mod parse;

pub use flat::{
    FlatComponent, FlatDem, FlatDetector, FlatError, FlattenError, MAX_DETECTORS,
    MAX_FLAT_INSTRUCTIONS, MAX_OBSERVABLES,
};
pub use parse::parse_dem;
pub use parse::MAX_REPEAT_DEPTH;

use std::fmt;
use std::path::Path;

/// A detector error model: a sequence of instructions and repeat blocks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dem {
    /// The items in file order.
    pub items: Vec<DemItem>,
}

/// One line of a DEM (or one repeat block with its body).
#[derive(Clone, Debug, PartialEq)]
pub enum DemItem {
    /// A plain instruction.
    Instruction(Instruction),
    /// `repeat N { ... }`.
    Repeat(RepeatBlock),
}

/// The instruction names of the DEM language (besides `repeat`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstructionKind {
    /// `error(p) targets`: an independent error mechanism of probability `p`.
    Error,
    /// `detector(coords) Dk`: declares detector `k`, optionally with coordinates.
    Detector,
    /// `logical_observable Lk`: declares observable `k`.
    LogicalObservable,
    /// `shift_detectors(coords) n`: adds `n` to later detector ids and `coords` to later
    /// coordinates.
    ShiftDetectors,
}

impl InstructionKind {
    /// The instruction's name as written.
    pub fn name(self) -> &'static str {
        match self {
            InstructionKind::Error => "error",
            InstructionKind::Detector => "detector",
            InstructionKind::LogicalObservable => "logical_observable",
            InstructionKind::ShiftDetectors => "shift_detectors",
        }
    }
}

/// A target of an instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// `Dk`: detector `k`, relative to the current detector shift.
    Detector(u64),
    /// `Lk`: logical observable `k`.
    Observable(u64),
    /// `^`: separator between components of a decomposed error.
    Separator,
    /// A plain number (the argument of `shift_detectors`).
    Number(u64),
}

/// A plain instruction with its 1-based source line (0 when built in code).
#[derive(Clone, Debug, PartialEq)]
pub struct Instruction {
    /// What the instruction does.
    pub kind: InstructionKind,
    /// The tag in `name[tag](...)`, empty when absent.
    pub tag: String,
    /// The parenthesised arguments.
    pub args: Vec<f64>,
    /// The targets.
    pub targets: Vec<Target>,
    /// Source line (1-based), 0 when not parsed from text.
    pub line: usize,
}

/// `repeat count { body }` with its 1-based source line.
#[derive(Clone, Debug, PartialEq)]
pub struct RepeatBlock {
    /// Times the body is executed.
    pub count: u64,
    /// The tag in `repeat[tag] N {`, empty when absent.
    pub tag: String,
    /// The body.
    pub body: Dem,
    /// Source line (1-based) of the `repeat` line, 0 when not parsed from text.
    pub line: usize,
}

/// A DEM that could not be read or parsed.
#[derive(Debug, thiserror::Error)]
pub enum DemError {
    /// Syntax or validity error at a position of the text.
    #[error("{source_name}line {line}, column {column}: {message}")]
    Parse {
        /// `"<file>: "` when the text came from a file, else empty.
        source_name: String,
        /// 1-based line.
        line: usize,
        /// 1-based column (in characters).
        column: usize,
        /// What was expected and what was found.
        message: String,
    },
    /// The model passes a documented size limit once flattened.
    #[error("{source_name}{err}")]
    Limit {
        /// `"<file>: "` when the text came from a file, else empty.
        source_name: String,
        /// The instruction and the limit.
        err: FlattenError,
    },
    /// The file could not be read.
    #[error("{path}: {err}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        err: std::io::Error,
    },
}

impl Dem {
    /// Reads and parses a DEM file; errors name the file, line and column.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Dem, DemError> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|err| DemError::Io {
            path: name.clone(),
            err,
        })?;
        parse_dem(&text).map_err(|e| match e {
            DemError::Parse {
                line,
                column,
                message,
                ..
            } => DemError::Parse {
                source_name: format!("{name}: "),
                line,
                column,
                message,
            },
            other => other,
        })
    }
}

impl FlatDem {
    /// Reads, parses and flattens a DEM file; errors name the file and line.
    pub fn from_file(path: impl AsRef<Path>) -> Result<FlatDem, DemError> {
        let path = path.as_ref();
        Dem::from_file(path)?
            .flatten()
            .map_err(|err| DemError::Limit {
                source_name: format!("{}: ", path.display()),
                err,
            })
    }
}

impl From<FlattenError> for DemError {
    fn from(err: FlattenError) -> Self {
        DemError::Limit {
            source_name: String::new(),
            err,
        }
    }
}

/// Writes a number the way a person and Stim both read back to the same `f64`: shortest
/// round-trip decimal, switching to exponent notation when that is shorter.
fn write_number(f: &mut fmt::Formatter<'_>, x: f64) -> fmt::Result {
    let plain = format!("{x}");
    let exp = format!("{x:e}");
    f.write_str(if exp.len() < plain.len() {
        &exp
    } else {
        &plain
    })
}

fn write_tag(f: &mut fmt::Formatter<'_>, tag: &str) -> fmt::Result {
    if tag.is_empty() {
        return Ok(());
    }
    f.write_str("[")?;
    for c in tag.chars() {
        match c {
            '\\' => f.write_str("\\B")?,
            ']' => f.write_str("\\C")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("]")
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Detector(k) => write!(f, "D{k}"),
            Target::Observable(k) => write!(f, "L{k}"),
            Target::Separator => f.write_str("^"),
            Target::Number(n) => write!(f, "{n}"),
        }
    }
}

impl Dem {
    fn write_indented(&self, f: &mut fmt::Formatter<'_>, depth: usize) -> fmt::Result {
        let indent = "    ".repeat(depth);
        for item in &self.items {
            f.write_str(&indent)?;
            match item {
                DemItem::Instruction(ins) => {
                    f.write_str(ins.kind.name())?;
                    write_tag(f, &ins.tag)?;
                    if !ins.args.is_empty() {
                        f.write_str("(")?;
                        for (k, &a) in ins.args.iter().enumerate() {
                            if k > 0 {
                                f.write_str(", ")?;
                            }
                            write_number(f, a)?;
                        }
                        f.write_str(")")?;
                    }
                    for t in &ins.targets {
                        write!(f, " {t}")?;
                    }
                    writeln!(f)?;
                }
                DemItem::Repeat(block) => {
                    f.write_str("repeat")?;
                    write_tag(f, &block.tag)?;
                    writeln!(f, " {} {{", block.count)?;
                    block.body.write_indented(f, depth + 1)?;
                    writeln!(f, "{indent}}}")?;
                }
            }
        }
        Ok(())
    }
}

impl fmt::Display for Dem {
    /// Writes the DEM as text in Stim's syntax, one instruction per line, repeat bodies
    /// indented by four spaces.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_indented(f, 0)
    }
}
