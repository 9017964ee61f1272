//! The detector graph and shortest paths on it, in three parts:
//!
//! - [`radix_heap`]: the monotone integer priority queue of every search;
//! - [`detector_graph`]: the compact adjacency structure with integer edge costs and every
//!   detector's own edge to the boundary;
//! - [`dijkstra`]: a reusable truncated Dijkstra search from one detector (corrections are
//!   traced with it).
//!
//! Costs are integers (see [`detector_graph::WEIGHT_RESOLUTION`]) so that the matching built on top of these
//! distances is exact. Along every search the observable mask and the floating-point weight of
//! the path found are carried, so a matched pair's effect and weight need no second pass.

pub(crate) mod detector_graph;
pub(crate) mod dijkstra;
pub(crate) mod radix_heap;

pub(crate) use detector_graph::DetectorGraph;
pub(crate) use dijkstra::{Control, Dijkstra};
