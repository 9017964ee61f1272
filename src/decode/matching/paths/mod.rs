//! The detector graph, in two parts:
//!
//! - [`radix_heap`]: the monotone integer priority queue of the event timelines;
//! - [`detector_graph`]: the compact adjacency structure with integer edge costs and every
//!   detector's own edge to the boundary.
//!
//! Costs are even integers (see [`detector_graph::WEIGHT_RESOLUTION`]) so that the matching
//! built on this graph ([`super::sparse`]) is exact. Each adjacency slot carries the edge's
//! observable mask and floating-point weight with its cost, so a flood carries a path's effect
//! and weight as it goes.

pub(crate) mod detector_graph;
pub(crate) mod radix_heap;

pub(crate) use detector_graph::DetectorGraph;
