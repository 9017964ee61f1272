//! The matcher (the tree half of sparse blossom): it turns the flooder's events into
//! alternating-tree operations (grow a tree, augment, form a blossom, shatter one), tells the
//! flooder which regions grow, freeze or shrink, and at the end reads the matching off the
//! regions, taking the blossoms apart.

use super::super::paths::detector_graph::DetectorGraph;
use super::event::{CompressedEdge, Mate, MwpmEvent, RegionEdge, RegionId, TreeId};
use super::flooder::{Flooder, NONE};
use super::tree::{Pruned, TreeEdge, Trees};

/// Why a shot has no perfect matching.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Unmatchable {
    /// A detection event that could not be matched.
    pub(crate) detector: usize,
}

/// Sparse blossom's state: the flooder and the alternating trees; reused across shots.
#[derive(Clone, Debug, Default)]
pub(crate) struct SparseBlossom {
    flooder: Flooder,
    trees: Trees,
    /// Scratch of [`SparseBlossom::shatter_into_matches`].
    stack: Vec<TreeId>,
    /// Scratch of [`SparseBlossom::form_blossom`]: the two pruned halves of the cycle.
    halves: [Pruned; 2],
}

impl SparseBlossom {
    /// The solver for a graph of `num_detectors` detectors.
    pub(crate) fn new(num_detectors: usize) -> Self {
        SparseBlossom {
            flooder: Flooder::new(num_detectors),
            trees: Trees::default(),
            stack: Vec::new(),
            halves: Default::default(),
        }
    }

    /// Finds a minimum-weight matching of the detection `events` (distinct detectors) on
    /// `graph`, appending its paths to `matches` (each between two events, or an event and
    /// the boundary). Fails when a component without boundary holds an odd number of events.
    pub(crate) fn solve(
        &mut self,
        graph: &DetectorGraph,
        events: &[usize],
        matches: &mut Vec<CompressedEdge>,
    ) -> Result<(), Unmatchable> {
        self.flooder.assert_fits(graph);
        self.flooder.timeline.reset();
        for &v in events {
            let r = self.flooder.create_region_at(graph, v);
            let t = self.trees.alloc(r, None, None);
            self.flooder[r].tree = Some(t);
        }
        while let Some(event) = self.flooder.next_event(graph, &self.trees) {
            self.process(graph, event);
        }
        if self.trees.live() > 0 {
            let detector = events
                .iter()
                .copied()
                .find(|&v| {
                    let top = self.flooder.locals[v].top;
                    top != NONE && self.flooder[top].tree.is_some()
                })
                .unwrap_or(events[0]);
            self.flooder.reset();
            self.trees.clear();
            return Err(Unmatchable { detector });
        }
        for &v in events {
            if self.flooder.nodes[v].arrived != NONE {
                let top = self.flooder.locals[v].top;
                self.extract(top, matches);
            }
        }
        debug_assert!(self.flooder.is_clear());
        Ok(())
    }

    fn process(&mut self, graph: &DetectorGraph, event: MwpmEvent) {
        match event {
            MwpmEvent::RegionHitRegion { a, b, edge } => self.region_hit_region(graph, a, b, edge),
            MwpmEvent::RegionHitBoundary { region, edge } => {
                let node = self.tree_of(region);
                self.trees.become_root(node);
                self.shatter_into_matches(graph, node);
                self.flooder[region].mate = Mate::Boundary(edge);
                self.flooder.set_frozen(graph, region);
            }
            MwpmEvent::BlossomShatter {
                blossom,
                in_parent,
                in_child,
            } => self.shatter_blossom(graph, blossom, in_parent, in_child),
        }
    }

    fn tree_of(&self, r: RegionId) -> TreeId {
        self.flooder[r].tree.expect("the region is in a tree")
    }

    fn region_hit_region(
        &mut self,
        graph: &DetectorGraph,
        a: RegionId,
        b: RegionId,
        edge: CompressedEdge,
    ) {
        match (self.flooder[a].tree, self.flooder[b].tree) {
            (Some(ta), Some(tb)) => match self.trees.common_ancestor(ta, tb) {
                None => {
                    // Two trees meet: augment along both to their roots.
                    self.trees.become_root(ta);
                    self.trees.become_root(tb);
                    self.shatter_into_matches(graph, ta);
                    self.shatter_into_matches(graph, tb);
                    self.flooder.add_match(a, b, edge);
                    self.flooder.set_frozen(graph, a);
                    self.flooder.set_frozen(graph, b);
                }
                Some(common) => self.form_blossom(graph, a, b, edge, common),
            },
            (Some(_), None) => self.tree_hit_matched(graph, a, b, edge),
            (None, Some(_)) => self.tree_hit_matched(graph, b, a, edge.reversed()),
            (None, None) => unreachable!("two regions outside trees do not grow"),
        }
    }

