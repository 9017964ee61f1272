//! Bit tricks for enumerating basis-state indices around the bits a gate acts on.

/// Inserts a zero bit at each position of `sorted_positions` (ascending) into `k`: enumerating
/// `k` over `0..N >> positions.len()` visits every index whose bits at those positions are zero,
/// in increasing order.
#[inline(always)]
pub fn insert_zeros(mut k: usize, sorted_positions: &[usize]) -> usize {
    for &p in sorted_positions {
        let low = k & ((1usize << p) - 1);
        k = ((k >> p) << (p + 1)) | low;
    }
    k
}

/// Returns the positions sorted ascending (small fixed-size helper for up to four bits).
pub fn sorted<const N: usize>(mut positions: [usize; N]) -> [usize; N] {
    positions.sort_unstable();
    positions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_zeros_enumerates_exactly_the_cleared_indices() {
        let pos = sorted([3, 0, 5]);
        let mask = (1 << 3) | 1 | (1 << 5);
        let got: Vec<usize> = (0..(64 >> 3)).map(|k| insert_zeros(k, &pos)).collect();
        let want: Vec<usize> = (0..64).filter(|i| i & mask == 0).collect();
        assert_eq!(got, want);
    }
}
