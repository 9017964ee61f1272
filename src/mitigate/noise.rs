//! Gate-level noise models.
//!
//! After every one-qubit gate: depolarizing with `p1` (X, Y, Z each `p1/3`, the Cirq/Mitiq
//! `cirq.depolarize(p)` convention), then amplitude damping with `gamma` on that qubit. After
//! every two-qubit gate: two-qubit depolarizing with `p2` (each of the 15 non-identity Paulis
//! `p2/15`, `cirq.depolarize(p, n_qubits=2)`), then amplitude damping with `gamma` on both
//! qubits. Folded gates are gates, so they carry noise too. Readout error acts on the
//! measurement of each qubit (see [`Readout`]).
//!
//! Idle noise acts per moment (Cirq's `EARLIEST` moments, [`super::circuit::Circuit::moments`])
//! on every qubit that no gate other than the identity `id` touches in that moment: dephasing
//! (Z with probability `idle`) and a coherent detuning `rz(idle_rz)`. Only the detuning can be
//! refocused by dynamical decoupling (a Pauli channel commutes with Pauli pulses).

use super::MitigateError;

/// Independent per-qubit readout error: a measured 0 reads 1 with `p01`, a 1 reads 0 with `p10`.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Readout {
    /// Probability of reading 1 when the qubit is in 0.
    pub p01: f64,
    /// Probability of reading 0 when the qubit is in 1.
    pub p10: f64,
}

impl Readout {
    /// Whether the readout is perfect.
    pub fn is_ideal(&self) -> bool {
        self.p01 == 0.0 && self.p10 == 0.0
    }
}

/// A gate-level noise model.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct NoiseModel {
    /// Depolarizing probability after each one-qubit gate.
    pub p1: f64,
    /// Two-qubit depolarizing probability after each two-qubit gate.
    pub p2: f64,
    /// Amplitude-damping probability on every qubit a gate touches, after the gate.
    pub gamma: f64,
    /// Readout error.
    pub readout: Readout,
    /// Dephasing probability (Z) per idle moment of each qubit.
    pub idle: f64,
    /// Coherent Z rotation angle (radians) per idle moment of each qubit.
    pub idle_rz: f64,
}

impl NoiseModel {
    /// No noise at all.
    pub const NONE: NoiseModel = NoiseModel {
        p1: 0.0,
        p2: 0.0,
        gamma: 0.0,
        readout: Readout { p01: 0.0, p10: 0.0 },
        idle: 0.0,
        idle_rz: 0.0,
    };

    /// Whether the model has idle noise (then simulators run moment by moment).
    pub fn has_idle_noise(&self) -> bool {
        self.idle != 0.0 || self.idle_rz != 0.0
    }

    /// Depolarizing noise only.
    pub fn depolarizing(p1: f64, p2: f64) -> Result<NoiseModel, MitigateError> {
        let m = NoiseModel {
            p1,
            p2,
            ..NoiseModel::NONE
        };
        m.validate()?;
        Ok(m)
    }

    /// The parameter called `name` (`p1`, `p2`, `gamma`, `ro01`, `ro10`, `idle`, `idle_rz`) in
    /// [`NoiseModel::parse`].
    fn rate_mut(&mut self, name: &str) -> &mut f64 {
        match name {
            "p1" => &mut self.p1,
            "p2" => &mut self.p2,
            "gamma" => &mut self.gamma,
            "ro01" => &mut self.readout.p01,
            "idle" => &mut self.idle,
            "idle_rz" => &mut self.idle_rz,
            _ => &mut self.readout.p10,
        }
    }

    /// Checks every rate lies in [0, 1] and the idle detuning is a finite angle.
    pub fn validate(&self) -> Result<(), MitigateError> {
        if !self.idle_rz.is_finite() {
            return Err(MitigateError::Invalid(format!(
                "noise idle_rz = {} is not a finite angle",
                self.idle_rz
            )));
        }
        for (name, v) in [
            ("p1", self.p1),
            ("p2", self.p2),
            ("gamma", self.gamma),
            ("ro01", self.readout.p01),
            ("ro10", self.readout.p10),
            ("idle", self.idle),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(MitigateError::Invalid(format!(
                    "noise rate {name} = {v} is outside [0, 1]"
                )));
            }
        }
        Ok(())
    }

    /// Parses `[depolarizing:]key=value,...` with keys `p1`, `p2`, `p` (both), `gamma`
    /// (amplitude damping), `ro` (symmetric readout), `ro01`, `ro10`, `idle` (dephasing per idle
    /// moment), `idle_rz` (detuning angle per idle moment); `none` for no noise.
    /// Keys left out are 0. An empty text or body (`''`, `depolarizing:`) is an error, not a
    /// silent noiseless run (say `none`), and so is a rate set twice (`p1=..,p1=..`, or `p`
    /// with `p1`/`p2`, `ro` with `ro01`/`ro10`).
    pub fn parse(text: &str) -> Result<NoiseModel, MitigateError> {
        let bad = |why: String| MitigateError::Invalid(format!("noise '{text}': {why}"));
        let body = text.trim();
        let body = body
            .strip_prefix("depolarizing:")
            .or_else(|| body.strip_prefix("noise:"))
            .unwrap_or(body)
            .trim();
        let mut m = NoiseModel::NONE;
        if body == "none" {
            return Ok(m);
        }
        if body.is_empty() {
            return Err(bad(
                "no rates given (expected key=value pairs such as p1=1e-3,p2=1e-2, or 'none')"
                    .into(),
            ));
        }
        // The rates already set, to refuse one set twice.
        let mut set: Vec<&str> = Vec::new();
        for kv in body.split(',') {
            let (k, v) = kv
                .split_once('=')
                .ok_or_else(|| bad(format!("expected key=value, found '{kv}'")))?;
            let rates: &[&str] = match k.trim() {
                "p1" => &["p1"],
                "p2" => &["p2"],
                "p" => &["p1", "p2"],
                "gamma" => &["gamma"],
                "ro" => &["ro01", "ro10"],
                "ro01" => &["ro01"],
                "ro10" => &["ro10"],
                "idle" => &["idle"],
                "idle_rz" => &["idle_rz"],
                other => {
                    return Err(bad(format!(
                        "unknown key '{other}' (expected p1, p2, p, gamma, ro, ro01, ro10, idle, \
                         idle_rz)"
                    )))
                }
            };
            if let Some(r) = rates.iter().find(|r| set.contains(r)) {
                return Err(bad(format!("{r} is given twice (at '{}')", kv.trim())));
            }
            set.extend_from_slice(rates);
            let v: f64 = v
                .trim()
                .parse()
                .map_err(|_| bad(format!("expected a number for {}, found '{v}'", k.trim())))?;
            for rate in rates {
                *m.rate_mut(rate) = v;
            }
        }
        m.validate()?;
        Ok(m)
    }
}
