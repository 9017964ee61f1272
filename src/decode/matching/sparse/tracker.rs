//! The flooder's event timeline: a monotone queue of "look at this node / region" checks, and
//! per object a tracker that keeps at most one useful check of it queued (PyMatching's
//! `QueuedEventTracker`).

use super::super::paths::radix_heap::RadixHeap;

/// Something the flooder must look at, at some time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Check {
    /// A detector node: one of its edges may be reached, or its boundary edge.
    Node(u32),
    /// A shrinking region: its outermost node may be left, or it may vanish.
    ShrinkingRegion(u32),
}

/// Bit marking a region in the queue's packed values.
const REGION_BIT: u32 = 1 << 31;

impl Check {
    fn pack(self) -> u32 {
        match self {
            Check::Node(v) => v,
            Check::ShrinkingRegion(r) => r | REGION_BIT,
        }
    }

    fn unpack(value: u32) -> Self {
        if value & REGION_BIT == 0 {
            Check::Node(value)
        } else {
            Check::ShrinkingRegion(value & !REGION_BIT)
        }
    }
}

/// The queue of checks by time (times never go back; nodes and regions below 2^31).
#[derive(Clone, Debug, Default)]
pub(crate) struct Timeline {
    heap: RadixHeap,
    /// The time of the last check taken out.
    pub(crate) now: i64,
}

impl Timeline {
    /// Empties the queue and sets the time to 0.
    pub(crate) fn reset(&mut self) {
        self.heap.clear();
        self.now = 0;
    }

    #[inline]
    fn push(&mut self, time: i64, check: Check) {
        debug_assert!(time >= self.now, "check at {time} before now {}", self.now);
        self.heap.push(time.max(self.now), check.pack());
    }

    /// The next check and its time (which becomes `now`).
    #[inline]
    pub(crate) fn pop(&mut self) -> Option<(i64, Check)> {
        let (time, value) = self.heap.pop()?;
        self.now = time;
        Some((time, Check::unpack(value)))
    }
}

/// Keeps a check of one object queued for the time it is wanted, and no stale ones alive: a
/// check taken out of the queue counts only if it is the last one queued and is still wanted
/// then; a later wanted time is queued when the earlier check comes out.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tracker {
    /// The wanted time ([`NO_TIME`] if none).
    desired: i64,
    /// The time of the last check queued ([`NO_TIME`] if none is in the queue).
    queued: i64,
}

/// Marks "no time" in a [`Tracker`] (times are never negative).
const NO_TIME: i64 = i64::MIN;

impl Default for Tracker {
    fn default() -> Self {
        Tracker {
            desired: NO_TIME,
            queued: NO_TIME,
        }
    }
}

impl Tracker {
    /// Wants `check` looked at at `time` (replacing any earlier wish).
    #[inline]
    pub(crate) fn want(&mut self, time: i64, check: Check, timeline: &mut Timeline) {
        self.desired = time;
        if self.queued == NO_TIME || self.queued > time {
            self.queued = time;
            timeline.push(time, check);
        }
    }

    /// Nothing to look at any more.
    #[inline]
    pub(crate) fn forget(&mut self) {
        self.desired = NO_TIME;
    }

    /// Whether `check`, just taken out at `time`, is to be processed; requeues it for a later
    /// wanted time.
    #[inline]
    pub(crate) fn take(&mut self, time: i64, check: Check, timeline: &mut Timeline) -> bool {
        if self.queued != time {
            return false;
        }
        self.queued = NO_TIME;
        if self.desired == NO_TIME {
            false
        } else if self.desired != time {
            self.queued = self.desired;
            timeline.push(self.desired, check);
            false
        } else {
            self.desired = NO_TIME;
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_pack_and_unpack() {
        for c in [
            Check::Node(0),
            Check::Node(REGION_BIT - 1),
            Check::ShrinkingRegion(7),
        ] {
            assert_eq!(Check::unpack(c.pack()), c);
        }
    }

    #[test]
    fn only_the_wanted_check_comes_through() {
        let mut timeline = Timeline::default();
        let mut t = Tracker::default();
        let c = Check::Node(3);
        t.want(5, c, &mut timeline);
        t.want(2, c, &mut timeline); // earlier: queued again, the time-5 entry goes stale
        t.want(4, c, &mut timeline); // later than queued: deferred
        let (time, got) = timeline.pop().unwrap();
        assert_eq!((time, got), (2, c));
        assert!(!t.take(time, got, &mut timeline)); // wanted at 4 now: requeued
        let (time, got) = timeline.pop().unwrap();
        assert_eq!(time, 4);
        assert!(t.take(time, got, &mut timeline));
        let (time, got) = timeline.pop().unwrap();
        assert_eq!(time, 5);
        assert!(!t.take(time, got, &mut timeline)); // stale
        assert!(timeline.pop().is_none());
        t.want(9, c, &mut timeline);
        t.forget();
        let (time, got) = timeline.pop().unwrap();
        assert!(!t.take(time, got, &mut timeline));
    }
}
