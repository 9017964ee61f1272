//! `qecd.Matching`: PyMatching's `Matching` API (the parts a DEM-driven pipeline uses) over
//! qecd's exact matching decoder.
//!
//! Predictions come from [`MwpmDecoder::decode_batch`], the decoder behind `qecd predict`, so
//! they are the command line's bit for bit. Weights (`return_weights`) and corrections
//! (`decode_to_edges_array`) come from the same decoder's [`MwpmDecoder::decode_shot`] (which
//! applies the model's certain, `p = 1`, mechanisms as `predict` does). Shots are copied out
//! of numpy and decoded with the GIL released, on a rayon pool of `num_threads` workers owned
//! by the object.

use numpy::ndarray::{Array1, Array2, ArrayView2, Axis};
use numpy::{IntoPyArray, PyReadonlyArrayDyn, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use pyo3::IntoPyObjectExt;
use rayon::prelude::*;

use qecd::bits::{bytes_per_row, BitMatrix};
use qecd::decode::matching::decoder::Scratch;
use qecd::decode::matching::from_dem::MASK_OBSERVABLES;
use qecd::decode::matching::MwpmDecoder;
use qecd::decode::{DecodeError, Decoder};
use qecd::dem::parse_dem;
use qecd::experiment::MAX_THREADS;

use crate::value_error;

/// Shots per rayon task on the weights path (one matcher workspace each).
const SHOTS_PER_TASK: usize = 128;

/// A matching decoder for one detector error model (`qecd.Matching`).
#[pyclass(module = "qecd._qecd", name = "Matching", frozen)]
pub struct Matching {
    decoder: MwpmDecoder,
    /// The correlated decoder ([`MwpmDecoder::from_dem_correlated`], PyMatching's two-pass
    /// reweighting), when built with `enable_correlations=True`.
    correlated: Option<MwpmDecoder>,
    /// Endpoints of the matcher's edges, by edge index (`-1` = the boundary).
    edges: Vec<[i64; 2]>,
    pool: rayon::ThreadPool,
    num_threads: usize,
}

/// The DEM text of a `stim.DetectorErrorModel` or a `str`.
fn dem_text(model: &Bound<'_, PyAny>) -> PyResult<String> {
    if model.is_instance_of::<PyString>() {
        return model.extract();
    }
    let class = model.get_type().name()?;
    if class.extract::<String>()? == "DetectorErrorModel" {
        return model.str()?.extract();
    }
    Err(PyTypeError::new_err(format!(
        "expected a stim.DetectorErrorModel or DEM text (str), got {class}"
    )))
}

/// A rayon pool of `n` workers (`0` = one per core), `n` at most [`MAX_THREADS`].
fn pool(n: usize) -> PyResult<rayon::ThreadPool> {
    if n > MAX_THREADS {
        return Err(PyValueError::new_err(format!(
            "num_threads={n}: expected 0 (one per core) to {MAX_THREADS}"
        )));
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .map_err(value_error)
}

/// `obj` as a numpy `uint8` array (a copy only when it is another dtype or not an array).
fn u8_array<'py>(obj: &Bound<'py, PyAny>) -> PyResult<PyReadonlyArrayDyn<'py, u8>> {
    if let Ok(a) = obj.extract::<PyReadonlyArrayDyn<'py, u8>>() {
        return Ok(a);
    }
    let py = obj.py();
    let kwargs = PyDict::new(py);
    kwargs.set_item("dtype", "uint8")?;
    py.import("numpy")?
        .call_method("asarray", (obj,), Some(&kwargs))?
        .extract()
}

