//! What the flooder and the matcher say to each other: region ids, compressed edges (a path
//! between two detection events, or one to the boundary, by its ends and effect), and the
//! events the flooder reports ([`MwpmEvent`]).

/// Index of a region in the flooder's arena.
pub(crate) type RegionId = u32;

/// Index of an alternating-tree node in the matcher's arena.
pub(crate) type TreeId = u32;

/// A path between two detection events (or one and the boundary), known by its ends, the
/// observables it flips and its floating-point weight.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct CompressedEdge {
    /// The detection event at one end.
    pub(crate) from: u32,
    /// The one at the other end; `None` for the boundary.
    pub(crate) to: Option<u32>,
    /// Observables flipped along the path.
    pub(crate) observables: u64,
    /// Sum of the edge weights along the path.
    pub(crate) weight: f64,
}

impl CompressedEdge {
    /// The same path walked the other way (only between two events).
    #[inline]
    pub(crate) fn reversed(self) -> Self {
        CompressedEdge {
            from: self.to.expect("a path to the boundary is not reversed"),
            to: Some(self.from),
            ..self
        }
    }
}

/// A region and the path from it to the next region of a cycle (a blossom's children) or to a
/// neighbour in an alternating tree.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct RegionEdge {
    /// The region.
    pub(crate) region: RegionId,
    /// The path leaving it.
    pub(crate) edge: CompressedEdge,
}

/// Whom a region is matched to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Mate {
    /// No one (it is in an alternating tree, or inside a blossom).
    Unmatched,
    /// The boundary, along this path.
    Boundary(CompressedEdge),
    /// Another region, along this path (from this region to it).
    Region(RegionId, CompressedEdge),
}

/// What the flooder reports to the matcher.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum MwpmEvent {
    /// Two top-level regions touched along `edge` (from `a`'s side to `b`'s).
    RegionHitRegion {
        /// One region.
        a: RegionId,
        /// The other.
        b: RegionId,
        /// The path between their events through the contact.
        edge: CompressedEdge,
    },
    /// A growing region reached the boundary along `edge`.
    RegionHitBoundary {
        /// The region.
        region: RegionId,
        /// Its path to the boundary.
        edge: CompressedEdge,
    },
    /// A shrinking blossom's radius reached 0: it must be taken apart.
    BlossomShatter {
        /// The blossom.
        blossom: RegionId,
        /// Its child holding the end of the path to its tree parent.
        in_parent: RegionId,
        /// Its child holding the end of the path to its tree child.
        in_child: RegionId,
    },
}
