//! qecd: a quantum-error-correction decoding engine.
//!
//! Simulate the toric code, decode with exact minimum-weight perfect matching, count the
//! logical errors:
//!
//! ```
//! use qecd::{Decoder, MwpmDecoder, NoiseSpec, ToricCode};
//!
//! let code = ToricCode::new(8)?;
//! let channel = NoiseSpec::Depolarizing.channel(0.05)?;
//! let shots = qecd::sample_toric(&code, &channel, 10_000, 7, false);
//! let decoder = MwpmDecoder::from_dem(&code.dem(&channel)?)?;
//! let mistakes = qecd::count_mistakes(&decoder.decode_batch(&shots.dets)?, &shots.obs);
//! assert!(mistakes < 1_000, "{mistakes} logical errors in 10 000 shots");
//! # Ok::<(), qecd::Error>(())
//! ```
//!
//! Every step's error converts into [`Error`], so a program needs one error type. Shots from
//! Stim work the same way: [`FlatDem::from_file`] reads a detector error model, [`ShotReader`]
//! reads detection events in any of Stim's formats, and a [`Decoder`] decodes them in batches
//! ([`BitMatrix`], one shot per row, packed like Stim's `b8`). [`experiment`] runs several
//! decoders on identical shots with paired counts and timings, as `qecd threshold` does.
//!
//! The library behind the `qecd` binary: a toric-code simulator with bit-packed, Stim-compatible
//! shot files ([`code`], [`noise`], [`sample`], [`bits`], [`io`], [`dem`]), decoders
//! ([`decode`]), experiments and statistics ([`experiment`], [`stats`]) and error mitigation for
//! variational circuits ([`mitigate`]). The Python package `qecd` (crate `qecd-python`) wraps
//! it. See `docs/ARCHITECTURE.md` for the data flow.

pub mod bits;
pub mod code;
pub mod decode;
pub mod dem;
mod error;
pub mod experiment;
pub mod io;
pub mod mitigate;
pub mod noise;
pub mod plot;
pub mod sample;
pub mod stats;

pub use bits::BitMatrix;
pub use code::ToricCode;
pub use decode::matching::{Matcher, MatchingGraph, MwpmDecoder};
pub use decode::registry::{build_decoder, DecoderInput};
pub use decode::{DecodeError, Decoder};
pub use dem::{parse_dem, Dem, FlatDem};
pub use error::Error;
pub use experiment::{compare_on_toric, count_mistakes, Comparison};
pub use io::{ShotFormat, ShotLayout, ShotReader, ShotWriter};
pub use noise::{NoiseSpec, PauliChannel};
pub use sample::{sample_toric, ToricSampler, ToricShots};
