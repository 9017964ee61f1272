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

struct State {
    det_shift: u64,
    coord_shift: Vec<f64>,
}

impl Dem {
    /// Unrolls repeat blocks and applies `shift_detectors`. The result's size grows with the
    /// repeat counts (as the model itself does).
    pub fn flatten(&self) -> FlatDem {
        let mut out = FlatDem::default();
        let mut state = State {
            det_shift: 0,
            coord_shift: Vec::new(),
        };
        flatten_into(self, &mut state, &mut out);
        out
    }
}

fn flatten_into(dem: &Dem, state: &mut State, out: &mut FlatDem) {
    for item in &dem.items {
        match item {
            DemItem::Repeat(block) => {
                for _ in 0..block.count {
                    flatten_into(&block.body, state, out);
                }
            }
            DemItem::Instruction(ins) => match ins.kind {
                InstructionKind::ShiftDetectors => {
                    if let Some(Target::Number(n)) = ins.targets.first() {
                        state.det_shift += n;
                    }
                    if state.coord_shift.len() < ins.args.len() {
                        state.coord_shift.resize(ins.args.len(), 0.0);
                    }
                    for (s, a) in state.coord_shift.iter_mut().zip(&ins.args) {
                        *s += a;
                    }
                }
                InstructionKind::Detector => {
                    for t in &ins.targets {
                        if let Target::Detector(k) = t {
                            let id = (k + state.det_shift) as usize;
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
                            out.num_observables = out.num_observables.max(*k as usize + 1);
                        }
                    }
                }
                InstructionKind::Error => {
                    let mut components = vec![FlatComponent::default()];
                    for t in &ins.targets {
                        let c = components.last_mut().expect("at least one component");
                        match *t {
                            Target::Detector(k) => {
                                let id = (k + state.det_shift) as usize;
                                out.num_detectors = out.num_detectors.max(id + 1);
                                c.detectors.push(id);
                            }
                            Target::Observable(k) => {
                                out.num_observables = out.num_observables.max(k as usize + 1);
                                c.observables.push(k as usize);
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
            },
        }
    }
}
