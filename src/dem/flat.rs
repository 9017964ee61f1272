//! The flattened view of a DEM: repeat blocks unrolled, detector shifts and coordinate shifts
//! applied.

use super::{Dem, DemItem, InstructionKind, Target};

/// A DEM with absolute detector ids: what a decoder consumes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FlatDem {
    /// One more than the largest detector id mentioned (Stim's `num_detectors`).
    pub num_detectors: usize,
    /// One more than the largest observable id mentioned (Stim's `num_observables`).
    pub num_observables: usize,
    /// Declared detectors in order of appearance.
    pub detectors: Vec<FlatDetector>,
    /// Error mechanisms in order of appearance.
    pub errors: Vec<FlatError>,
}

/// A `detector` declaration with absolute id and coordinates.
#[derive(Clone, Debug, PartialEq)]
pub struct FlatDetector {
    /// Absolute detector id.
    pub id: usize,
    /// Coordinates with all enclosing coordinate shifts added.
    pub coords: Vec<f64>,
    /// Source line.
    pub line: usize,
}

/// An `error` instruction with absolute ids, split at its `^` separators.
#[derive(Clone, Debug, PartialEq)]
pub struct FlatError {
    /// Probability.
    pub probability: f64,
    /// Components (one when the error has no `^`).
    pub components: Vec<FlatComponent>,
    /// Source line.
    pub line: usize,
    /// The instruction's tag (empty when none).
    pub tag: String,
}

/// One component of an error: the detectors and observables it flips. Targets repeated an even
/// number of times cancel (flipping twice is no flip); ids are sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlatComponent {
    /// Absolute detector ids, sorted, without repeats.
    pub detectors: Vec<usize>,
    /// Observable ids, sorted, without repeats.
    pub observables: Vec<usize>,
}

impl FlatComponent {
    /// Symmetric difference normalisation: sort and drop pairs of equal ids.
    fn normalise(&mut self) {
        fn xor_reduce(v: &mut Vec<usize>) {
            v.sort_unstable();
            let mut out: Vec<usize> = Vec::with_capacity(v.len());
            for &x in v.iter() {
                if out.last() == Some(&x) {
                    out.pop();
                } else {
                    out.push(x);
                }
            }
            *v = out;
        }
        xor_reduce(&mut self.detectors);
        xor_reduce(&mut self.observables);
    }
}

/// Most detectors a flattened model may have (2^24): shots are rows of this many bits.
pub const MAX_DETECTORS: usize = 1 << 24;
/// Most observables a flattened model may have (2^20).
pub const MAX_OBSERVABLES: usize = 1 << 20;
/// Most instructions (`error` and `detector` lines) a flattened model may hold (2^24), after
/// repeat blocks whose iterations coincide have been merged (see [`Dem::flatten`]).
pub const MAX_FLAT_INSTRUCTIONS: u64 = 1 << 24;

/// Why a DEM could not be flattened: it would pass one of the documented limits.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct FlattenError {
    /// Source line of the instruction or repeat block that passes the limit.
    pub line: usize,
    /// The limit and what was found.
    pub message: String,
}

#[derive(Clone, Default)]
struct State {
    det_shift: u64,
    coord_shift: Vec<f64>,
}

impl State {
    fn shift(
        &mut self,
        by: u64,
        coords: &[f64],
        times: u64,
        line: usize,
    ) -> Result<(), FlattenError> {
        let overflow = || FlattenError {
            line,
            message: format!(
                "shift_detectors moves detector ids past the limit of {} detectors",
                MAX_DETECTORS
            ),
        };
        let total = by.checked_mul(times).ok_or_else(overflow)?;
        self.det_shift = self.det_shift.checked_add(total).ok_or_else(overflow)?;
        if self.coord_shift.len() < coords.len() {
            self.coord_shift.resize(coords.len(), 0.0);
        }
        for (s, a) in self.coord_shift.iter_mut().zip(coords) {
            *s += a * times as f64;
        }
        Ok(())
    }
}

impl Dem {
    /// Unrolls repeat blocks and applies `shift_detectors`.
    ///
    /// Nothing is materialized that merges anyway: a repeat block whose body holds no
    /// `shift_detectors` produces the same mechanisms on every iteration, so it is flattened
    /// once, with each error's probability replaced by that of an odd number of its `n`
    /// independent copies firing, `(1 - (1 - 2p)^n) / 2` (exactly how a decoder merges them);
    /// a body that only shifts is applied `n` times at once. Models past
    /// [`MAX_FLAT_INSTRUCTIONS`], [`MAX_DETECTORS`] or [`MAX_OBSERVABLES`] are refused before
    /// anything that large is allocated, naming the line.
    pub fn flatten(&self) -> Result<FlatDem, FlattenError> {
        let size = flat_size(self);
        if size > MAX_FLAT_INSTRUCTIONS {
            let line = largest_block_line(self).unwrap_or(0);
            return Err(FlattenError {
                line,
                message: format!(
                    "the model unrolls to more than {MAX_FLAT_INSTRUCTIONS} error and detector \
                     instructions (repeat blocks that shift detectors are unrolled; this block \
                     unrolls to about {size})"
                ),
            });
        }
        let mut out = FlatDem::default();
        flatten_into(self, &mut State::default(), &mut out)?;
        Ok(out)
    }
}

/// True when the block (or a block inside it) shifts detectors or coordinates.
fn shifts(dem: &Dem) -> bool {
    dem.items.iter().any(|item| match item {
        DemItem::Repeat(b) => b.count > 0 && shifts(&b.body),
        DemItem::Instruction(i) => i.kind == InstructionKind::ShiftDetectors,
    })
}

