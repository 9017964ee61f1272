//! The DEM text parser.

use super::{Dem, DemError, DemItem, Instruction, InstructionKind, RepeatBlock, Target};

/// Deepest nesting of repeat blocks a model may have.
pub const MAX_REPEAT_DEPTH: usize = 256;

/// Parses DEM text. Errors give the 1-based line and column, what was expected and what was
/// found.
///
/// As Stim does, a line may hold more after a block's `{` or `}` (`repeat 2 { error(0.1) D0`,
/// `} error(0.1) D1`), and an empty argument stands for 0 (`error() D0`, `detector(1,,2) D0`).
pub fn parse_dem(text: &str) -> Result<Dem, DemError> {
    // Open repeat blocks (header without body, line) and the items of each open level.
    let mut stack: Vec<(RepeatBlock, usize)> = Vec::new();
    let mut levels: Vec<Vec<DemItem>> = vec![Vec::new()];
    for (k, raw) in text.lines().enumerate() {
        let mut cur = Cursor::new(raw, k + 1);
        loop {
            cur.skip_space();
            if cur.at_end_of_content() {
                break;
            }
            if cur.peek() == Some('}') {
                cur.bump();
                let Some((mut block, _)) = stack.pop() else {
                    return Err(cur.error_at(cur.col - 1, "found '}' without an open repeat block"));
                };
                block.body.items = levels.pop().expect("one level per open block");
                levels
                    .last_mut()
                    .expect("outer level")
                    .push(DemItem::Repeat(block));
                continue;
            }
            let start = cur.col;
            match parse_line(&mut cur)? {
                Line::Instruction(ins) => {
                    levels
                        .last_mut()
                        .expect("level")
                        .push(DemItem::Instruction(ins));
                    break;
                }
                Line::RepeatOpen(block) => {
                    if stack.len() >= MAX_REPEAT_DEPTH {
                        return Err(cur.error_at(
                            start,
                            format!(
                                "repeat blocks nest deeper than {MAX_REPEAT_DEPTH} levels, the \
                                 most a model may have"
                            ),
                        ));
                    }
                    stack.push((block, k + 1));
                    levels.push(Vec::new());
                }
            }
        }
    }
    if let Some((_, line)) = stack.pop() {
        return Err(DemError::Parse {
            source_name: String::new(),
            line,
            column: 1,
            message: "repeat block opened here is never closed with '}'".into(),
        });
    }
    Ok(Dem {
        items: levels.pop().expect("top level"),
    })
}

enum Line {
    Instruction(Instruction),
    RepeatOpen(RepeatBlock),
}

