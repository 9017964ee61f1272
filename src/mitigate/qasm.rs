//! OpenQASM 2.0 reader and writer for the gate subset of [`Gate`] (`qelib1.inc` semantics).
//!
//! Accepted: `OPENQASM 2.0;`, `include "qelib1.inc";`, `qreg`/`creg` declarations (several
//! quantum registers are laid out one after the other in declaration order), the gates
//! `id x y z h s sdg t tdg rx ry rz u3 cx cz swap rzz` with parameter expressions (numbers, `pi`,
//! `+ - * / ^`, parentheses, `sin cos tan exp ln sqrt`), register broadcasting (`h q;`), `barrier`
//! (ignored), terminal `measure` statements (ignored: observables are evaluated on the final
//! state) and `//` comments. Everything else (`reset`, `if`, `gate` definitions, unknown gates,
//! gates after a measurement) is rejected with the line and column where it starts.
//!
//! Limits, checked before anything is allocated or recursed into: at most
//! [`MAX_QASM_QUBITS`] qubits in all quantum registers together (the statevector simulator's
//! limit; nothing here can simulate more), parameter expressions nested at most
//! [`MAX_EXPR_DEPTH`] deep (parentheses, function calls, signs and powers), and every
//! parameter a finite number.

use super::circuit::{Circuit, Gate, Op};
use super::statevector::MAX_STATEVECTOR_QUBITS;
use std::fmt;

/// The most qubits a circuit may declare: the largest any simulator here runs.
pub const MAX_QASM_QUBITS: usize = MAX_STATEVECTOR_QUBITS;

/// The deepest nesting of a parameter expression (each parenthesis, function call, sign or
/// power is one level); the parser recurses once per level.
pub const MAX_EXPR_DEPTH: usize = 64;

/// A QASM syntax or semantic error at a position of the source (1-based line and column).
#[derive(Debug, Clone, PartialEq)]
pub struct QasmError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
    /// What was expected and what was found.
    pub message: String,
}

impl fmt::Display for QasmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.col, self.message
        )
    }
}

impl std::error::Error for QasmError {}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Num(f64),
    Str(String),
    Sym(char),
    Arrow,
    Eq2,
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Ident(s) => write!(f, "'{s}'"),
            Tok::Num(x) => write!(f, "number {x}"),
            Tok::Str(s) => write!(f, "string \"{s}\""),
            Tok::Sym(c) => write!(f, "'{c}'"),
            Tok::Arrow => write!(f, "'->'"),
            Tok::Eq2 => write!(f, "'=='"),
        }
    }
}

struct Lexed {
    toks: Vec<(Tok, usize, usize)>,
    end: (usize, usize),
}

fn lex(src: &str) -> Result<Lexed, QasmError> {
    let chars: Vec<char> = src.chars().collect();
    let (mut i, mut line, mut col) = (0usize, 1usize, 1usize);
    let mut toks = Vec::new();
    let err = |line, col, message: String| QasmError { line, col, message };
    while i < chars.len() {
        let c = chars[i];
        let (l0, c0) = (line, col);
        let adv = |i: &mut usize, col: &mut usize, k: usize| {
            *i += k;
            *col += k;
        };
        if c == '\n' {
            i += 1;
            line += 1;
            col = 1;
        } else if c.is_whitespace() {
            adv(&mut i, &mut col, 1);
        } else if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                adv(&mut i, &mut col, 1);
            }
        } else if c.is_ascii_alphabetic() || c == '_' {
            let s: String = chars[i..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
                .collect();
            adv(&mut i, &mut col, s.len());
            toks.push((Tok::Ident(s), l0, c0));
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let mut j = i;
            while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == '.') {
                j += 1;
            }
            if j < chars.len() && (chars[j] == 'e' || chars[j] == 'E') {
                let mut k = j + 1;
                if k < chars.len() && (chars[k] == '+' || chars[k] == '-') {
                    k += 1;
                }
                if k < chars.len() && chars[k].is_ascii_digit() {
                    j = k;
                    while j < chars.len() && chars[j].is_ascii_digit() {
                        j += 1;
                    }
                }
            }
            let s: String = chars[i..j].iter().collect();
            let x: f64 = s
                .parse()
                .map_err(|_| err(l0, c0, format!("malformed number '{s}'")))?;
            let len = j - i;
            adv(&mut i, &mut col, len);
            toks.push((Tok::Num(x), l0, c0));
        } else if c == '"' {
            let s: String = chars[i + 1..]
                .iter()
                .take_while(|c| **c != '"' && **c != '\n')
                .collect();
            if chars.get(i + 1 + s.len()) != Some(&'"') {
                return Err(err(l0, c0, "unterminated string".into()));
            }
            adv(&mut i, &mut col, s.len() + 2);
            toks.push((Tok::Str(s), l0, c0));
        } else if c == '-' && chars.get(i + 1) == Some(&'>') {
            adv(&mut i, &mut col, 2);
            toks.push((Tok::Arrow, l0, c0));
        } else if c == '=' && chars.get(i + 1) == Some(&'=') {
            adv(&mut i, &mut col, 2);
            toks.push((Tok::Eq2, l0, c0));
        } else if "()[]{};,+-*/^".contains(c) {
            adv(&mut i, &mut col, 1);
            toks.push((Tok::Sym(c), l0, c0));
        } else {
            return Err(err(l0, c0, format!("unexpected character '{c}'")));
        }
    }
    Ok(Lexed {
        toks,
        end: (line, col),
    })
}