    /// Growing region `u` of a tree touched `m`, which is matched (to a region or the
    /// boundary).
    fn tree_hit_matched(
        &mut self,
        graph: &DetectorGraph,
        u: RegionId,
        m: RegionId,
        edge: CompressedEdge,
    ) {
        let node = self.tree_of(u);
        match self.flooder[m].mate {
            Mate::Region(other, m_to_other) => {
                // The pair joins the tree: m shrinks, its mate grows.
                let child = self.trees.alloc(other, Some(m), Some(m_to_other));
                self.flooder[m].tree = Some(child);
                self.flooder[other].tree = Some(child);
                self.trees.add_child(node, TreeEdge { node: child, edge });
                self.flooder[m].mate = Mate::Unmatched;
                self.flooder[other].mate = Mate::Unmatched;
                self.flooder.set_shrinking(m);
                self.flooder.set_growing(graph, other);
            }
            Mate::Boundary(_) => {
                // Augment: m gives up the boundary for u.
                self.flooder.add_match(u, m, edge);
                self.flooder.set_frozen(graph, u);
                self.trees.become_root(node);
                self.shatter_into_matches(graph, node);
            }
            Mate::Unmatched => unreachable!("a region outside trees is matched"),
        }
    }

    /// Matches every inner region of `root`'s tree to its outer region, freezes them and frees
    /// the tree's nodes (the root's own outer region is left unmatched, for the caller).
    fn shatter_into_matches(&mut self, graph: &DetectorGraph, root: TreeId) {
        let mut stack = std::mem::take(&mut self.stack);
        stack.clear();
        stack.push(root);
        while let Some(n) = stack.pop() {
            stack.extend(self.trees[n].children.iter().map(|c| c.node));
            let outer = self.trees[n].outer;
            if let Some(inner) = self.trees[n].inner {
                let edge = self.trees[n].inner_to_outer.expect("with an inner region");
                self.flooder.add_match(inner, outer, edge);
                self.flooder.set_frozen(graph, inner);
                self.flooder.set_frozen(graph, outer);
                self.flooder[inner].tree = None;
            }
            self.flooder[outer].tree = None;
            self.trees.free(n);
        }
        self.stack = stack;
    }

    /// Outer regions `a` and `b` of one tree touched: the cycle through their common
    /// ancestor becomes a blossom, the outer region of that ancestor's node.
    fn form_blossom(
        &mut self,
        graph: &DetectorGraph,
        a: RegionId,
        b: RegionId,
        edge: CompressedEdge,
        common: TreeId,
    ) {
        let (ta, tb) = (self.tree_of(a), self.tree_of(b));
        let [mut from_a, mut from_b] = std::mem::take(&mut self.halves);
        self.trees.prune_upward(ta, common, false, &mut from_a);
        self.trees.prune_upward(tb, common, true, &mut from_b);
        // Every region of the cycle leaves the tree (the paths hold all but `a` itself).
        self.flooder[a].tree = None;
        for re in from_a.path.iter().chain(&from_b.path) {
            self.flooder[re.region].tree = None;
        }
        let mut cycle = self.flooder.spare_cycle();
        cycle.extend_from_slice(&from_b.path);
        cycle.extend(from_a.path.iter().rev());
        cycle.push(RegionEdge { region: a, edge });
        let old_outer = self.trees[common].outer;
        self.flooder[old_outer].tree = None;
        let blossom = self.flooder.create_blossom(graph, cycle);
        self.trees[common].outer = blossom;
        self.flooder[blossom].tree = Some(common);
        for &orphan in from_a.orphans.iter().chain(&from_b.orphans) {
            self.trees.add_child(common, orphan);
        }
        self.halves = [from_a, from_b];
    }