fn parse_line(cur: &mut Cursor) -> Result<Line, DemError> {
    let name_col = cur.col;
    let name = cur.take_while(|c| c.is_ascii_alphanumeric() || c == '_');
    if name.is_empty() {
        return Err(cur.error(format!(
            "expected an instruction name, found {}",
            cur.describe_next()
        )));
    }
    let kind = match name.to_ascii_lowercase().as_str() {
        "error" => Some(InstructionKind::Error),
        "detector" => Some(InstructionKind::Detector),
        "logical_observable" => Some(InstructionKind::LogicalObservable),
        "shift_detectors" => Some(InstructionKind::ShiftDetectors),
        "repeat" => None,
        _ => {
            return Err(cur.error_at(
                name_col,
                format!(
                    "unknown instruction '{name}' (expected error, detector, \
                     logical_observable, shift_detectors or repeat)"
                ),
            ))
        }
    };
    let shown = kind.map_or("repeat", InstructionKind::name);
    let tag = if cur.peek() == Some('[') {
        cur.parse_tag()?
    } else {
        String::new()
    };
    let args_col = cur.col;
    let args = if cur.peek() == Some('(') {
        cur.parse_args()?
    } else {
        Vec::new()
    };
    let mut targets = Vec::new();
    let mut target_cols = Vec::new();
    let mut opens_block = false;
    loop {
        let had_space = cur.skip_space();
        if cur.at_end_of_content() {
            break;
        }
        if cur.peek() == Some('{') {
            opens_block = true;
            cur.bump();
            break;
        }
        if !had_space {
            return Err(cur.error(format!(
                "expected a space before the next target, found {}",
                cur.describe_next()
            )));
        }
        target_cols.push(cur.col);
        targets.push(cur.parse_target()?);
    }
    let line = cur.line;
    let check_targets = |allowed: &dyn Fn(&Target) -> bool, what: &str| -> Result<(), DemError> {
        match targets.iter().position(|t| !allowed(t)) {
            Some(i) => Err(cur.error_at(
                target_cols[i],
                format!("'{shown}' takes {what}, found target '{}'", targets[i]),
            )),
            None => Ok(()),
        }
    };
    let arity = |n: usize, what: &str| -> Result<(), DemError> {
        if targets.len() == n {
            Ok(())
        } else {
            Err(cur.error_at(
                name_col,
                format!("'{shown}' takes {what}, found {} targets", targets.len()),
            ))
        }
    };
    if opens_block != kind.is_none() {
        return Err(if opens_block {
            cur.error_at(name_col, format!("'{shown}' cannot open a block with '{{'"))
        } else {
            cur.error_at(
                name_col,
                "'repeat N' must be followed by '{' on the same line",
            )
        });
    }
    let Some(kind) = kind else {
        if !args.is_empty() {
            return Err(cur.error_at(args_col, "'repeat' takes no parenthesised arguments"));
        }
        check_targets(&|t| matches!(t, Target::Number(_)), "a repetition count")?;
        arity(1, "exactly one repetition count")?;
        let Target::Number(count) = targets[0] else {
            unreachable!("checked above")
        };
        return Ok(Line::RepeatOpen(RepeatBlock {
            count,
            tag,
            body: Dem::default(),
            line,
        }));
    };
    match kind {
        InstructionKind::Error => {
            if args.len() != 1 {
                return Err(cur.error_at(
                    args_col,
                    format!(
                        "'error' takes one argument (a probability), found {}",
                        args.len()
                    ),
                ));
            }
            if !(0.0..=1.0).contains(&args[0]) {
                return Err(cur.error_at(
                    args_col,
                    format!("'error' probability must be in [0, 1], found {}", args[0]),
                ));
            }
            check_targets(
                &|t| !matches!(t, Target::Number(_)),
                "detector (Dk), observable (Lk) and separator (^) targets",
            )?;
            for (i, t) in targets.iter().enumerate() {
                let first_or_last = i == 0 || i + 1 == targets.len();
                if *t == Target::Separator && (first_or_last || targets[i - 1] == Target::Separator)
                {
                    return Err(cur.error_at(
                        target_cols[i],
                        "a separator '^' must stand between two components of the error",
                    ));
                }
            }
        }
        InstructionKind::Detector => {
            check_targets(
                &|t| matches!(t, Target::Detector(_)),
                "a detector target (Dk)",
            )?;
            arity(1, "exactly one detector target")?;
        }
        InstructionKind::LogicalObservable => {
            if !args.is_empty() {
                return Err(cur.error_at(args_col, "'logical_observable' takes no arguments"));
            }
            check_targets(
                &|t| matches!(t, Target::Observable(_)),
                "an observable target (Lk)",
            )?;
            arity(1, "exactly one observable target")?;
        }
        InstructionKind::ShiftDetectors => {
            check_targets(&|t| matches!(t, Target::Number(_)), "a plain number")?;
            arity(1, "exactly one number")?;
        }
    }
    Ok(Line::Instruction(Instruction {
        kind,
        tag,
        args,
        targets,
        line,
    }))
}

/// A position in one line of text; columns are 1-based character counts.
struct Cursor {
    chars: Vec<char>,
    line: usize,
    col: usize,
}

impl Cursor {
    fn new(text: &str, line: usize) -> Self {
        Cursor {
            chars: text.chars().collect(),
            line,
            col: 1,
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.col - 1).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek();
        if c.is_some() {
            self.col += 1;
        }
        c
    }

    /// Skips spaces and tabs; true when any were skipped.
    fn skip_space(&mut self) -> bool {
        let mut any = false;
        while matches!(self.peek(), Some(' ' | '\t' | '\r')) {
            self.bump();
            any = true;
        }
        any
    }

