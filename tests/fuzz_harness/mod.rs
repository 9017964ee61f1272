//! The bounded mutation fuzzer shared by the `fuzz_*` integration tests (stable Rust,
//! proptest-driven). The conventions, for every fuzz target:
//!
//! - **Inputs**: seed inputs (valid examples) plus every file of `tests/fuzz_corpus/<target>/`
//!   (crashes found earlier, interesting cases), mutated by byte flips, insertions of random
//!   bytes or of the target's tokens, deletions, splices of another input and repeats of a
//!   slice (long runs such as deep nesting).
//! - **Corpus replay**: every corpus file is checked on every run, before the random cases.
//! - **Environment**: `QECD_FUZZ_CASES` random cases per target (default
//!   [`DEFAULT_CASES`], sized for CI), `QECD_FUZZ_SEED` (default [`DEFAULT_SEED`], so a plain
//!   `cargo test` is deterministic), `QECD_FUZZ_SAVE_DIR`: when set, a failing input is written
//!   to `<dir>/<target>/crash-<hash>` before the test fails, and the input under test is
//!   written to `<dir>/<target>/.current` before each case, so that even an abort (a stack
//!   overflow cannot be caught) leaves it behind. `scripts/fuzz.sh` moves both into the corpus.
//! - **The property**: the target's check returns `Ok` or a description of what is wrong;
//!   a panic is caught (`catch_unwind`) and is a failure too. The whole run happens on a thread
//!   with a normal 2 MiB stack, so unbounded recursion shows up as the abort it would be in the
//!   binary's worker threads.

use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};

/// Random cases per target when `QECD_FUZZ_CASES` is not set.
pub const DEFAULT_CASES: u32 = 3000;
/// The seed when `QECD_FUZZ_SEED` is not set.
pub const DEFAULT_SEED: u64 = 0x5eed_f022;
/// The stack the checks run on (a normal thread's).
const STACK: usize = 2 << 20;

/// The run's settings, from the environment.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Random cases per target.
    pub cases: u32,
    /// Seed of the mutations.
    pub seed: u64,
    /// Where failing inputs are saved.
    pub save_dir: Option<PathBuf>,
}

impl Settings {
    /// Reads `QECD_FUZZ_CASES`, `QECD_FUZZ_SEED` and `QECD_FUZZ_SAVE_DIR`.
    pub fn from_env() -> Settings {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Settings {
            cases: var("QECD_FUZZ_CASES").map_or(DEFAULT_CASES, |v| {
                v.parse().expect("QECD_FUZZ_CASES is a whole number")
            }),
            seed: var("QECD_FUZZ_SEED").map_or(DEFAULT_SEED, |v| {
                v.parse().expect("QECD_FUZZ_SEED is a whole number")
            }),
            save_dir: var("QECD_FUZZ_SAVE_DIR").map(PathBuf::from),
        }
    }
}

/// One mutation of an input.
#[derive(Clone, Debug)]
enum Mutation {
    /// Flip one bit of one byte.
    Flip(Index, u8),
    /// Insert random bytes.
    Insert(Index, Vec<u8>),
    /// Insert one of the target's tokens.
    Token(Index, Index),
    /// Delete a run of bytes.
    Delete(Index, usize),
    /// Replace a run by a slice of another input.
    Splice(Index, usize, Index, Index, usize),
    /// Repeat a slice many times in place.
    Repeat(Index, usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<Index>(), 0u8..8).prop_map(|(i, b)| Mutation::Flip(i, b)),
        2 => (any::<Index>(), prop::collection::vec(any::<u8>(), 1..4))
            .prop_map(|(i, v)| Mutation::Insert(i, v)),
        4 => (any::<Index>(), any::<Index>()).prop_map(|(i, t)| Mutation::Token(i, t)),
        3 => (any::<Index>(), 1usize..16).prop_map(|(i, n)| Mutation::Delete(i, n)),
        2 => (any::<Index>(), 0usize..16, any::<Index>(), any::<Index>(), 1usize..64)
            .prop_map(|(i, n, s, f, m)| Mutation::Splice(i, n, s, f, m)),
        1 => (any::<Index>(), 1usize..6, prop_oneof![2usize..50, 50usize..50_000])
            .prop_map(|(i, n, k)| Mutation::Repeat(i, n, k)),
    ]
}

