//! Quantum error-correcting codes. The toric code is the one the simulator, the DEM export and
//! the neural decoder are built around.

pub mod toric;
mod toric_dem;

pub use toric::{CodeError, ToricCode};
