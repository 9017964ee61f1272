//! Helpers shared by the integration tests.

/// The rows of `qecd threshold`'s paired table: `(only it wrong, only first wrong, ratio, low,
/// high)` per row.
pub fn paired_rows(stdout: &str) -> Vec<(u64, u64, f64, f64, f64)> {
    stdout
        .lines()
        .skip_while(|l| !l.starts_with("paired on identical shots"))
        .skip(2)
        .map(|l| {
            let f: Vec<&str> = l
                .split(|c: char| c.is_whitespace() || "[],".contains(c))
                .filter(|t| !t.is_empty())
                .collect();
            let num = |k: usize| f[k].parse::<f64>().unwrap();
            (num(4) as u64, num(5) as u64, num(6), num(7), num(8))
        })
        .collect()
}
