//! The toric code's detector error model in Stim's DEM language, for any Pauli channel.
//!
//! Detectors: vertex `(i, j)` is `D{i*L+j}` at coordinates `(i, j)`, plaquette `(i, j)` is
//! `D{L^2+i*L+j}` at `(i + 0.5, j + 0.5)`; all `2 L^2` are declared even when a channel never
//! flips some of them, and the four class bits are declared as observables `L0..L3`, so that
//! every channel gives the same shot layout as the sampler. Each qubit contributes up to three
//! independent mechanisms (see [`PauliChannel::independent_xyz`]): X (two vertex detectors),
//! Z (two plaquette detectors) and Y, written as `X part ^ Z part` so that matching decoders
//! can decompose it into the vertex and plaquette graphs.

use std::fmt::Write;

use super::ToricCode;
use crate::dem::{parse_dem, FlatDem};
use crate::noise::{NoiseError, PauliChannel};

impl ToricCode {
    /// The flattened detector error model of this code under `channel`, ready for a decoder
    /// ([`crate::decode::matching::MwpmDecoder::from_dem`], [`crate::decode::registry`]).
    /// Fails for a channel that is not a probability distribution, or a torus whose `2 L^2`
    /// detectors pass [`crate::dem::MAX_DETECTORS`].
    pub fn dem(&self, channel: &PauliChannel) -> Result<FlatDem, crate::Error> {
        let text = self.dem_text(channel)?;
        let dem = parse_dem(&text).expect("the generated toric DEM parses");
        Ok(dem.flatten()?)
    }

    /// The detector error model of this code under `channel`, as Stim DEM text.
    pub fn dem_text(&self, channel: &PauliChannel) -> Result<String, NoiseError> {
        let [qx, qy, qz] = channel.independent_xyz()?;
        let l = self.distance();
        let l2 = l * l;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# qecd toric code L={l}, code capacity, channel px={} py={} pz={}",
            channel.px, channel.py, channel.pz
        );
        let _ = writeln!(
            out,
            "# edge e: h(i,j)=i*L+j, v(i,j)=L*L+i*L+j; D0..D{} vertices, D{}..D{} plaquettes",
            l2 - 1,
            l2,
            2 * l2 - 1
        );
        let targets = |dets: [usize; 2], class: u8| {
            let mut t = format!("D{} D{}", dets[0], dets[1]);
            for k in 0..4 {
                if class >> k & 1 == 1 {
                    let _ = write!(t, " L{k}");
                }
            }
            t
        };
        for e in 0..self.num_qubits() {
            let x = targets(self.edge_vertices(e), self.edge_x_class(e));
            let z = targets(self.edge_plaquettes(e), self.edge_z_class(e));
            if qx > 0.0 {
                let _ = writeln!(out, "error({qx}) {x}");
            }
            if qy > 0.0 {
                let _ = writeln!(out, "error({qy}) {x} ^ {z}");
            }
            if qz > 0.0 {
                let _ = writeln!(out, "error({qz}) {z}");
            }
        }
        for i in 0..l {
            for j in 0..l {
                let _ = writeln!(out, "detector({i}, {j}) D{}", i * l + j);
            }
        }
        for i in 0..l {
            for j in 0..l {
                let _ = writeln!(
                    out,
                    "detector({}, {}) D{}",
                    i as f64 + 0.5,
                    j as f64 + 0.5,
                    l2 + i * l + j
                );
            }
        }
        for k in 0..4 {
            let _ = writeln!(out, "logical_observable L{k}");
        }
        Ok(out)
    }
}
