//! The flooder (the graph half of sparse blossom): regions grow, freeze and shrink over the
//! detector graph on one event timeline, and the flooder reports what the matcher must decide
//! ([`MwpmEvent`]): regions touching, a region reaching the boundary, a blossom to shatter.
//! It never decides anything about the matching itself.
//!
//! A region is a detection event's ball or a blossom of regions; its `radius` is its own
//! growth (for a blossom, the growth since it formed). A node belongs to the region that
//! reached it (`arrived`) and so to that region's outermost blossom (`top`); its local radius,
//! how far past it the region structure extends, is `top.radius + wrapped`, with `wrapped`
//! the frozen radii of the regions between `arrived` and `top` less the radius at arrival.

use super::super::paths::detector_graph::{DetectorGraph, Slot};
use super::event::{CompressedEdge, Mate, MwpmEvent, RegionEdge, RegionId};
use super::tracker::{Check, Timeline, Tracker};
use super::tree::Trees;
use super::varying::Varying;

/// Marks "none" in the node fields that hold indices.
pub(crate) const NONE: u32 = u32::MAX;

/// The per-shot state of one detector node.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NodeState {
    /// The region that reached it ([`NONE`] if none).
    pub(crate) arrived: RegionId,
    /// The detection event whose growth reached it ([`NONE`] if none).
    pub(crate) source: u32,
    /// Observables and weight of the path from the source to it.
    observables: u64,
    weight: f64,
    /// The radius of `arrived` when it arrived.
    arrival_radius: i64,
    /// Its next "look at me" check.
    tracker: Tracker,
}

impl Default for NodeState {
    fn default() -> Self {
        NodeState {
            arrived: NONE,
            source: NONE,
            observables: 0,
            weight: 0.0,
            arrival_radius: 0,
            tracker: Tracker::default(),
        }
    }
}

impl NodeState {
    /// Forgets the region (the tracker is kept).
    fn vacate(&mut self) {
        *self = NodeState {
            tracker: self.tracker,
            ..NodeState::default()
        };
    }
}

/// What the growth loop reads of every neighbour, apart from the rest of the node's state for
/// locality.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Local {
    /// The outermost blossom of the region that reached the node ([`NONE`] if none).
    pub(crate) top: RegionId,
    /// See the module notes.
    wrapped: i64,
}

impl Local {
    const EMPTY: Local = Local {
        top: NONE,
        wrapped: 0,
    };
}

/// A region: a detection event's ball or a blossom.
#[derive(Clone, Debug)]
pub(crate) struct Region {
    /// The blossom directly holding it.
    pub(crate) parent: Option<RegionId>,
    /// Its outermost blossom (itself at top level).
    pub(crate) top: RegionId,
    /// Its alternating-tree node, at top level and unmatched.
    pub(crate) tree: Option<u32>,
    /// Check of it while it shrinks.
    shrink: Tracker,
    /// Whom it is matched to.
    pub(crate) mate: Mate,
    /// For a blossom: its children in cycle order, each with the path to the next.
    pub(crate) children: Vec<RegionEdge>,
    /// The nodes it reached itself, in order of arrival.
    pub(crate) shell: Vec<u32>,
}

/// Where a node's next event lies.
#[derive(Clone, Copy, Debug)]
enum Target {
    Boundary,
    Neighbour(usize),
}

/// The flooder's state for one graph; reused across shots.
#[derive(Clone, Debug, Default)]
pub(crate) struct Flooder {
    pub(crate) nodes: Vec<NodeState>,
    /// Per node: its top region and wrapped radius.
    pub(crate) locals: Vec<Local>,
    regions: Vec<Region>,
    /// Per region: its own growth (see the module notes), apart from the rest of the region
    /// for locality (the growth loop reads it for every neighbour).
    radii: Vec<Varying>,
    free_regions: Vec<RegionId>,
    pub(crate) timeline: Timeline,
    /// Scratch of the traversals of region trees.
    stack: Vec<RegionId>,
    /// Emptied cycles of taken-apart blossoms, kept for the next blossoms' children.
    spare_cycles: Vec<Vec<RegionEdge>>,
}

impl std::ops::Index<RegionId> for Flooder {
    type Output = Region;
    #[inline]
    fn index(&self, id: RegionId) -> &Region {
        &self.regions[id as usize]
    }
}

impl std::ops::IndexMut<RegionId> for Flooder {
    #[inline]
    fn index_mut(&mut self, id: RegionId) -> &mut Region {
        &mut self.regions[id as usize]
    }
}