fn at(i: &Index, len: usize) -> usize {
    if len == 0 {
        0
    } else {
        i.index(len + 1)
    }
}

fn apply(mut data: Vec<u8>, m: &Mutation, inputs: &[Vec<u8>], tokens: &[&str]) -> Vec<u8> {
    match m {
        Mutation::Flip(i, bit) if !data.is_empty() => {
            let k = i.index(data.len());
            data[k] ^= 1 << bit;
        }
        Mutation::Flip(..) => {}
        Mutation::Insert(i, bytes) => {
            let k = at(i, data.len());
            data.splice(k..k, bytes.iter().copied());
        }
        Mutation::Token(i, t) if !tokens.is_empty() => {
            let k = at(i, data.len());
            data.splice(k..k, tokens[t.index(tokens.len())].bytes());
        }
        Mutation::Token(..) => {}
        Mutation::Delete(i, n) => {
            let k = at(i, data.len()).min(data.len());
            let end = (k + n).min(data.len());
            data.drain(k..end);
        }
        Mutation::Splice(i, n, s, f, m) => {
            let other = &inputs[s.index(inputs.len())];
            let from = at(f, other.len()).min(other.len());
            let piece = &other[from..(from + m).min(other.len())];
            let k = at(i, data.len()).min(data.len());
            let end = (k + n).min(data.len());
            data.splice(k..end, piece.iter().copied());
        }
        Mutation::Repeat(i, n, times) => {
            let k = at(i, data.len()).min(data.len());
            let piece = data[k..(k + n).min(data.len())].to_vec();
            let repeated: Vec<u8> = piece.repeat(*times);
            data.splice(k..k, repeated);
        }
    }
    data
}

/// A short printable rendering of an input for failure messages.
fn show(input: &[u8]) -> String {
    let text = String::from_utf8_lossy(input);
    let mut s = String::new();
    for c in text.chars().take(400) {
        let _ = write!(s, "{}", c.escape_debug());
    }
    if text.chars().count() > 400 {
        let _ = write!(s, "... ({} bytes)", input.len());
    }
    s
}

/// FNV-1a, to name saved inputs by content.
fn hash(input: &[u8]) -> u64 {
    input.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A fuzz target: its name (the corpus folder), seed inputs and tokens.
pub struct Target<'a> {
    /// Name: `tests/fuzz_corpus/<name>/`, `<save dir>/<name>/`.
    pub name: &'a str,
    /// Valid examples to mutate.
    pub seeds: Vec<Vec<u8>>,
    /// Tokens of the input language, inserted by mutations.
    pub tokens: &'a [&'a str],
}

fn corpus_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_corpus")
        .join(name)
}

/// The corpus files of a target (none if the folder does not exist); names starting with `.`
/// and `README` files are skipped.
fn corpus(name: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(corpus_dir(name)) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let n = p.file_name().unwrap_or_default().to_string_lossy();
            p.is_file() && !n.starts_with('.') && !n.starts_with("README")
        })
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

/// Runs `check` without letting a panic escape.
fn guarded(check: &dyn Fn(&[u8]) -> Result<(), String>, input: &[u8]) -> Result<(), String> {
    match catch_unwind(AssertUnwindSafe(|| check(input))) {
        Ok(result) => result,
        Err(panic) => Err(format!(
            "panicked: {}",
            panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)")
        )),
    }
}

/// What one run of a target did.
#[derive(Debug)]
pub struct Report {
    /// Corpus files replayed.
    pub corpus: usize,
    /// Random cases run.
    pub cases: u32,
}