/// Packs shots (rows of `view`) into a [`BitMatrix`] of `num_detectors` columns: one `0`/non-zero
/// byte per detector, or (bit-packed) `ceil(num_detectors / 8)` bytes, LSB first, whose
/// padding bits are ignored.
fn pack_shots(
    view: ArrayView2<'_, u8>,
    bit_packed: bool,
    num_detectors: usize,
) -> Result<BitMatrix, String> {
    let (rows, cols) = view.dim();
    let mut bits = BitMatrix::zeros(rows, num_detectors);
    if bit_packed {
        let need = bytes_per_row(num_detectors);
        if cols != need {
            return Err(format!(
                "bit-packed shots have {cols} bytes per shot but the decoder's model has \
                 {num_detectors} detectors ({need} bytes per shot)"
            ));
        }
        let pad = match num_detectors % 8 {
            0 => 0xFF,
            r => (1u8 << r) - 1,
        };
        for (r, shot) in view.axis_iter(Axis(0)).enumerate() {
            let row = bits.row_mut(r);
            for (dst, &src) in row.iter_mut().zip(shot.iter()) {
                *dst = src;
            }
            if let Some(last) = row.last_mut() {
                *last &= pad;
            }
        }
    } else {
        if cols != num_detectors {
            return Err(DecodeError::WidthMismatch {
                expected: num_detectors,
                found: cols,
            }
            .to_string());
        }
        for (r, shot) in view.axis_iter(Axis(0)).enumerate() {
            let row = bits.row_mut(r);
            for (c, &v) in shot.iter().enumerate() {
                row[c / 8] |= u8::from(v != 0) << (c % 8);
            }
        }
    }
    Ok(bits)
}

/// A [`BitMatrix`] as a numpy-ready array: its packed bytes, or one byte per bit.
fn unpack(m: &BitMatrix, bit_packed: bool) -> Array2<u8> {
    if bit_packed {
        return Array2::from_shape_vec((m.rows(), m.stride()), m.as_bytes().to_vec())
            .expect("rows * stride bytes");
    }
    Array2::from_shape_fn((m.rows(), m.cols()), |(r, c)| u8::from(m.get(r, c)))
}

impl Matching {
    /// Builds the decoder of DEM text.
    fn build(text: &str, enable_correlations: bool, num_threads: usize) -> PyResult<Self> {
        let dem = parse_dem(text)
            .map_err(value_error)?
            .flatten()
            .map_err(value_error)?;
        let (decoder, correlated) = if enable_correlations {
            let correlated = MwpmDecoder::from_dem_correlated(&dem).map_err(value_error)?;
            (correlated.without_correlations(), Some(correlated))
        } else {
            (MwpmDecoder::from_dem(&dem).map_err(value_error)?, None)
        };
        let matcher = decoder.matcher();
        let edges = (0..matcher.num_edges())
            .map(|e| {
                let (a, b) = matcher.edge_ends(e);
                [a as i64, b.map_or(-1, |b| b as i64)]
            })
            .collect();
        Ok(Matching {
            decoder,
            correlated,
            edges,
            pool: pool(num_threads)?,
            num_threads,
        })
    }

    /// One packed shot decoded by the plain decoder, its error located at shot `shot`.
    fn decode_shot(
        &self,
        row: &[u8],
        scratch: &mut Scratch,
        correction: bool,
        shot: usize,
    ) -> Result<(qecd::decode::matching::Matching, Vec<usize>), DecodeError> {
        self.decoder
            .decode_shot(row, scratch, correction)
            .map_err(|e| {
                DecodeError::Shot {
                    shot: shot as u64,
                    message: e.to_string(),
                }
                .in_file(0)
            })
    }

    /// Predictions of every shot, by the correlated decoder or the plain one.
    fn predict(&self, dets: &BitMatrix, correlated: bool) -> PyResult<BitMatrix> {
        let decoder = match (correlated, &self.correlated) {
            (false, _) => &self.decoder,
            (true, Some(d)) => d,
            (true, None) => {
                return Err(PyValueError::new_err(
                    "enable_correlations=True needs a Matching built with \
                     from_detector_error_model(..., enable_correlations=True)",
                ))
            }
        };
        self.pool
            .install(|| decoder.decode_batch(dets))
            .map_err(|e| value_error(e.in_file(0)))
    }

    /// Predictions and matching weights of every shot (models of at most 64 observables).
    fn predict_with_weights(&self, dets: &BitMatrix) -> PyResult<(BitMatrix, Vec<f64>)> {
        let num_observables = self.decoder.num_observables();
        if num_observables > MASK_OBSERVABLES {
            return Err(PyValueError::new_err(format!(
                "return_weights supports models of at most {MASK_OBSERVABLES} observables; \
                 this one has {num_observables}"
            )));
        }
        let solved: Vec<(u64, f64)> = self.pool.install(|| {
            (0..dets.rows())
                .into_par_iter()
                .with_min_len(SHOTS_PER_TASK)
                .map_init(
                    || self.decoder.scratch(),
                    |scratch, r| {
                        let (m, _) = self.decode_shot(dets.row(r), scratch, false, r)?;
                        Ok((m.observables, m.weight))
                    },
                )
                .collect::<Result<_, DecodeError>>()
                .map_err(value_error)
        })?;
        let mut preds = BitMatrix::zeros(dets.rows(), num_observables);
        for (r, &(observables, _)) in solved.iter().enumerate() {
            for (k, byte) in preds.row_mut(r).iter_mut().enumerate() {
                *byte = (observables >> (8 * k)) as u8;
            }
        }
        Ok((preds, solved.into_iter().map(|(_, w)| w).collect()))
    }
}

