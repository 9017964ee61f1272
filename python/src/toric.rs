//! The toric code from Python: its DEM for a noise channel (`qecd.toric_dem`) and seeded,
//! bit-packed sampling into numpy arrays (`qecd.sample_toric`), both straight from the library
//! ([`ToricCode::dem_text`], [`ToricSampler`]), so they match `qecd sample` and `qecd
//! threshold` for the same seed.

use numpy::ndarray::Array2;
use numpy::IntoPyArray;
use pyo3::prelude::*;
use pyo3::IntoPyObjectExt;

use qecd::bits::BitMatrix;
use qecd::code::ToricCode;
use qecd::noise::{NoiseSpec, PauliChannel};
use qecd::sample::ToricSampler;

use crate::value_error;

/// The code of size `distance` and the channel of `noise` at `p`.
fn code_and_channel(distance: usize, p: f64, noise: &str) -> PyResult<(ToricCode, PauliChannel)> {
    let code = ToricCode::new(distance).map_err(value_error)?;
    let spec: NoiseSpec = noise.parse().map_err(value_error)?;
    Ok((code, spec.channel(p).map_err(value_error)?))
}

/// Packed rows as a `(rows, ceil(cols / 8))` `uint8` array.
fn packed(m: BitMatrix) -> Array2<u8> {
    let shape = (m.rows(), m.stride());
    Array2::from_shape_vec(shape, m.into_bytes()).expect("rows * stride bytes")
}

/// `toric_dem(distance, p, *, noise="depolarizing")`: the Stim DEM text of the `distance` x
/// `distance` toric code under code-capacity noise. `noise` is a family of `qecd sample`:
/// `bitflip`, `phaseflip`, `depolarizing`, `biased:eta=ETA` or `pauli:px=PX,py=PY,pz=PZ`
/// (then `p` is not used). Detectors `D0..D{L^2-1}` are vertex checks, then plaquette checks;
/// observables `L0..L3` are the logical class.
#[pyfunction]
#[pyo3(signature = (distance, p, *, noise = "depolarizing"))]
pub fn toric_dem(distance: usize, p: f64, noise: &str) -> PyResult<String> {
    let (code, channel) = code_and_channel(distance, p, noise)?;
    code.dem_text(&channel).map_err(value_error)
}

/// `sample_toric(distance, p, shots, *, noise="depolarizing", seed=0, errors=False)`: `shots`
/// seeded shots of the toric code, bit-packed LSB first as Stim's `b8` (and
/// `numpy.packbits(..., bitorder="little")`). Returns `(dets, obs)`: `uint8` arrays of shape
/// `(shots, ceil(2 L^2 / 8))` and `(shots, 1)`; with `errors=True`, `(dets, obs, errors)`,
/// errors of shape `(shots, ceil(4 L^2 / 8))` (X parts on the `2 L^2` qubits, then Z parts).
/// The same seed gives the same shots as `qecd sample --seed`, whatever the thread count.
#[pyfunction]
#[pyo3(signature = (distance, p, shots, *, noise = "depolarizing", seed = 0, errors = false))]
pub fn sample_toric<'py>(
    py: Python<'py>,
    distance: usize,
    p: f64,
    shots: usize,
    noise: &str,
    seed: u64,
    errors: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let (code, channel) = code_and_channel(distance, p, noise)?;
    let sampled =
        py.allow_threads(|| ToricSampler::new(code, &channel, seed).sample(0, shots, errors));
    let dets = packed(sampled.dets).into_pyarray(py);
    let obs = packed(sampled.obs).into_pyarray(py);
    match sampled.errors {
        None => (dets, obs).into_bound_py_any(py),
        Some(e) => (dets, obs, packed(e).into_pyarray(py)).into_bound_py_any(py),
    }
}