struct Register {
    name: String,
    offset: usize,
    size: usize,
}

struct Parser {
    lx: Lexed,
    pos: usize,
    qregs: Vec<Register>,
    cregs: Vec<(String, usize)>,
    num_qubits: usize,
    /// Qubits already measured (only terminal measurements are accepted).
    measured: Vec<bool>,
    /// Current nesting depth of the expression being parsed.
    depth: usize,
}

/// A resolved gate argument: one qubit, or a whole register (broadcast).
enum Arg {
    One(usize),
    Reg(usize, usize),
}

impl Parser {
    fn here(&self) -> (usize, usize) {
        self.lx
            .toks
            .get(self.pos)
            .map(|t| (t.1, t.2))
            .unwrap_or(self.lx.end)
    }

    fn error_here(&self, message: String) -> QasmError {
        let (line, col) = self.here();
        QasmError { line, col, message }
    }

    fn found(&self) -> String {
        self.lx
            .toks
            .get(self.pos)
            .map(|t| t.0.to_string())
            .unwrap_or_else(|| "end of file".into())
    }

    fn peek(&self) -> Option<&Tok> {
        self.lx.toks.get(self.pos).map(|t| &t.0)
    }

    fn expect_sym(&mut self, c: char) -> Result<(), QasmError> {
        if self.peek() == Some(&Tok::Sym(c)) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error_here(format!("expected '{c}', found {}", self.found())))
        }
    }

    fn eat_sym(&mut self, c: char) -> bool {
        if self.peek() == Some(&Tok::Sym(c)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn ident(&mut self, what: &str) -> Result<String, QasmError> {
        match self.peek() {
            Some(Tok::Ident(s)) => {
                let s = s.clone();
                self.pos += 1;
                Ok(s)
            }
            _ => Err(self.error_here(format!("expected {what}, found {}", self.found()))),
        }
    }

    fn uint(&mut self, what: &str) -> Result<usize, QasmError> {
        match self.peek() {
            Some(Tok::Num(x)) if *x >= 0.0 && x.fract() == 0.0 => {
                let v = *x as usize;
                self.pos += 1;
                Ok(v)
            }
            _ => Err(self.error_here(format!("expected {what}, found {}", self.found()))),
        }
    }

    // Expression grammar: expr = term (('+'|'-') term)*; term = unary (('*'|'/') unary)*;
    // unary = '-' unary | power; power = atom ('^' unary)?
    fn expr(&mut self) -> Result<f64, QasmError> {
        let mut v = self.term()?;
        loop {
            if self.eat_sym('+') {
                v += self.term()?;
            } else if self.eat_sym('-') {
                v -= self.term()?;
            } else {
                return Ok(v);
            }
        }
    }

    fn term(&mut self) -> Result<f64, QasmError> {
        let mut v = self.unary()?;
        loop {
            if self.eat_sym('*') {
                v *= self.unary()?;
            } else if self.eat_sym('/') {
                v /= self.unary()?;
            } else {
                return Ok(v);
            }
        }
    }

    /// One level of expression nesting: every recursion of the expression grammar passes
    /// through here, so the depth limit bounds the parser's stack.
    fn unary(&mut self) -> Result<f64, QasmError> {
        if self.depth >= MAX_EXPR_DEPTH {
            return Err(self.error_here(format!(
                "expression nested more than {MAX_EXPR_DEPTH} levels deep (parentheses, function \
                 calls, signs and powers)"
            )));
        }
        self.depth += 1;
        let v = self.unary_level();
        self.depth -= 1;
        v
    }

    fn unary_level(&mut self) -> Result<f64, QasmError> {
        if self.eat_sym('-') {
            return Ok(-self.unary()?);
        }
        if self.eat_sym('+') {
            return self.unary();
        }
        let base = self.atom()?;
        if self.eat_sym('^') {
            return Ok(base.powf(self.unary()?));
        }
        Ok(base)
    }

    fn atom(&mut self) -> Result<f64, QasmError> {
        match self.peek().cloned() {
            Some(Tok::Num(x)) => {
                self.pos += 1;
                Ok(x)
            }
            Some(Tok::Sym('(')) => {
                self.pos += 1;
                let v = self.expr()?;
                self.expect_sym(')')?;
                Ok(v)
            }
            Some(Tok::Ident(name)) => {
                if name == "pi" {
                    self.pos += 1;
                    return Ok(std::f64::consts::PI);
                }
                let f: fn(f64) -> f64 = match name.as_str() {
                    "sin" => f64::sin,
                    "cos" => f64::cos,
                    "tan" => f64::tan,
                    "exp" => f64::exp,
                    "ln" => f64::ln,
                    "sqrt" => f64::sqrt,
                    _ => {
                        return Err(self.error_here(format!(
                            "expected a number, 'pi' or a function, found '{name}'"
                        )))
                    }
                };
                self.pos += 1;
                self.expect_sym('(')?;
                let v = self.expr()?;
                self.expect_sym(')')?;
                Ok(f(v))
            }
            _ => Err(self.error_here(format!("expected an expression, found {}", self.found()))),
        }
    }

    fn qarg(&mut self) -> Result<Arg, QasmError> {
        let (line, col) = self.here();
        let name = self.ident("a quantum register")?;
        let reg = self
            .qregs
            .iter()
            .find(|r| r.name == name)
            .ok_or_else(|| QasmError {
                line,
                col,
                message: format!("undeclared quantum register '{name}'"),
            })?;
        let (offset, size) = (reg.offset, reg.size);
        if self.eat_sym('[') {
            let (line, col) = self.here();
            let i = self.uint("a qubit index")?;
            if i >= size {
                return Err(QasmError {
                    line,
                    col,
                    message: format!(
                        "qubit index {i} out of range for register '{name}' of size {size}"
                    ),
                });
            }
            self.expect_sym(']')?;
            Ok(Arg::One(offset + i))
        } else {
            Ok(Arg::Reg(offset, size))
        }
    }

    fn statement(&mut self, circuit: &mut Circuit) -> Result<(), QasmError> {
        let (line, col) = self.here();
        let at = |message: String| QasmError { line, col, message };
        let word = self.ident("a statement")?;
        match word.as_str() {
            "OPENQASM" => {
                match self.peek() {
                    Some(Tok::Num(v)) if (*v - 2.0).abs() < 1e-12 => self.pos += 1,
                    _ => {
                        return Err(self
                            .error_here(format!("expected version 2.0, found {}", self.found())))
                    }
                }
                self.expect_sym(';')
            }
            "include" => {
                match self.peek() {
                    Some(Tok::Str(s)) if s == "qelib1.inc" => self.pos += 1,
                    _ => {
                        return Err(self.error_here(format!(
                            "expected \"qelib1.inc\" (the only supported include), found {}",
                            self.found()
                        )))
                    }
                }
                self.expect_sym(';')
            }
            "qreg" | "creg" => {
                let name = self.ident("a register name")?;
                self.expect_sym('[')?;
                let (size_line, size_col) = self.here();
                let size = self.uint("a register size")?;
                if word == "qreg" && self.num_qubits.saturating_add(size) > MAX_QASM_QUBITS {
                    return Err(QasmError {
                        line: size_line,
                        col: size_col,
                        message: format!(
                            "register '{name}' of {size} qubits makes {} qubits in all, more than \
                             the {MAX_QASM_QUBITS} any simulator here supports",
                            self.num_qubits.saturating_add(size)
                        ),
                    });
                }
                self.expect_sym(']')?;
                self.expect_sym(';')?;
                if self.qregs.iter().any(|r| r.name == name)
                    || self.cregs.iter().any(|c| c.0 == name)
                {
                    return Err(at(format!("register '{name}' declared twice")));
                }
                if word == "qreg" {
                    self.qregs.push(Register {
                        name,
                        offset: self.num_qubits,
                        size,
                    });
                    self.num_qubits += size;
                    circuit.num_qubits = self.num_qubits;
                    self.measured.resize(self.num_qubits, false);
                } else {
                    self.cregs.push((name, size));
                }
                Ok(())
            }
            "barrier" => {
                loop {
                    self.qarg()?;
                    if !self.eat_sym(',') {
                        break;
                    }
                }
                self.expect_sym(';')
            }
            "measure" => {
                let qubits = match self.qarg()? {
                    Arg::One(q) => q..q + 1,
                    Arg::Reg(o, s) => o..o + s,
                };
                if self.peek() != Some(&Tok::Arrow) {
                    return Err(self.error_here(format!("expected '->', found {}", self.found())));
                }
                self.pos += 1;
                let (cl, cc) = self.here();
                let cname = self.ident("a classical register")?;
                let csize = self
                    .cregs
                    .iter()
                    .find(|c| c.0 == cname)
                    .map(|c| c.1)
                    .ok_or_else(|| QasmError {
                        line: cl,
                        col: cc,
                        message: format!("undeclared classical register '{cname}'"),
                    })?;
                if self.eat_sym('[') {
                    let (il, ic) = self.here();
                    let i = self.uint("a bit index")?;
                    if i >= csize {
                        return Err(QasmError {
                            line: il,
                            col: ic,
                            message: format!(
                                "bit index {i} out of range for register '{cname}' of size {csize}"
                            ),
                        });
                    }
                    self.expect_sym(']')?;
                }
                self.expect_sym(';')?;
                for q in qubits {
                    self.measured[q] = true;
                }
                Ok(())
            }
            "reset" | "if" | "gate" | "opaque" => Err(at(format!(
                "'{word}' is not supported: circuits are unitary and observables are evaluated \
                 on the final state"
            ))),
            _ => self.gate_statement(&word, line, col, circuit),
        }
    }

    fn gate_statement(
        &mut self,
        name: &str,
        line: usize,
        col: usize,
        circuit: &mut Circuit,
    ) -> Result<(), QasmError> {
        let at = |message: String| QasmError { line, col, message };
        let nparams = match name {
            "id" | "x" | "y" | "z" | "h" | "s" | "sdg" | "t" | "tdg" | "cx" | "cz" | "swap" => 0,
            "rx" | "ry" | "rz" | "rzz" => 1,
            "u3" => 3,
            _ => {
                return Err(at(format!(
                    "unknown gate '{name}' (supported: id x y z h s sdg t tdg rx ry rz u3 cx \
                     cz swap rzz)"
                )))
            }
        };
        let mut params = Vec::new();
        if self.eat_sym('(') {
            loop {
                let (pl, pc) = self.here();
                let v = self.expr()?;
                if !v.is_finite() {
                    return Err(QasmError {
                        line: pl,
                        col: pc,
                        message: format!(
                            "gate '{name}': parameter evaluates to {v}, not a finite angle"
                        ),
                    });
                }
                params.push(v);
                if !self.eat_sym(',') {
                    break;
                }
            }
            self.expect_sym(')')?;
        }
        if params.len() != nparams {
            return Err(at(format!(
                "gate '{name}' takes {nparams} parameter(s), found {}",
                params.len()
            )));
        }
        let gate = match name {
            "id" => Gate::I,
            "x" => Gate::X,
            "y" => Gate::Y,
            "z" => Gate::Z,
            "h" => Gate::H,
            "s" => Gate::S,
            "sdg" => Gate::Sdg,
            "t" => Gate::T,
            "tdg" => Gate::Tdg,
            "rx" => Gate::Rx(params[0]),
            "ry" => Gate::Ry(params[0]),
            "rz" => Gate::Rz(params[0]),
            "rzz" => Gate::Rzz(params[0]),
            "u3" => Gate::U3(params[0], params[1], params[2]),
            "cx" => Gate::Cx,
            "cz" => Gate::Cz,
            _ => Gate::Swap,
        };
        let mut args = Vec::new();
        loop {
            args.push(self.qarg()?);
            if !self.eat_sym(',') {
                break;
            }
        }
        self.expect_sym(';')?;
        if args.len() != gate.arity() {
            return Err(at(format!(
                "gate '{name}' acts on {} qubit(s), found {} argument(s)",
                gate.arity(),
                args.len()
            )));
        }
        let width = args
            .iter()
            .filter_map(|a| match a {
                Arg::Reg(_, s) => Some(*s),
                Arg::One(_) => None,
            })
            .collect::<Vec<_>>();
        let reps = width.first().copied().unwrap_or(1);
        if width.iter().any(|&w| w != reps) {
            return Err(at("broadcast over registers of different sizes".into()));
        }
        for k in 0..reps {
            let q: Vec<usize> = args
                .iter()
                .map(|a| match *a {
                    Arg::One(q) => q,
                    Arg::Reg(o, _) => o + k,
                })
                .collect();
            if let Some(&m) = q.iter().find(|&&m| self.measured[m]) {
                return Err(at(format!(
                    "gate '{name}' on qubit {m} after its measurement: only terminal \
                     measurements are supported"
                )));
            }
            if gate.arity() == 2 {
                if q[0] == q[1] {
                    return Err(at(format!("gate '{name}' applied twice to qubit {}", q[0])));
                }
                circuit.push(Op::two(gate, q[0], q[1]));
            } else {
                circuit.push(Op::one(gate, q[0]));
            }
        }
        Ok(())
    }
}

/// Parses OpenQASM 2.0 source into a circuit.
pub fn parse_qasm(src: &str) -> Result<Circuit, QasmError> {
    let lx = lex(src)?;
    let mut p = Parser {
        lx,
        pos: 0,
        qregs: Vec::new(),
        cregs: Vec::new(),
        num_qubits: 0,
        measured: Vec::new(),
        depth: 0,
    };
    let mut circuit = Circuit::new(0);
    let mut seen_header = false;
    while p.pos < p.lx.toks.len() {
        let is_header = p.peek() == Some(&Tok::Ident("OPENQASM".into()));
        if !seen_header && !is_header {
            return Err(p.error_here(format!(
                "expected 'OPENQASM 2.0;' header, found {}",
                p.found()
            )));
        }
        if seen_header && is_header {
            return Err(p.error_here("'OPENQASM' header repeated".into()));
        }
        seen_header = true;
        p.statement(&mut circuit)?;
    }
    if !seen_header {
        return Err(p.error_here("empty file: expected 'OPENQASM 2.0;' header".into()));
    }
    Ok(circuit)
}

/// Writes a circuit as OpenQASM 2.0 with one register `q`. Parameters are written with Rust's
/// shortest round-trip formatting, so `parse_qasm(&write_qasm(c)) == c`.
pub fn write_qasm(circuit: &Circuit) -> String {
    let mut s = String::from("OPENQASM 2.0;\ninclude \"qelib1.inc\";\n");
    s.push_str(&format!("qreg q[{}];\n", circuit.num_qubits));
    for op in &circuit.ops {
        s.push_str(op.gate.name());
        let params = op.gate.params();
        if !params.is_empty() {
            let p: Vec<String> = params.iter().map(|x| format!("{x:?}")).collect();
            s.push_str(&format!("({})", p.join(",")));
        }
        let q: Vec<String> = op.targets().iter().map(|q| format!("q[{q}]")).collect();
        s.push_str(&format!(" {};\n", q.join(",")));
    }
    s
}