impl Flooder {
    /// A flooder for a graph of `num_detectors` detectors.
    pub(crate) fn new(num_detectors: usize) -> Self {
        Flooder {
            nodes: vec![NodeState::default(); num_detectors],
            locals: vec![Local::EMPTY; num_detectors],
            ..Flooder::default()
        }
    }

    /// Forgets every region and node state (after a failed shot; a finished one leaves
    /// nothing behind).
    pub(crate) fn reset(&mut self) {
        self.nodes
            .iter_mut()
            .for_each(|n| *n = NodeState::default());
        self.locals.iter_mut().for_each(|l| *l = Local::EMPTY);
        self.regions.clear();
        self.radii.clear();
        self.free_regions.clear();
        self.timeline.reset();
    }

    /// Whether no region is alive.
    pub(crate) fn is_clear(&self) -> bool {
        self.regions.len() == self.free_regions.len()
    }

    fn alloc_region(&mut self, radius: Varying) -> RegionId {
        let id = match self.free_regions.pop() {
            Some(id) => id,
            None => {
                self.regions.push(Region {
                    parent: None,
                    top: 0,
                    tree: None,
                    shrink: Tracker::default(),
                    mate: Mate::Unmatched,
                    children: Vec::new(),
                    shell: Vec::new(),
                });
                self.radii.push(radius);
                (self.regions.len() - 1) as RegionId
            }
        };
        let r = &mut self[id];
        r.parent = None;
        r.top = id;
        r.tree = None;
        r.shrink = Tracker::default();
        r.mate = Mate::Unmatched;
        r.children.clear();
        r.shell.clear();
        self.radii[id as usize] = radius;
        id
    }

    /// An empty list for a new blossom's cycle (a recycled one when there is one).
    pub(crate) fn spare_cycle(&mut self) -> Vec<RegionEdge> {
        self.spare_cycles.pop().unwrap_or_default()
    }

    /// Keeps the list `cycle` of a taken-apart blossom for [`Flooder::spare_cycle`].
    pub(crate) fn recycle_cycle(&mut self, mut cycle: Vec<RegionEdge>) {
        cycle.clear();
        self.spare_cycles.push(cycle);
    }

    /// Returns a region to the arena.
    pub(crate) fn free_region(&mut self, id: RegionId) {
        self[id].children.clear();
        self[id].shell.clear();
        self.free_regions.push(id);
    }

    /// Refuses a graph with more detectors than this flooder has nodes: the growth loop reads
    /// the state of every neighbour the graph names without a bounds check, relying on this.
    pub(crate) fn assert_fits(&self, graph: &DetectorGraph) {
        assert!(
            self.locals.len() >= graph.num_detectors() && self.nodes.len() >= graph.num_detectors(),
            "a flooder for {} detectors used on a graph of {}",
            self.locals.len(),
            graph.num_detectors()
        );
    }

    /// `locals[u]` for a neighbour `u` named by the graph's adjacency: the growth loop's
    /// innermost read, unchecked.
    #[inline(always)]
    fn neighbour_local(&self, u: u32) -> Local {
        debug_assert!((u as usize) < self.locals.len());
        // SAFETY: the graph refuses edges naming missing detectors (`DetectorGraph::new`), so
        // `u < graph.num_detectors()`, and `solve` checks `assert_fits` (`locals` holds a node
        // per detector) before any growth; `locals` never shrinks.
        unsafe { *self.locals.get_unchecked(u as usize) }
    }

    /// The radius of live region `r` (the `top` of an occupied node), unchecked.
    #[inline(always)]
    fn radius_of(&self, r: RegionId) -> Varying {
        debug_assert!((r as usize) < self.radii.len());
        // SAFETY: a node's `top` is `NONE` (checked by the caller) or a region made by
        // `alloc_region`, which pushes its radius; `radii` is cleared only by `reset`, which
        // sets every node's `top` to `NONE` too.
        unsafe { *self.radii.get_unchecked(r as usize) }
    }

    /// How far past node `v` its region structure extends now, as a function of time.
    #[inline]
    fn local_radius(&self, v: usize) -> Varying {
        let l = self.locals[v];
        if l.top == NONE {
            Varying::ZERO
        } else {
            self.radii[l.top as usize].plus(l.wrapped)
        }
    }

