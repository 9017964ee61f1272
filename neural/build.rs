//! Build script of `qecd-neural`.
//!
//! libtorch comes from `torch-sys` (typically from a PyTorch wheel through
//! `LIBTORCH_USE_PYTORCH=1`). Two link fixes are needed there (see docs/ARCHITECTURE.md,
//! "libtorch"):
//! - an rpath to libtorch's folder, so the binary runs without `LD_LIBRARY_PATH`;
//! - `libtorch_cuda` linked with `--no-as-needed`: no symbol of it is referenced directly, so
//!   the linker would drop it and CUDA would then report "not available" even on a GPU.
//!
//! A CPU-only libtorch has no `libtorch_cuda`; the force-link is skipped there.
//!
//! Both go to every target of `qecd-neural` and never to `qecd`, which must not load
//! libtorch: it hands neural commands over to `qecd-neural`.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=DEP_TCH_LIBTORCH_LIB");
    // Set by torch-sys (`links = "tch"`) from its `cargo:libtorch_lib=` line.
    let Some(lib_dir) = std::env::var_os("DEP_TCH_LIBTORCH_LIB") else {
        println!("cargo:warning=DEP_TCH_LIBTORCH_LIB not set by torch-sys: no rpath emitted");
        return;
    };
    let lib_dir = std::path::PathBuf::from(lib_dir);
    let mut args = vec![format!("-Wl,-rpath,{}", lib_dir.display())];
    if lib_dir.join("libtorch_cuda.so").exists() {
        println!("cargo:rustc-link-search=native={}", lib_dir.display());
        args.extend(["-Wl,--no-as-needed", "-ltorch_cuda", "-Wl,--as-needed"].map(String::from));
    }
    // Every target of this package (the executable, unit tests, integration tests, benches);
    // a build script's link arguments never reach other packages, so `qecd` stays clean.
    for arg in &args {
        println!("cargo:rustc-link-arg={arg}");
    }
}