/// Instructions the flattened model will hold (saturating).
fn flat_size(dem: &Dem) -> u64 {
    dem.items.iter().fold(0u64, |acc, item| {
        acc.saturating_add(match item {
            DemItem::Repeat(b) if !shifts(&b.body) => flat_size(&b.body).min(b.count.max(1)),
            DemItem::Repeat(b) => flat_size(&b.body).saturating_mul(b.count),
            DemItem::Instruction(i) => match i.kind {
                InstructionKind::Error | InstructionKind::Detector => 1,
                _ => 0,
            },
        })
    })
}

/// The line of the repeat block contributing most to the flattened size.
fn largest_block_line(dem: &Dem) -> Option<usize> {
    dem.items
        .iter()
        .filter_map(|item| match item {
            DemItem::Repeat(b) if shifts(&b.body) => {
                Some((flat_size(&b.body).saturating_mul(b.count), b.line))
            }
            _ => None,
        })
        .max()
        .map(|(_, line)| line)
}

fn flatten_into(dem: &Dem, state: &mut State, out: &mut FlatDem) -> Result<(), FlattenError> {
    for item in &dem.items {
        match item {
            DemItem::Repeat(block) if block.count == 0 => {}
            DemItem::Repeat(block) if !shifts(&block.body) => {
                // Every iteration declares the same detectors at the same coordinates and
                // repeats the same mechanisms: flatten once, merge the copies' probabilities.
                let first = out.errors.len();
                flatten_into(&block.body, state, out)?;
                for e in &mut out.errors[first..] {
                    e.probability = repeated_probability(e.probability, block.count);
                }
            }
            DemItem::Repeat(block) if flat_size(&block.body) == 0 => {
                // Only shifts: one iteration's net shift, applied `count` times at once.
                let mut once = State::default();
                flatten_into(&block.body, &mut once, out)?;
                state.shift(once.det_shift, &once.coord_shift, block.count, block.line)?;
            }
            DemItem::Repeat(block) => {
                for _ in 0..block.count {
                    flatten_into(&block.body, state, out)?;
                }
            }
            DemItem::Instruction(ins) => flatten_instruction(ins, state, out)?,
        }
    }
    Ok(())
}

/// The probability that an odd number of `n` independent copies of a `p` error fire.
fn repeated_probability(p: f64, n: u64) -> f64 {
    if n == 1 {
        return p;
    }
    // Past 2^31 copies only the parity of n can still matter (for p = 0 or 1).
    let max = i32::MAX as u64;
    let n = if n > max { max - 1 + n % 2 } else { n } as i32;
    (1.0 - (1.0 - 2.0 * p).powi(n)) / 2.0
}

fn flatten_instruction(
    ins: &super::Instruction,
    state: &mut State,
    out: &mut FlatDem,
) -> Result<(), FlattenError> {
    let detector_id = |k: u64| -> Result<usize, FlattenError> {
        match k.checked_add(state.det_shift) {
            Some(id) if id < MAX_DETECTORS as u64 => Ok(id as usize),
            found => Err(FlattenError {
                line: ins.line,
                message: format!(
                    "detector D{} is past the limit of {MAX_DETECTORS} detectors{}",
                    found.map_or_else(|| format!("{k} + {}", state.det_shift), |id| id.to_string()),
                    if state.det_shift > 0 {
                        format!(" (D{k} shifted by {})", state.det_shift)
                    } else {
                        String::new()
                    }
                ),
            }),
        }
    };
    let observable_id = |k: u64| -> Result<usize, FlattenError> {
        if k < MAX_OBSERVABLES as u64 {
            Ok(k as usize)
        } else {
            Err(FlattenError {
                line: ins.line,
                message: format!(
                    "observable L{k} is past the limit of {MAX_OBSERVABLES} observables"
                ),
            })
        }
    };
    match ins.kind {
        InstructionKind::ShiftDetectors => {
            let by = match ins.targets.first() {
                Some(Target::Number(n)) => *n,
                _ => 0,
            };
            state.shift(by, &ins.args, 1, ins.line)?;
        }
        InstructionKind::Detector => {
            for t in &ins.targets {
                if let Target::Detector(k) = t {
                    let id = detector_id(*k)?;
                    out.num_detectors = out.num_detectors.max(id + 1);
                    let coords = ins
                        .args
                        .iter()
                        .enumerate()
                        .map(|(i, a)| a + state.coord_shift.get(i).copied().unwrap_or(0.0))
                        .collect();
                    out.detectors.push(FlatDetector {
                        id,
                        coords,
                        line: ins.line,
                    });
                }
            }
        }
        InstructionKind::LogicalObservable => {
            for t in &ins.targets {
                if let Target::Observable(k) = t {
                    out.num_observables = out.num_observables.max(observable_id(*k)? + 1);
                }
            }
        }
        InstructionKind::Error => {
            let mut components = vec![FlatComponent::default()];
            for t in &ins.targets {
                let c = components.last_mut().expect("at least one component");
                match *t {
                    Target::Detector(k) => {
                        let id = detector_id(k)?;
                        out.num_detectors = out.num_detectors.max(id + 1);
                        c.detectors.push(id);
                    }
                    Target::Observable(k) => {
                        let id = observable_id(k)?;
                        out.num_observables = out.num_observables.max(id + 1);
                        c.observables.push(id);
                    }
                    Target::Separator => components.push(FlatComponent::default()),
                    Target::Number(_) => {}
                }
            }
            components.iter_mut().for_each(FlatComponent::normalise);
            out.errors.push(FlatError {
                probability: ins.args.first().copied().unwrap_or(0.0),
                components,
                line: ins.line,
                tag: ins.tag.clone(),
            });
        }
    }
    Ok(())
}