    /// Inner blossom `blossom` shrank to nothing: its odd path from the child holding the
    /// parent's end to the one holding the child's end rejoins the tree, the rest pairs up.
    fn shatter_blossom(
        &mut self,
        graph: &DetectorGraph,
        blossom: RegionId,
        in_parent: RegionId,
        in_child: RegionId,
    ) {
        let cycle = std::mem::take(&mut self.flooder[blossom].children);
        for c in &cycle {
            self.flooder.clear_blossom_parent(c.region);
        }
        let node = self.tree_of(blossom);
        let size = cycle.len();
        let parent_idx = cycle
            .iter()
            .position(|c| c.region == in_parent)
            .expect("a child");
        let child_idx = cycle
            .iter()
            .position(|c| c.region == in_child)
            .expect("a child");
        let gap = (child_idx + size - parent_idx) % size;
        let parent = self.trees[node]
            .parent
            .expect("an inner blossom has a parent");
        let mut current = parent.node;
        self.trees.remove_child(current, node);
        let mut child_edge = parent.edge.reversed();
        let evens;
        let hang = |this: &mut Self, current: &mut TreeId, inner, outer, inner_to_outer, edge| {
            let child = this.trees.alloc(outer, Some(inner), Some(inner_to_outer));
            this.flooder[inner].tree = Some(child);
            this.flooder[outer].tree = Some(child);
            this.trees
                .add_child(*current, TreeEdge { node: child, edge });
            *current = child;
            this.flooder.set_shrinking(inner);
            this.flooder.set_growing(graph, outer);
        };
        if gap.is_multiple_of(2) {
            evens = (child_idx + 1, child_idx + size - gap);
            for i in (parent_idx..parent_idx + gap).step_by(2) {
                let (r1, r2) = (cycle[i % size], cycle[(i + 1) % size]);
                hang(
                    self,
                    &mut current,
                    r1.region,
                    r2.region,
                    r1.edge,
                    child_edge,
                );
                child_edge = r2.edge;
            }
        } else {
            evens = (parent_idx + 1, parent_idx + gap);
            for i in (0..size - gap).step_by(2) {
                let k1 = (parent_idx + 2 * size - i) % size;
                let k2 = (parent_idx + 2 * size - i - 1) % size;
                let k3 = (parent_idx + 2 * size - i - 2) % size;
                hang(
                    self,
                    &mut current,
                    cycle[k1].region,
                    cycle[k2].region,
                    cycle[k2].edge.reversed(),
                    child_edge,
                );
                child_edge = cycle[k3].edge.reversed();
            }
        }
        for j in (evens.0..evens.1).step_by(2) {
            let (r1, r2) = (cycle[j % size], cycle[(j + 1) % size]);
            self.flooder.add_match(r1.region, r2.region, r1.edge);
            self.flooder.reschedule_area(graph, r1.region);
            self.flooder.reschedule_area(graph, r2.region);
        }
        let inner = cycle[child_idx].region;
        self.trees[node].inner = Some(inner);
        self.flooder.set_shrinking(inner);
        self.flooder[inner].tree = Some(node);
        self.trees.add_child(
            current,
            TreeEdge {
                node,
                edge: child_edge,
            },
        );
        self.flooder.recycle_cycle(cycle);
        self.flooder.free_region(blossom);
    }

    /// Appends the matched paths of `region` (top level) and its mate, taking blossoms apart
    /// and resetting their nodes.
    fn extract(&mut self, region: RegionId, out: &mut Vec<CompressedEdge>) {
        self.flooder.cleanup_shell(region);
        match self.flooder[region].mate {
            Mate::Region(m, edge) => {
                self.flooder.cleanup_shell(m);
                if self.flooder[region].children.is_empty() && self.flooder[m].children.is_empty() {
                    out.push(edge);
                    self.flooder.free_region(m);
                    self.flooder.free_region(region);
                    return;
                }
            }
            Mate::Boundary(edge) => {
                if self.flooder[region].children.is_empty() {
                    out.push(edge);
                    self.flooder.free_region(region);
                    return;
                }
            }
            Mate::Unmatched => unreachable!("every region is matched at the end"),
        }
        let mut region = region;
        if !self.flooder[region].children.is_empty() {
            region = self.pair_children(region, out);
        }
        if let Mate::Region(m, _) = self.flooder[region].mate {
            if !self.flooder[m].children.is_empty() {
                self.pair_children(m, out);
            }
        }
        self.extract(region, out);
    }

    /// Takes matched blossom `region` apart: the child holding its match's end inherits the
    /// match, the others pair up around the cycle (their paths extracted). Returns the heir.
    fn pair_children(&mut self, region: RegionId, out: &mut Vec<CompressedEdge>) -> RegionId {
        let children = std::mem::take(&mut self.flooder[region].children);
        for c in &children {
            self.flooder.clear_blossom_parent(c.region);
        }
        let mate = self.flooder[region].mate;
        let end = match mate {
            Mate::Region(_, e) | Mate::Boundary(e) => e.from,
            Mate::Unmatched => unreachable!("a matched blossom"),
        };
        let heir = self.flooder.locals[end as usize].top;
        self.flooder[heir].mate = mate;
        if let Mate::Region(m, e) = mate {
            self.flooder[m].mate = Mate::Region(heir, e.reversed());
        }
        let index = children
            .iter()
            .position(|c| c.region == heir)
            .expect("a child");
        let n = children.len();
        for i in (0..n - 1).step_by(2) {
            let (r1, r2) = (children[(index + i + 1) % n], children[(index + i + 2) % n]);
            self.flooder.add_match(r1.region, r2.region, r1.edge);
            self.extract(r1.region, out);
        }
        self.flooder.recycle_cycle(children);
        self.flooder.free_region(region);
        heir
    }
}
