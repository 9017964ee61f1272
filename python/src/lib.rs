//! `qecd._qecd`: the compiled half of the `qecd` Python package.
//!
//! - [`matching::Matching`]: PyMatching's `Matching` API over qecd's exact matching decoder
//!   ([`qecd::decode::matching::MwpmDecoder`] and its [`qecd::decode::matching::Matcher`]),
//!   numpy in and out, the GIL released while decoding.
//! - [`toric::toric_dem`] and [`toric::sample_toric`]: the toric code's detector error model
//!   and seeded, bit-packed sampling, from the library ([`qecd::code::ToricCode::dem_text`],
//!   [`qecd::sample::ToricSampler`]).
//!
//! Every input error is a `ValueError` carrying the library's message, the one the `qecd`
//! command line prints (without the command line's flag hints).
//!
//! The pure-Python half (`python/qecd/`) re-exports these and adds the sinter decoders.

pub mod matching;
pub mod toric;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// A `ValueError` with the `Display` text of a library error.
fn value_error(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// The extension module `qecd._qecd`.
#[pymodule]
fn _qecd(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<matching::Matching>()?;
    m.add_function(wrap_pyfunction!(toric::toric_dem, m)?)?;
    m.add_function(wrap_pyfunction!(toric::sample_toric, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
