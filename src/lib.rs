//! qecd: a quantum-error-correction decoding engine.
//!
//! The library behind the `qecd` binary: a toric-code simulator with bit-packed, Stim-compatible
//! shot files ([`code`], [`noise`], [`sample`], [`bits`], [`io`], [`dem`]), decoders
//! ([`decode`]), statistics ([`stats`]) and error mitigation for variational circuits.
//! See `docs/ARCHITECTURE.md` for the data flow.

pub mod bits;
pub mod code;
pub mod decode;
pub mod dem;
pub mod io;
pub mod mitigate;
pub mod noise;
pub mod plot;
pub mod sample;
pub mod stats;
