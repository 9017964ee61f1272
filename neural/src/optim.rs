//! AdamW with a one-cycle learning-rate schedule and dynamic loss scaling for fp16 autocast.
//!
//! Written on tensors (rather than libtorch's optimizer object) so that the moment estimates can
//! be saved to safetensors and a resumed run continues exactly where it stopped.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use tch::{nn::VarStore, Tensor};

use super::NeuralError;

/// One-cycle schedule (as PyTorch's `OneCycleLR` with cosine annealing): from `max_lr / 25` up
/// to `max_lr` over the first 30% of the steps, then down to `max_lr / 25 / 1e4`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct OneCycle {
    /// Peak learning rate.
    pub max_lr: f64,
    /// Length of the whole schedule in steps.
    pub total_steps: u64,
}

impl OneCycle {
    const PCT_START: f64 = 0.3;
    const DIV_FACTOR: f64 = 25.0;
    const FINAL_DIV_FACTOR: f64 = 1e4;

    /// Learning rate for step `step` (0-based).
    pub fn lr(&self, step: u64) -> f64 {
        let initial = self.max_lr / Self::DIV_FACTOR;
        let min = initial / Self::FINAL_DIV_FACTOR;
        let total = self.total_steps.max(2) as f64;
        let up = (Self::PCT_START * total - 1.0).max(1.0);
        let s = step as f64;
        let cos_interp = |from: f64, to: f64, frac: f64| {
            let frac = frac.clamp(0.0, 1.0);
            to + (from - to) * 0.5 * (1.0 + (std::f64::consts::PI * frac).cos())
        };
        if s <= up {
            cos_interp(initial, self.max_lr, s / up)
        } else {
            cos_interp(self.max_lr, min, (s - up) / (total - 1.0 - up).max(1.0))
        }
    }
}

/// Dynamic loss scale for fp16 training: gradients are computed for `loss * scale`; a step
/// whose gradients overflow is skipped and the scale halved; after `GROWTH_INTERVAL` clean
/// steps it doubles. Disabled (scale 1, no checks) in full precision.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LossScaler {
    /// Whether scaling is active (mixed precision on CUDA).
    pub enabled: bool,
    /// Current scale.
    pub scale: f64,
    /// Clean steps since the last change.
    pub clean_steps: u64,
}

impl LossScaler {
    const GROWTH_INTERVAL: u64 = 2000;
    const INITIAL_SCALE: f64 = 65536.0;

    /// A scaler, active or not.
    pub fn new(enabled: bool) -> Self {
        LossScaler {
            enabled,
            scale: if enabled { Self::INITIAL_SCALE } else { 1.0 },
            clean_steps: 0,
        }
    }

    /// Records whether the last gradients were finite; returns whether to take the step.
    pub fn update(&mut self, finite: bool) -> bool {
        if !self.enabled {
            return true;
        }
        if finite {
            self.clean_steps += 1;
            if self.clean_steps >= Self::GROWTH_INTERVAL {
                self.scale *= 2.0;
                self.clean_steps = 0;
            }
        } else {
            self.scale = (self.scale / 2.0).max(1.0);
            self.clean_steps = 0;
        }
        finite
    }
}

/// AdamW (decoupled weight decay, applied to weight matrices and kernels only, not to biases
/// or batch-norm parameters).
pub struct AdamW {
    params: Vec<(String, Tensor)>,
    m: Vec<Tensor>,
    v: Vec<Tensor>,
    /// Number of steps taken (for the bias corrections).
    pub steps: u64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
}

impl AdamW {
    /// An optimizer over the trainable variables of `vs`.
    pub fn new(vs: &VarStore, weight_decay: f64) -> Self {
        let named: BTreeMap<String, Tensor> = vs
            .variables()
            .into_iter()
            .filter(|(_, t)| t.requires_grad())
            .collect();
        let params: Vec<(String, Tensor)> = named.into_iter().collect();
        let m = params.iter().map(|(_, p)| p.zeros_like()).collect();
        let v = params.iter().map(|(_, p)| p.zeros_like()).collect();
        AdamW {
            params,
            m,
            v,
            steps: 0,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay,
        }
    }

    /// Clears the gradients.
    pub fn zero_grad(&mut self) {
        for (_, p) in self.params.iter_mut() {
            p.zero_grad();
        }
    }

    /// Divides the gradients by `scale` and reports whether all of them are finite.
    pub fn unscale_grads(&mut self, scale: f64) -> bool {
        tch::no_grad(|| {
            let mut finite = true;
            for (_, p) in &self.params {
                let mut g = p.grad();
                if g.defined() {
                    let _ = g.g_div_scalar_(scale);
                    finite &= g.isfinite().all().int64_value(&[]) != 0;
                }
            }
            finite
        })
    }