    /// A new region at detection event `v` (a node no region holds), growing from now.
    pub(crate) fn create_region_at(&mut self, graph: &DetectorGraph, v: usize) -> RegionId {
        let r = self.alloc_region(Varying::growing_from_zero_at(self.timeline.now));
        let n = &mut self.nodes[v];
        n.source = v as u32;
        n.arrival_radius = 0;
        n.arrived = r;
        n.observables = 0;
        n.weight = 0.0;
        self.locals[v] = Local { top: r, wrapped: 0 };
        self[r].shell.push(v as u32);
        self.reschedule(graph, v);
        r
    }

    /// The next event at node `v`: what it meets and when.
    #[inline(always)]
    fn next_event_at(&self, graph: &DetectorGraph, v: usize) -> Option<(Target, i64)> {
        let r1 = self.local_radius(v);
        let (mut target, mut best) = (Target::Boundary, i64::MAX);
        let top = self.locals[v].top;
        if r1.is_growing() {
            if let Some(cost) = graph.boundary_cost(v) {
                best = cost - r1.y();
            }
            for (k, s) in graph.neighbours(v).iter().enumerate() {
                let l = self.neighbour_local(s.neighbour);
                if l.top == top {
                    continue;
                }
                let mut t = s.cost - r1.y();
                if l.top != NONE {
                    let r2 = self.radius_of(l.top).plus(l.wrapped);
                    if r2.is_shrinking() {
                        continue;
                    }
                    t -= r2.y();
                    if r2.is_growing() {
                        t >>= 1;
                    }
                }
                if t < best {
                    (target, best) = (Target::Neighbour(k), t);
                }
            }
        } else {
            for (k, s) in graph.neighbours(v).iter().enumerate() {
                let r2 = self.local_radius(s.neighbour as usize);
                if r2.is_growing() {
                    let t = s.cost - r1.y() - r2.y();
                    if t < best {
                        (target, best) = (Target::Neighbour(k), t);
                    }
                }
            }
        }
        (best != i64::MAX).then_some((target, best))
    }

    /// Puts node `v`'s next check on the timeline (or forgets it).
    pub(crate) fn reschedule(&mut self, graph: &DetectorGraph, v: usize) {
        match self.next_event_at(graph, v) {
            None => self.nodes[v].tracker.forget(),
            Some((_, t)) => {
                let now = self.timeline.now;
                self.nodes[v]
                    .tracker
                    .want(t.max(now), Check::Node(v as u32), &mut self.timeline);
            }
        }
    }

    /// Checks shrinking region `r` when its outermost node is about to be left.
    fn schedule_shrink(&mut self, r: RegionId) {
        let t = match self[r].shell.last() {
            None => self.radii[r as usize].zero_time_when_shrinking(),
            Some(&v) => self.local_radius(v as usize).zero_time_when_shrinking(),
        };
        let now = self.timeline.now;
        let region = &mut self.regions[r as usize];
        region
            .shrink
            .want(t.max(now), Check::ShrinkingRegion(r), &mut self.timeline);
    }

    /// Region `r` (top level) reaches the empty node `u` from node `from` along `slot`.
    fn arrive(&mut self, graph: &DetectorGraph, r: RegionId, u: usize, from: usize, slot: &Slot) {
        let f = self.nodes[from];
        let radius = self.radii[r as usize].at(self.timeline.now);
        debug_assert_eq!(self[r].top, r, "regions grow at the top level");
        let n = &mut self.nodes[u];
        n.observables = f.observables ^ graph.edge_observables(slot.edge as usize);
        n.weight = f.weight + graph.edge_weight(slot.edge as usize);
        n.source = f.source;
        n.arrival_radius = radius;
        n.arrived = r;
        // Reached at the top level: the local radius starts at 0.
        self.locals[u] = Local {
            top: r,
            wrapped: -radius,
        };
        self[r].shell.push(u as u32);
        self.reschedule(graph, u);
    }

