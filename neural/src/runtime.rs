//! Process-wide settings for running libtorch on the CPU, which executables that run networks
//! apply first thing ([`configure`]; `qecd-neural` does).
//!
//! - **Freed memory is kept.** Every forward pass allocates its activations afresh (a few MB
//!   each). With glibc's default settings, freeing them hands the pages back to the kernel
//!   (`madvise`, heap trimming, or `munmap` of a mapped chunk) and the next pass faults them in
//!   again, zeroed: with the local network in bf16 at L = 16 on one thread, a fifth of the
//!   decoding time went to page faults ([`keep_freed_memory`]).
//! - **libtorch's AVX-512 kernels.** On this project's AMD Zen 4 machines libtorch picks its
//!   AVX2 element-wise kernels (GELU, additions, copies, dtype casts) although the CPU has
//!   AVX-512; asking for the AVX-512 ones made bf16 decoding at L = 16 about 20% faster
//!   ([`prefer_avx512_kernels`]). The convolutions (oneDNN) choose their own instructions
//!   either way.

/// Largest allocation glibc serves from its heaps rather than by `mmap` (its own maximum on
/// 64-bit targets): activations of the CPU's forward passes are below it.
pub const MMAP_THRESHOLD: i32 = 32 << 20;
/// Free memory at the top of a heap that glibc keeps rather than returning to the kernel.
pub const TRIM_THRESHOLD: i32 = 1 << 30;
/// The environment variable through which libtorch takes its CPU kernel family.
pub const CPU_CAPABILITY_VAR: &str = "ATEN_CPU_CAPABILITY";

/// Applies both settings of the module docs. Call it before any other thread starts and
/// before the first tensor operation.
pub fn configure() {
    keep_freed_memory();
    prefer_avx512_kernels();
}

/// Makes glibc keep freed memory for reuse (see the module docs); it costs resident memory up
/// to the largest working set seen, never more. Returns whether both settings were taken;
/// elsewhere than on glibc it does nothing and returns `false`.
pub fn keep_freed_memory() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only changes allocator parameters and takes plain integers.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
                && libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

/// Asks libtorch for its AVX-512 kernels when the CPU has the AVX-512 subsets they need (F, BW,
/// VL, DQ) and the user has not chosen through [`CPU_CAPABILITY_VAR`]. It only takes effect
/// before libtorch's first dispatch.
pub fn prefer_avx512_kernels() {
    let user_set = std::env::var_os(CPU_CAPABILITY_VAR).is_some();
    if let Some(value) = capability_to_set(user_set, has_avx512()) {
        std::env::set_var(CPU_CAPABILITY_VAR, value);
    }
}

/// The value to give [`CPU_CAPABILITY_VAR`], if any: none when the user has set it or the CPU
/// lacks AVX-512.
fn capability_to_set(user_set: bool, avx512: bool) -> Option<&'static str> {
    (!user_set && avx512).then_some("avx512")
}

fn has_avx512() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512bw")
            && std::arch::is_x86_feature_detected!("avx512vl")
            && std::arch::is_x86_feature_detected!("avx512dq")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glibc_takes_the_allocator_settings() {
        let taken = keep_freed_memory();
        assert_eq!(taken, cfg!(all(target_os = "linux", target_env = "gnu")));
    }

    #[test]
    fn avx512_is_asked_for_only_where_the_cpu_has_it_and_the_user_did_not_choose() {
        assert_eq!(capability_to_set(false, true), Some("avx512"));
        assert_eq!(capability_to_set(false, false), None);
        assert_eq!(capability_to_set(true, true), None);
        assert_eq!(capability_to_set(true, false), None);
    }
}