/// Replays the corpus of `target`, then runs `settings.cases` mutated inputs through `check`,
/// all on a thread with a 2 MiB stack. Fails (panics) on the first input whose check fails or
/// panics, after saving it (see the module docs).
pub fn fuzz(
    target: Target<'_>,
    settings: &Settings,
    check: impl Fn(&[u8]) -> Result<(), String> + Send + Sync + 'static,
) -> Report {
    quiet_panics_on_fuzz_threads();
    let settings = settings.clone();
    let name = target.name.to_string();
    let tokens: Vec<String> = target.tokens.iter().map(|t| t.to_string()).collect();
    let seeds = target.seeds;
    std::thread::Builder::new()
        .name(format!("fuzz-{name}"))
        .stack_size(STACK)
        .spawn(move || {
            let tokens: Vec<&str> = tokens.iter().map(String::as_str).collect();
            run(&name, seeds, &tokens, &settings, &check)
        })
        .unwrap()
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e))
}

/// Panics caught on the fuzz threads are reported with the failing input; the default hook
/// would also print each of them (hundreds while shrinking), so it is skipped there.
fn quiet_panics_on_fuzz_threads() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let fuzzing = std::thread::current()
                .name()
                .is_some_and(|n| n.starts_with("fuzz-"));
            if !fuzzing {
                default(info);
            }
        }));
    });
}

fn save(settings: &Settings, name: &str, file: &str, input: &[u8]) -> Option<PathBuf> {
    let dir = settings.save_dir.as_ref()?.join(name);
    std::fs::create_dir_all(&dir).ok()?;
    let path = dir.join(file);
    std::fs::write(&path, input).ok()?;
    Some(path)
}

fn run(
    name: &str,
    seeds: Vec<Vec<u8>>,
    tokens: &[&str],
    settings: &Settings,
    check: &dyn Fn(&[u8]) -> Result<(), String>,
) -> Report {
    let fail = |input: &[u8], why: &str| -> ! {
        // The failure is saved under its own name; `.current` is only for aborts.
        if let Some(dir) = &settings.save_dir {
            let _ = std::fs::remove_file(dir.join(name).join(".current"));
        }
        let saved = save(
            settings,
            name,
            &format!("crash-{:016x}", hash(input)),
            input,
        )
        .map(|p| format!(" (saved to {})", p.display()))
        .unwrap_or_default();
        panic!(
            "fuzz target '{name}': {why}{saved}\ninput ({} bytes): \"{}\"",
            input.len(),
            show(input)
        )
    };
    let corpus = corpus(name);
    for (path, input) in &corpus {
        if let Err(why) = guarded(check, input) {
            fail(input, &format!("corpus file {}: {why}", path.display()));
        }
    }
    let mut inputs = seeds;
    inputs.extend(corpus.iter().map(|(_, b)| b.clone()));
    assert!(!inputs.is_empty(), "fuzz target '{name}' has no inputs");
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&settings.seed.to_le_bytes());
    seed_bytes[8..16].copy_from_slice(&hash(name.as_bytes()).to_le_bytes());
    let config = Config {
        cases: settings.cases,
        max_shrink_iters: 512,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(
        config,
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let strategy = (any::<Index>(), prop::collection::vec(mutation(), 1..6));
    let result = runner.run(&strategy, |(which, mutations)| {
        let mut input = inputs[which.index(inputs.len())].clone();
        for m in &mutations {
            input = apply(input, m, &inputs, tokens);
        }
        save(settings, name, ".current", &input);
        guarded(check, &input).map_err(TestCaseError::fail)
    });
    match result {
        Ok(()) => {
            if let Some(dir) = &settings.save_dir {
                let _ = std::fs::remove_file(dir.join(name).join(".current"));
            }
            Report {
                corpus: corpus.len(),
                cases: settings.cases,
            }
        }
        Err(TestError::Fail(why, (which, mutations))) => {
            let mut input = inputs[which.index(inputs.len())].clone();
            for m in &mutations {
                input = apply(input, m, &inputs, tokens);
            }
            fail(&input, &why.to_string())
        }
        Err(e) => panic!("fuzz target '{name}': {e}"),
    }
}
