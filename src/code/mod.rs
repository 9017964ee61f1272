//! Quantum error-correcting codes. The toric code is the one the simulator, the DEM export and
//! the neural decoder are built around.

pub mod toric;
mod toric_dem;
pub mod toric_symmetry;

pub use toric::{CodeError, ToricCode};
pub use toric_symmetry::PointSymmetry;