    /// At the end of the line or at a comment.
    fn at_end_of_content(&self) -> bool {
        matches!(self.peek(), None | Some('#'))
    }

    fn take_while(&mut self, f: impl Fn(char) -> bool) -> String {
        let mut s = String::new();
        while let Some(c) = self.peek().filter(|&c| f(c)) {
            s.push(c);
            self.bump();
        }
        s
    }

    fn describe_next(&self) -> String {
        match self.peek() {
            None => "the end of the line".into(),
            Some(c) => format!("'{c}'"),
        }
    }

    fn error(&self, message: impl Into<String>) -> DemError {
        self.error_at(self.col, message)
    }

    fn error_at(&self, column: usize, message: impl Into<String>) -> DemError {
        DemError::Parse {
            source_name: String::new(),
            line: self.line,
            column,
            message: message.into(),
        }
    }

    /// `[tag]` with Stim's escapes `\n`, `\r`, `\B` (backslash), `\C` (`]`).
    fn parse_tag(&mut self) -> Result<String, DemError> {
        let open = self.col;
        self.bump();
        let mut tag = String::new();
        loop {
            match self.bump() {
                None => {
                    return Err(self.error_at(open, "tag opened with '[' is never closed with ']'"))
                }
                Some(']') => return Ok(tag),
                Some('\\') => {
                    let esc_col = self.col - 1;
                    tag.push(match self.bump() {
                        Some('n') => '\n',
                        Some('r') => '\r',
                        Some('B') => '\\',
                        Some('C') => ']',
                        other => {
                            return Err(self.error_at(
                                esc_col,
                                format!(
                                    "unknown escape '\\{}' in tag (expected \\n, \\r, \\B or \\C)",
                                    other.map_or(String::new(), String::from)
                                ),
                            ))
                        }
                    });
                }
                Some(c) => tag.push(c),
            }
        }
    }

    /// `(a, b, ...)`: finite numbers separated by commas; an empty argument is 0, as in Stim.
    fn parse_args(&mut self) -> Result<Vec<f64>, DemError> {
        self.bump();
        let mut args = Vec::new();
        loop {
            self.skip_space();
            let col = self.col;
            let text = self.take_while(|c| c != ',' && c != ')' && c != ' ' && c != '\t');
            let value = if text.is_empty() && matches!(self.peek(), Some(',' | ')')) {
                Some(0.0)
            } else {
                text.parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite() && !text.is_empty())
                    .filter(|_| {
                        text.bytes()
                            .all(|b| b.is_ascii_digit() || b".eE+-".contains(&b))
                    })
            };
            let Some(value) = value else {
                return Err(self.error_at(
                    col,
                    format!(
                        "expected a number, found {}",
                        if text.is_empty() {
                            self.describe_next()
                        } else {
                            format!("'{text}'")
                        }
                    ),
                ));
            };
            args.push(value);
            self.skip_space();
            match self.bump() {
                Some(',') => continue,
                Some(')') => return Ok(args),
                other => {
                    return Err(self.error_at(
                        self.col - usize::from(other.is_some()),
                        format!(
                            "expected ',' or ')' in the argument list, found {}",
                            other.map_or("the end of the line".into(), |c| format!("'{c}'"))
                        ),
                    ))
                }
            }
        }
    }

    fn parse_target(&mut self) -> Result<Target, DemError> {
        let col = self.col;
        let token = self.take_while(|c| !c.is_whitespace() && c != '#' && c != '{');
        let number = |digits: &str| -> Result<u64, DemError> {
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(self.error_at(
                    col,
                    format!("expected a target (Dk, Lk, ^ or a number), found '{token}'"),
                ));
            }
            digits
                .parse::<u64>()
                .map_err(|_| self.error_at(col, format!("number too large in target '{token}'")))
        };
        match token.chars().next() {
            Some('^') if token.len() == 1 => Ok(Target::Separator),
            Some('D' | 'd') => Ok(Target::Detector(number(&token[1..])?)),
            Some('L' | 'l') => Ok(Target::Observable(number(&token[1..])?)),
            _ => Ok(Target::Number(number(&token)?)),
        }
    }
}
