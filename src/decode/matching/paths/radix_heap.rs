//! A monotone integer priority queue (radix heap), the event queue of every search on the
//! detector graph: keys pushed are never below the last key popped, as in Dijkstra's algorithm.

/// Buckets: `64 - leading_zeros(key ^ last)` is at most 64, so indexing them needs no check.
/// Keys are below 2^63, so two of them differ in at most the low 63 bits and bucket 64 stays
/// empty.
const BUCKETS: usize = 65;

/// A monotone priority queue for nonnegative integer keys (a radix heap): pushes must not be
/// below the last key popped, as in Dijkstra's algorithm. Push is O(1), pop amortised O(log of
/// the key range).
#[derive(Clone, Debug)]
pub struct RadixHeap {
    buckets: [Vec<(u64, u32)>; BUCKETS],
    /// Bit `b` set iff bucket `b` is non-empty.
    nonempty: u64,
    last: u64,
}

impl Default for RadixHeap {
    fn default() -> Self {
        RadixHeap {
            buckets: std::array::from_fn(|_| Vec::new()),
            nonempty: 0,
            last: 0,
        }
    }
}

impl RadixHeap {
    #[inline]
    fn bucket(&self, key: u64) -> usize {
        64 - (key ^ self.last).leading_zeros() as usize
    }

    /// Empties the queue (any key may be pushed next).
    pub fn clear(&mut self) {
        while self.nonempty != 0 {
            let b = self.nonempty.trailing_zeros() as usize;
            self.buckets[b].clear();
            self.nonempty &= self.nonempty - 1;
        }
        self.last = 0;
    }

    /// Adds `value` with priority `key`.
    ///
    /// # Panics
    /// If `key` is negative (in debug builds also if it is below the last key popped).
    #[inline]
    pub fn push(&mut self, key: i64, value: u32) {
        assert!(key >= 0, "radix heap keys must be nonnegative, got {key}");
        let key = key as u64;
        debug_assert!(key >= self.last, "radix heap keys must be monotone");
        let b = self.bucket(key);
        self.buckets[b].push((key, value));
        self.nonempty |= 1 << b;
    }

    /// Removes an entry with the smallest key.
    #[inline(always)]
    pub fn pop(&mut self) -> Option<(i64, u32)> {
        if self.nonempty & 1 == 0 {
            if self.nonempty == 0 {
                return None;
            }
            self.refill();
        }
        let bucket = &mut self.buckets[0];
        let (key, value) = bucket.pop().expect("bucket 0 holds the minimum");
        if bucket.is_empty() {
            self.nonempty &= !1;
        }
        Some((key as i64, value))
    }

    /// Moves the entries of the first non-empty bucket (bucket 0 being empty) to lower
    /// buckets, relative to their smallest key: rare next to pops, so kept out of line.
    #[cold]
    #[inline(never)]
    fn refill(&mut self) {
        let i = self.nonempty.trailing_zeros() as usize;
        self.nonempty &= !(1 << i);
        let mut moving = std::mem::take(&mut self.buckets[i]);
        self.last = moving.iter().map(|e| e.0).min().expect("non-empty");
        for &(key, value) in &moving {
            let b = self.bucket(key);
            self.buckets[b].push((key, value));
            self.nonempty |= 1 << b;
        }
        moving.clear();
        self.buckets[i] = moving;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_key_order_with_repeats_and_reuse() {
        let mut heap = RadixHeap::default();
        for _ in 0..2 {
            heap.clear();
            assert_eq!(heap.pop(), None);
            heap.push(5, 0);
            heap.push(13, 1);
            heap.push(5, 2);
            let (k, _) = heap.pop().unwrap();
            assert_eq!(k, 5);
            // Monotone pushes after a pop, up to the largest key.
            heap.push(5, 3);
            heap.push(100, 4);
            heap.push(1 << 40, 5);
            heap.push(i64::MAX, 6);
            let mut keys = vec![k];
            while let Some((k, _)) = heap.pop() {
                keys.push(k);
            }
            assert_eq!(keys, vec![5, 5, 5, 13, 100, 1 << 40, i64::MAX]);
        }
    }

    #[test]
    #[should_panic(expected = "nonnegative")]
    fn refuses_negative_keys() {
        RadixHeap::default().push(-1, 0);
    }

    #[test]
    fn matches_a_sorted_sequence_under_dijkstra_like_use() {
        // Pseudo-random monotone workload: each push is the last popped key plus a step.
        let mut heap = RadixHeap::default();
        let mut reference: Vec<i64> = Vec::new();
        let mut state = 12345u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as i64 % 1000
        };
        heap.push(0, 0);
        reference.push(0);
        let mut popped = 0;
        while let Some((k, _)) = heap.pop() {
            reference.sort_unstable_by(|a, b| b.cmp(a));
            assert_eq!(Some(k), reference.pop());
            popped += 1;
            if popped < 2000 {
                for _ in 0..2 {
                    let key = k + next();
                    heap.push(key, 0);
                    reference.push(key);
                }
            }
        }
        assert!(reference.is_empty());
    }
}
