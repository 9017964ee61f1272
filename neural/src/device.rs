//! Where the network runs: `--device auto|cpu|cuda|cuda:N`, and mixed precision on CUDA.

use std::fmt;
use std::str::FromStr;

use tch::{Cuda, Device};

use super::NeuralError;

/// A device request from the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DeviceChoice {
    /// CUDA device 0 when CUDA is available, otherwise the CPU.
    #[default]
    Auto,
    /// The CPU.
    Cpu,
    /// The CUDA device with this index (an error when CUDA is not available).
    Cuda(usize),
}

impl FromStr for DeviceChoice {
    type Err = NeuralError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(DeviceChoice::Auto),
            "cpu" => Ok(DeviceChoice::Cpu),
            "cuda" => Ok(DeviceChoice::Cuda(0)),
            _ => s
                .strip_prefix("cuda:")
                .and_then(|n| n.parse().ok())
                .map(DeviceChoice::Cuda)
                .ok_or_else(|| {
                    NeuralError::Device(format!(
                        "unknown device '{s}': expected auto, cpu, cuda or cuda:N"
                    ))
                }),
        }
    }
}

impl fmt::Display for DeviceChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceChoice::Auto => write!(f, "auto"),
            DeviceChoice::Cpu => write!(f, "cpu"),
            DeviceChoice::Cuda(i) => write!(f, "cuda:{i}"),
        }
    }
}

impl DeviceChoice {
    /// The torch device to use. Asking for CUDA where libtorch sees no CUDA device is an error
    /// (never a silent fallback to the CPU).
    pub fn resolve(self) -> Result<Device, NeuralError> {
        match self {
            DeviceChoice::Auto => Ok(Device::cuda_if_available()),
            DeviceChoice::Cpu => Ok(Device::Cpu),
            DeviceChoice::Cuda(i) => {
                let count = if Cuda::is_available() {
                    Cuda::device_count() as usize
                } else {
                    0
                };
                if i < count {
                    Ok(Device::Cuda(i))
                } else if count == 0 {
                    Err(NeuralError::Device(format!(
                        "--device cuda:{i} requested but libtorch reports no CUDA device \
                         (no GPU/driver, or a CPU-only libtorch)"
                    )))
                } else {
                    Err(NeuralError::Device(format!(
                        "--device cuda:{i} requested but only {count} CUDA device(s) exist"
                    )))
                }
            }
        }
    }
}

/// Human-readable name of a torch device (`cpu`, `cuda:0`).
pub fn device_name(device: Device) -> String {
    match device {
        Device::Cuda(i) => format!("cuda:{i}"),
        Device::Cpu => "cpu".to_string(),
        other => format!("{other:?}").to_lowercase(),
    }
}

/// Whether mixed precision (fp16 autocast with loss scaling) is used on `device`: on CUDA only.
pub fn uses_mixed_precision(device: Device) -> bool {
    device.is_cuda()
}

/// Runs `f` under fp16 autocast when `device` is a CUDA device, plainly otherwise.
pub fn with_autocast<T>(device: Device, f: impl FnOnce() -> T) -> T {
    if uses_mixed_precision(device) {
        tch::autocast(true, f)
    } else {
        f()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_device_choices() {
        assert_eq!("auto".parse::<DeviceChoice>().unwrap(), DeviceChoice::Auto);
        assert_eq!("cpu".parse::<DeviceChoice>().unwrap(), DeviceChoice::Cpu);
        assert_eq!(
            "cuda".parse::<DeviceChoice>().unwrap(),
            DeviceChoice::Cuda(0)
        );
        assert_eq!(
            "cuda:3".parse::<DeviceChoice>().unwrap(),
            DeviceChoice::Cuda(3)
        );
        let err = "gpu".parse::<DeviceChoice>().unwrap_err().to_string();
        assert!(
            err.contains("'gpu'") && err.contains("auto, cpu, cuda"),
            "{err}"
        );
    }

    #[test]
    fn cpu_never_uses_mixed_precision() {
        assert_eq!(DeviceChoice::Cpu.resolve().unwrap(), Device::Cpu);
        assert!(!uses_mixed_precision(Device::Cpu));
    }

    #[test]
    fn cuda_request_without_cuda_is_an_error() {
        if Cuda::is_available() {
            eprintln!("CUDA present: the no-CUDA error path is not reachable here");
            assert!(DeviceChoice::Cuda(0).resolve().unwrap().is_cuda());
        } else {
            let err = DeviceChoice::Cuda(0).resolve().unwrap_err().to_string();
            assert!(err.contains("no CUDA device"), "{err}");
            assert_eq!(DeviceChoice::Auto.resolve().unwrap(), Device::Cpu);
        }
    }
}