#[pymethods]
impl Matching {
    /// `Matching(model, *, enable_correlations=False, num_threads=1)`: the same as
    /// `Matching.from_detector_error_model`.
    #[new]
    #[pyo3(signature = (model, *, enable_correlations = false, num_threads = 1))]
    fn py_new(
        py: Python<'_>,
        model: &Bound<'_, PyAny>,
        enable_correlations: bool,
        num_threads: usize,
    ) -> PyResult<Self> {
        Self::from_detector_error_model(py, model, enable_correlations, num_threads)
    }

    /// The decoder of a detector error model: a `stim.DetectorErrorModel` or its text. Graph
    /// rules follow PyMatching (error components split at `^`, parallel edges merged,
    /// components of 3 or more detectors dropped). `num_threads` workers decode a batch
    /// (`0` = one per core; the default 1 suits sinter, which runs one worker per core).
    #[staticmethod]
    #[pyo3(signature = (model, *, enable_correlations = false, num_threads = 1))]
    fn from_detector_error_model(
        py: Python<'_>,
        model: &Bound<'_, PyAny>,
        enable_correlations: bool,
        num_threads: usize,
    ) -> PyResult<Self> {
        let text = dem_text(model)?;
        py.allow_threads(|| Self::build(&text, enable_correlations, num_threads))
    }

