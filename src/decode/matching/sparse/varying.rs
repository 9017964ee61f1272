//! Quantities that change linearly with time: a region's radius grows, shrinks or stays.

/// How a [`Varying`] changes as time passes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Slope {
    /// Constant.
    Frozen,
    /// Up by one per unit of time.
    Growing,
    /// Down by one per unit of time.
    Shrinking,
}

/// A value `y + slope * t` at time `t` (integer units of cost), packed in one integer as
/// PyMatching does: `y` in the high bits, the slope in the low two (1 growing, 2 shrinking).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Varying(i64);

const GROWING: i64 = 1;
const SHRINKING: i64 = 2;

impl Varying {
    /// The constant 0.
    pub(crate) const ZERO: Varying = Varying(0);

    fn new(y: i64, slope: Slope) -> Self {
        let bits = match slope {
            Slope::Frozen => 0,
            Slope::Growing => GROWING,
            Slope::Shrinking => SHRINKING,
        };
        Varying((y << 2) | bits)
    }

    /// Growing, and 0 at time `t`.
    pub(crate) fn growing_from_zero_at(t: i64) -> Self {
        Varying::new(-t, Slope::Growing)
    }

    /// The value the line would have at time 0.
    #[inline]
    pub(crate) fn y(self) -> i64 {
        self.0 >> 2
    }

    /// How it changes.
    #[inline]
    pub(crate) fn slope(self) -> Slope {
        match self.0 & 3 {
            GROWING => Slope::Growing,
            SHRINKING => Slope::Shrinking,
            _ => Slope::Frozen,
        }
    }

    /// The value at time `t`.
    #[inline]
    pub(crate) fn at(self, t: i64) -> i64 {
        match self.0 & 3 {
            GROWING => self.y() + t,
            SHRINKING => self.y() - t,
            _ => self.y(),
        }
    }

    /// This line shifted up by `offset`.
    #[inline]
    pub(crate) fn plus(self, offset: i64) -> Self {
        Varying(self.0 + (offset << 2))
    }

    /// The same value at time `t`, changing with `slope` from then on.
    fn then(self, t: i64, slope: Slope) -> Self {
        let value = self.at(t);
        let y = match slope {
            Slope::Frozen => value,
            Slope::Growing => value - t,
            Slope::Shrinking => value + t,
        };
        Varying::new(y, slope)
    }

    /// Frozen from time `t` at its value then.
    pub(crate) fn then_frozen(self, t: i64) -> Self {
        self.then(t, Slope::Frozen)
    }

    /// Growing from time `t`.
    pub(crate) fn then_growing(self, t: i64) -> Self {
        self.then(t, Slope::Growing)
    }

    /// Shrinking from time `t`.
    pub(crate) fn then_shrinking(self, t: i64) -> Self {
        self.then(t, Slope::Shrinking)
    }

    /// When a shrinking value reaches 0.
    #[inline]
    pub(crate) fn zero_time_when_shrinking(self) -> i64 {
        debug_assert_eq!(self.slope(), Slope::Shrinking);
        self.y()
    }

    /// Whether it grows.
    #[inline]
    pub(crate) fn is_growing(self) -> bool {
        self.0 & 3 == GROWING
    }

    /// Whether it shrinks.
    #[inline]
    pub(crate) fn is_shrinking(self) -> bool {
        self.0 & 3 == SHRINKING
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_of_slope_keep_the_value_at_the_time_of_change() {
        let r = Varying::growing_from_zero_at(3);
        assert_eq!(r.at(3), 0);
        assert_eq!(r.at(10), 7);
        let s = r.then_shrinking(10);
        assert_eq!(s.at(10), 7);
        assert_eq!(s.at(12), 5);
        assert_eq!(s.zero_time_when_shrinking(), 17);
        let f = s.then_frozen(12);
        assert_eq!((f.at(12), f.at(100)), (5, 5));
        let g = f.then_growing(20).plus(4);
        assert_eq!(g.at(20), 9);
        assert_eq!(g.at(21), 10);
        assert!(g.is_growing() && s.is_shrinking() && !f.is_growing());
        assert_eq!(Varying::ZERO.at(5), 0);
        assert_eq!(Varying::new(-7, Slope::Shrinking).y(), -7);
        assert_eq!(Varying::new(-7, Slope::Shrinking).slope(), Slope::Shrinking);
        assert_eq!(Varying::new(5, Slope::Frozen).plus(-9).at(3), -4);
    }
}