    /// One AdamW update with learning rate `lr`.
    pub fn step(&mut self, lr: f64) {
        self.steps += 1;
        let t = self.steps as i32;
        let bc1 = 1.0 - self.beta1.powi(t);
        let bc2 = 1.0 - self.beta2.powi(t);
        tch::no_grad(|| {
            for (((_, p), m), v) in self.params.iter_mut().zip(&mut self.m).zip(&mut self.v) {
                let g = p.grad();
                if !g.defined() {
                    continue;
                }
                let g = g.to_kind(m.kind());
                let _ = m
                    .g_mul_scalar_(self.beta1)
                    .g_add_(&(&g * (1.0 - self.beta1)));
                let _ = v
                    .g_mul_scalar_(self.beta2)
                    .g_add_(&(&g * &g * (1.0 - self.beta2)));
                if p.dim() > 1 && self.weight_decay > 0.0 {
                    let _ = p.g_mul_scalar_(1.0 - lr * self.weight_decay);
                }
                let denom = (&*v / bc2).sqrt() + self.eps;
                let update = (&*m / bc1) / denom * lr;
                let _ = p.g_sub_(&update);
            }
        });
    }

    /// Saves the moment estimates to a safetensors file (`m.<var>` and `v.<var>`).
    pub fn save(&self, path: &Path) -> Result<(), NeuralError> {
        let mut named: Vec<(String, &Tensor)> = Vec::with_capacity(2 * self.params.len());
        for ((name, _), (m, v)) in self.params.iter().zip(self.m.iter().zip(&self.v)) {
            named.push((format!("m.{name}"), m));
            named.push((format!("v.{name}"), v));
        }
        Tensor::write_safetensors(&named, path)?;
        Ok(())
    }

    /// Loads moment estimates saved by [`AdamW::save`] for the same variables; `steps` is the
    /// number of steps they reflect.
    pub fn load(&mut self, path: &Path, steps: u64) -> Result<(), NeuralError> {
        let saved: BTreeMap<String, Tensor> = Tensor::read_safetensors(path)
            .map_err(|e| NeuralError::BadModel {
                path: path.to_path_buf(),
                message: format!("unreadable optimizer state: {e}"),
            })?
            .into_iter()
            .collect();
        for ((name, _), (m, v)) in self.params.iter().zip(self.m.iter_mut().zip(&mut self.v)) {
            for (prefix, dst) in [("m", m), ("v", v)] {
                let key = format!("{prefix}.{name}");
                let src = saved.get(&key).ok_or_else(|| NeuralError::BadModel {
                    path: path.to_path_buf(),
                    message: format!("optimizer state lacks '{key}'"),
                })?;
                if src.size() != dst.size() {
                    return Err(NeuralError::BadModel {
                        path: path.to_path_buf(),
                        message: format!(
                            "optimizer state '{key}' has shape {:?}, the model needs {:?}",
                            src.size(),
                            dst.size()
                        ),
                    });
                }
                tch::no_grad(|| dst.f_copy_(src))?;
            }
        }
        self.steps = steps;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_cycle_warms_up_then_anneals() {
        let s = OneCycle {
            max_lr: 1e-3,
            total_steps: 1000,
        };
        assert!((s.lr(0) - 4e-5).abs() < 1e-12);
        let peak = (0..1000).map(|i| s.lr(i)).fold(0.0, f64::max);
        assert!((peak - 1e-3).abs() < 1e-9);
        assert!(s.lr(150) > s.lr(10) && s.lr(150) < 1e-3);
        assert!(s.lr(999) < 1e-8 && s.lr(999) > 0.0);
        assert!(s.lr(600) < s.lr(400));
    }

    #[test]
    fn loss_scaler_backs_off_and_grows() {
        let mut sc = LossScaler::new(true);
        assert!(!sc.update(false));
        assert_eq!(sc.scale, 32768.0);
        for _ in 0..2000 {
            assert!(sc.update(true));
        }
        assert_eq!(sc.scale, 65536.0);
        let mut off = LossScaler::new(false);
        assert!(off.update(false) && off.scale == 1.0);
    }

    #[test]
    fn adamw_minimises_a_quadratic_and_round_trips_state() {
        let vs = VarStore::new(tch::Device::Cpu);
        let w = vs.root().var("w", &[3, 2], tch::nn::Init::Const(1.0));
        let target = Tensor::from_slice(&[0.5f32, -1.0, 2.0, 0.0, 1.5, -0.5]).view([3, 2]);
        let mut opt = AdamW::new(&vs, 0.0);
        for _ in 0..500 {
            opt.zero_grad();
            let loss = (&w - &target).square().sum(None);
            loss.backward();
            assert!(opt.unscale_grads(1.0));
            opt.step(0.05);
        }
        let err = (&w - &target).abs().max().double_value(&[]);
        assert!(err < 1e-2, "AdamW did not converge: max error {err}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("opt.safetensors");
        opt.save(&path).unwrap();
        let mut fresh = AdamW::new(&vs, 0.0);
        fresh.load(&path, opt.steps).unwrap();
        for (a, b) in opt.m.iter().zip(&fresh.m) {
            assert!(a.equal(b));
        }
        assert_eq!(fresh.steps, 500);
    }
}