    /// The decoder of a DEM file.
    #[staticmethod]
    #[pyo3(signature = (path, *, enable_correlations = false, num_threads = 1))]
    fn from_detector_error_model_file(
        py: Python<'_>,
        path: std::path::PathBuf,
        enable_correlations: bool,
        num_threads: usize,
    ) -> PyResult<Self> {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| PyValueError::new_err(format!("{}: {e}", path.display())))?;
        py.allow_threads(|| Self::build(&text, enable_correlations, num_threads))
            .map_err(|e| PyValueError::new_err(format!("{}: {}", path.display(), e.value(py))))
    }

    /// Detectors of the model (columns of a shot).
    #[getter]
    fn num_detectors(&self) -> usize {
        self.decoder.num_detectors()
    }

    /// Observables of the model (columns of a prediction).
    #[getter]
    fn num_observables(&self) -> usize {
        self.decoder.num_observables()
    }

    /// Edges of the matching graph (boundary edges included).
    #[getter]
    fn num_edges(&self) -> usize {
        self.edges.len()
    }

    /// Worker threads of `decode_batch` (`0` = one per core).
    #[getter]
    fn num_threads(&self) -> usize {
        self.num_threads
    }

    /// Decodes one shot: `syndrome` holds one `0`/`1` per detector. Returns the predicted
    /// observable flips (`uint8`, one per observable), and with `return_weight=True` also the
    /// matching's weight.
    #[pyo3(signature = (syndrome, *, return_weight = false, enable_correlations = false))]
    fn decode<'py>(
        &self,
        py: Python<'py>,
        syndrome: &Bound<'py, PyAny>,
        return_weight: bool,
        enable_correlations: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let array = u8_array(syndrome)?;
        let view = array.as_array();
        if view.ndim() != 1 {
            return Err(PyValueError::new_err(format!(
                "syndrome must be one-dimensional (one entry per detector); got shape {:?}",
                view.shape()
            )));
        }
        let shots = view.insert_axis(Axis(0));
        let shots = shots
            .into_dimensionality()
            .expect("a 1-D view with an axis inserted is 2-D");
        let (preds, weights) = self.run(py, shots, false, return_weight, enable_correlations)?;
        let prediction = unpack(&preds, false).index_axis_move(Axis(0), 0);
        match weights {
            None => prediction.into_pyarray(py).into_bound_py_any(py),
            Some(w) => (prediction.into_pyarray(py), w[0]).into_bound_py_any(py),
        }
    }

    /// Decodes a batch: `shots` is `(num_shots, num_detectors)` of `0`/`1`, or with
    /// `bit_packed_shots=True` `(num_shots, ceil(num_detectors / 8))` bytes, LSB first.
    /// Returns `(num_shots, num_observables)` predictions (`bit_packed_predictions=True`: packed
    /// bytes), and with `return_weights=True` a tuple with the `float64` matching weights.
    #[pyo3(signature = (
        shots,
        *,
        return_weights = false,
        bit_packed_shots = false,
        bit_packed_predictions = false,
        enable_correlations = false
    ))]
    fn decode_batch<'py>(
        &self,
        py: Python<'py>,
        shots: &Bound<'py, PyAny>,
        return_weights: bool,
        bit_packed_shots: bool,
        bit_packed_predictions: bool,
        enable_correlations: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let array = u8_array(shots)?;
        let view = array.as_array();
        let view: ArrayView2<'_, u8> = view.into_dimensionality().map_err(|_| {
            PyValueError::new_err(format!(
                "shots must be two-dimensional (num_shots, {}); got shape {:?}",
                if bit_packed_shots {
                    "ceil(num_detectors / 8)"
                } else {
                    "num_detectors"
                },
                array.shape()
            ))
        })?;
        let (preds, weights) = self.run(
            py,
            view,
            bit_packed_shots,
            return_weights,
            enable_correlations,
        )?;
        let preds = py
            .allow_threads(|| unpack(&preds, bit_packed_predictions))
            .into_pyarray(py);
        match weights {
            None => preds.into_bound_py_any(py),
            Some(w) => (preds, Array1::from_vec(w).into_pyarray(py)).into_bound_py_any(py),
        }
    }

    /// The correction of one shot as graph edges: an `int64` array of shape `(num_edges, 2)`,
    /// each row the two detectors of an edge, `-1` standing for the boundary (PyMatching's
    /// layout).
    fn decode_to_edges_array<'py>(
        &self,
        py: Python<'py>,
        syndrome: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let array = u8_array(syndrome)?;
        let view = array.as_array();
        if view.ndim() != 1 {
            return Err(PyValueError::new_err(format!(
                "syndrome must be one-dimensional (one entry per detector); got shape {:?}",
                view.shape()
            )));
        }
        let shot = view
            .insert_axis(Axis(0))
            .into_dimensionality()
            .expect("2-D");
        let dets = pack_shots(shot, false, self.decoder.num_detectors()).map_err(value_error)?;
        let edges = py.allow_threads(|| {
            let mut scratch = self.decoder.scratch();
            self.decode_shot(dets.row(0), &mut scratch, true, 0)
                .map(|(_, edges)| edges)
                .map_err(|e| e.to_string())
        });
        let edges = edges.map_err(value_error)?;
        let out = Array2::from_shape_fn((edges.len(), 2), |(i, k)| self.edges[edges[i]][k]);
        out.into_pyarray(py).into_bound_py_any(py)
    }

    fn __repr__(&self) -> String {
        format!(
            "<qecd.Matching object with {} detectors, {} observables and {} edges>",
            self.decoder.num_detectors(),
            self.decoder.num_observables(),
            self.edges.len()
        )
    }
}

impl Matching {
    /// Packs `shots` and decodes them with the GIL released: predictions, and the weights when
    /// asked for.
    fn run(
        &self,
        py: Python<'_>,
        shots: ArrayView2<'_, u8>,
        bit_packed_shots: bool,
        return_weights: bool,
        enable_correlations: bool,
    ) -> PyResult<(BitMatrix, Option<Vec<f64>>)> {
        if return_weights && enable_correlations {
            return Err(PyValueError::new_err(
                "return_weights=True is not available with enable_correlations=True",
            ));
        }
        py.allow_threads(|| {
            let dets = pack_shots(shots, bit_packed_shots, self.decoder.num_detectors())
                .map_err(value_error)?;
            if return_weights {
                let (preds, weights) = self.predict_with_weights(&dets)?;
                Ok((preds, Some(weights)))
            } else {
                Ok((self.predict(&dets, enable_correlations)?, None))
            }
        })
    }
}