    /// A check of shrinking region `r` came due.
    fn shrink(&mut self, graph: &DetectorGraph, trees: &Trees, r: RegionId) -> Option<MwpmEvent> {
        let region = &self[r];
        if region.shell.is_empty() {
            let node = &trees[region.tree.expect("a shrinking region is in a tree")];
            let heir = |v: u32| self.heir_on_shatter(v as usize);
            return Some(MwpmEvent::BlossomShatter {
                blossom: r,
                in_parent: heir(node.parent.expect("an inner region has a parent").edge.from),
                in_child: heir(node.inner_to_outer.expect("an inner region").from),
            });
        }
        if region.shell.len() == 1 && region.children.is_empty() {
            // The event's own ball vanishes: its parent and child regions meet through it.
            let node = &trees[region.tree.expect("a shrinking region is in a tree")];
            let parent = node.parent.expect("an inner region has a parent");
            let inner_to_outer = node.inner_to_outer.expect("an inner region");
            return Some(MwpmEvent::RegionHitRegion {
                a: trees[parent.node].outer,
                b: node.outer,
                edge: CompressedEdge {
                    from: parent.edge.to.expect("between regions"),
                    to: inner_to_outer.to,
                    observables: parent.edge.observables ^ inner_to_outer.observables,
                    weight: parent.edge.weight + inner_to_outer.weight,
                },
            });
        }
        let leaving = self[r].shell.pop().expect("non-empty") as usize;
        self.nodes[leaving].vacate();
        self.locals[leaving] = Local::EMPTY;
        self.reschedule(graph, leaving);
        self.schedule_shrink(r);
        None
    }

    /// The child of `v`'s top region that holds `v`.
    fn heir_on_shatter(&self, v: usize) -> RegionId {
        let top = self.locals[v].top;
        let mut r = self.nodes[v].arrived;
        loop {
            let p = self[r].parent.expect("below the top");
            if p == top {
                return r;
            }
            r = p;
        }
    }

    /// A check of node `v` came due.
    fn look_at_node(&mut self, graph: &DetectorGraph, v: usize) -> Option<MwpmEvent> {
        let now = self.timeline.now;
        let (target, t) = self.next_event_at(graph, v)?;
        if t > now {
            self.nodes[v]
                .tracker
                .want(t, Check::Node(v as u32), &mut self.timeline);
            return None;
        }
        // Look again right after this event: another edge may be due now too.
        self.nodes[v]
            .tracker
            .want(now, Check::Node(v as u32), &mut self.timeline);
        let n = self.nodes[v];
        let n_top = self.locals[v].top;
        match target {
            Target::Boundary => {
                let b = graph
                    .boundary_edge(v)
                    .expect("the node has a boundary edge");
                Some(MwpmEvent::RegionHitBoundary {
                    region: n_top,
                    edge: CompressedEdge {
                        from: n.source,
                        to: None,
                        observables: n.observables ^ b.observables,
                        weight: n.weight + b.weight,
                    },
                })
            }
            Target::Neighbour(k) => {
                let slot = graph.neighbours(v)[k];
                let u = slot.neighbour as usize;
                let m = self.nodes[u];
                let m_top = self.locals[u].top;
                if n.arrived != NONE && m.arrived == NONE {
                    self.arrive(graph, n_top, u, v, &slot);
                    None
                } else if m.arrived != NONE && n.arrived == NONE {
                    self.arrive(graph, m_top, v, u, &slot);
                    None
                } else {
                    Some(MwpmEvent::RegionHitRegion {
                        a: n_top,
                        b: m_top,
                        edge: CompressedEdge {
                            from: n.source,
                            to: Some(m.source),
                            observables: n.observables
                                ^ m.observables
                                ^ graph.edge_observables(slot.edge as usize),
                            weight: n.weight + m.weight + graph.edge_weight(slot.edge as usize),
                        },
                    })
                }
            }
        }
    }

    /// Runs the timeline until something for the matcher happens (`None`: nothing is left).
    pub(crate) fn next_event(&mut self, graph: &DetectorGraph, trees: &Trees) -> Option<MwpmEvent> {
        while let Some((time, check)) = self.timeline.pop() {
            let due = match check {
                Check::Node(v) => {
                    self.nodes[v as usize]
                        .tracker
                        .take(time, check, &mut self.timeline)
                }
                Check::ShrinkingRegion(r) => {
                    self.regions[r as usize]
                        .shrink
                        .take(time, check, &mut self.timeline)
                }
            };
            if !due {
                continue;
            }
            let event = match check {
                Check::Node(v) => self.look_at_node(graph, v as usize),
                Check::ShrinkingRegion(r) => self.shrink(graph, trees, r),
            };
            if event.is_some() {
                return event;
            }
        }
        None
    }

    /// Calls `f` on every region of `r`'s blossom tree, `r` included.
    fn for_each_descendant(&mut self, r: RegionId, mut f: impl FnMut(&mut Self, RegionId)) {
        if self[r].children.is_empty() {
            // Most regions are one event's ball.
            f(self, r);
            return;
        }
        let mut stack = std::mem::take(&mut self.stack);
        stack.clear();
        stack.push(r);
        while let Some(d) = stack.pop() {
            f(self, d);
            stack.extend(self[d].children.iter().map(|c| c.region));
        }
        self.stack = stack;
    }

    /// Calls `f` on every node of `r`'s area (its shell and its descendants').
    fn for_each_node(&mut self, r: RegionId, mut f: impl FnMut(&mut Self, usize)) {
        self.for_each_descendant(r, |fl, d| {
            for k in (0..fl[d].shell.len()).rev() {
                let v = fl[d].shell[k] as usize;
                f(fl, v);
            }
        });
    }

    /// Reschedules every node of `r`'s area.
    pub(crate) fn reschedule_area(&mut self, graph: &DetectorGraph, r: RegionId) {
        self.for_each_node(r, |fl, v| fl.reschedule(graph, v));
    }

    /// Makes `top` the outermost region of the blossom tree of `r`, for `r` and every region
    /// inside it, and adds `rewrap` to the wrapped radius of every node of `r`'s area (the frozen
    /// radius of a region that its nodes' `top` now passes over, or less one it no longer does).
    fn set_top(&mut self, r: RegionId, top: RegionId, rewrap: i64) {
        self.for_each_descendant(r, |fl, d| {
            fl.regions[d as usize].top = top;
            let locals = &mut fl.locals;
            for &v in &fl.regions[d as usize].shell {
                let l = &mut locals[v as usize];
                l.top = top;
                l.wrapped += rewrap;
            }
        });
    }

    /// Detaches blossom child `r` from its parent (the parent is being taken apart), making
    /// it a top-level region.
    pub(crate) fn clear_blossom_parent(&mut self, r: RegionId) {
        self[r].parent = None;
        let frozen = self.radii[r as usize].y();
        self.set_top(r, r, -frozen);
    }

    /// A new blossom of the cycle `children` (each with the path to the next), growing from now.
    pub(crate) fn create_blossom(
        &mut self,
        graph: &DetectorGraph,
        children: Vec<RegionEdge>,
    ) -> RegionId {
        let now = self.timeline.now;
        let b = self.alloc_region(Varying::growing_from_zero_at(now));
        for c in &children {
            let c = c.region;
            self.radii[c as usize] = self.radii[c as usize].then_frozen(now);
            self[c].parent = Some(b);
            let frozen = self.radii[c as usize].y();
            self.set_top(c, b, frozen);
            self[c].shrink.forget();
        }
        self[b].children = children;
        self.reschedule_area(graph, b);
        b
    }

    /// Region `r` grows from now.
    pub(crate) fn set_growing(&mut self, graph: &DetectorGraph, r: RegionId) {
        let now = self.timeline.now;
        self.radii[r as usize] = self.radii[r as usize].then_growing(now);
        self[r].shrink.forget();
        self.reschedule_area(graph, r);
    }

    /// Region `r` stops changing from now.
    pub(crate) fn set_frozen(&mut self, graph: &DetectorGraph, r: RegionId) {
        let now = self.timeline.now;
        let was_shrinking = self.radii[r as usize].is_shrinking();
        self.radii[r as usize] = self.radii[r as usize].then_frozen(now);
        self[r].shrink.forget();
        if was_shrinking {
            self.reschedule_area(graph, r);
        }
    }

    /// Region `r` shrinks from now.
    pub(crate) fn set_shrinking(&mut self, r: RegionId) {
        let now = self.timeline.now;
        self.radii[r as usize] = self.radii[r as usize].then_shrinking(now);
        self.schedule_shrink(r);
        self.for_each_node(r, |fl, v| fl.nodes[v].tracker.forget());
    }

    /// Matches regions `a` and `b` along `edge` (from `a` to `b`).
    pub(crate) fn add_match(&mut self, a: RegionId, b: RegionId, edge: CompressedEdge) {
        self[a].mate = Mate::Region(b, edge);
        self[b].mate = Mate::Region(a, edge.reversed());
    }

    /// Resets the nodes of `r`'s own shell.
    pub(crate) fn cleanup_shell(&mut self, r: RegionId) {
        for k in 0..self[r].shell.len() {
            let v = self[r].shell[k] as usize;
            self.nodes[v] = NodeState::default();
            self.locals[v] = Local::EMPTY;
        }
    }
}
