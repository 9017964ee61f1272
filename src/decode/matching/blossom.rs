//! Exact minimum-cost perfect matching with an absorbing boundary: Edmonds' primal-dual blossom
//! algorithm, grown one alternating tree at a time, with lazy dual updates and an event queue.
//!
//! # Problem
//! Vertices `0..n`, undirected edges with integer costs, and for each vertex an optional cost of
//! matching it to the boundary (which absorbs any number of vertices). Find a minimum-cost set
//! of edges and boundary assignments covering every vertex exactly once.
//!
//! # Duals (the certificate)
//! Every vertex `v` carries a potential `pot(v) = y_v + sum of z_B over blossoms B containing v`,
//! every blossom a dual `z_B >= 0`. Feasibility: for every edge `(u, v)`,
//! `cost - pot(u) - pot(v) + 2 * sum of z_B over blossoms containing both >= 0`, and
//! `pot(v) <= boundary cost`. Matched edges, boundary assignments and the edges inside blossoms
//! along their odd cycles are tight. This is the LP dual of the matching problem on the graph in
//! which every vertex gets a boundary twin and the twins form a zero-cost clique, so a feasible
//! tight solution is optimal. [`Blossom::potential`] and [`Blossom::common_blossom_dual`] expose
//! the duals so a caller can check edges it did not pass in.
//!
//! # Algorithm
//! A greedy pass raises each vertex's potential until an edge or the boundary is tight and
//! matches it when the partner is free. Then each free vertex in turn roots an alternating tree.
//! Outer nodes of the tree are labelled S (potential grows with the tree's dual change `delta`)
//! or T (potential shrinks). Their duals are stored relative to `delta`, so a change of `delta`
//! costs nothing; every event (an edge or boundary becoming tight, a T blossom's dual reaching
//! zero) has a fixed `delta` at which it happens and sits in a priority queue. Events: grow the
//! tree through a matched node, augment to a free or boundary-matched node or to the boundary,
//! shrink an odd cycle into a blossom, expand a T blossom. The blossom bookkeeping (endpoint
//! numbering, child lists, rotation on augmentation) follows J. van Rantwijk's `mwmatching.py`.
//! Costs must be even (callers double them): then every slack between two S vertices of one
//! tree is even and all duals stay integers.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Cost meaning "no boundary" (never tight).
pub const NO_BOUNDARY: i64 = i64::MAX / 4;

/// A vertex (`0..n`) or a blossom (`n..2n`): the nodes of the alternating trees.
type Node = usize;

/// One end of an input edge: endpoint `2k` is edge `k`'s first vertex, `2k + 1` its second, so
/// `p ^ 1` is the other end and `p >> 1` the edge.
type Endpoint = usize;

/// What a vertex is matched to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mate {
    /// Unmatched.
    Free,
    /// Matched to the boundary.
    Boundary,
    /// Matched through the edge of this endpoint, which is the partner's end.
    Remote(Endpoint),
}

/// An event of the alternating tree's queue, due when the tree's dual change reaches its time.
/// The order of the variants breaks ties between events due at the same time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    /// The edge of this endpoint (the far end outside the tree) becomes tight: grow the tree or
    /// augment.
    Grow(Endpoint),
    /// The edge of this endpoint joins two S nodes of the tree: shrink a blossom.
    Shrink(Endpoint),
    /// This S vertex reaches its boundary cost: augment to the boundary.
    ToBoundary(Node),
    /// This T blossom's dual reaches zero: expand it.
    Expand(Node),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Label {
    Free,
    S,
    T,
}

fn sign(label: Label) -> i64 {
    match label {
        Label::Free => 0,
        Label::S => 1,
        Label::T => -1,
    }
}

/// The partner of a vertex in the solved matching.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Partner {
    /// Matched to the boundary.
    Boundary,
    /// Matched to `vertex` through input edge `edge`.
    Vertex {
        /// The other vertex.
        vertex: usize,
        /// Index of the input edge (in order of [`Blossom::add_edge`]).
        edge: usize,
    },
}

/// Reusable solver state: load a problem with [`Blossom::reset`], [`Blossom::set_boundary`]
/// and [`Blossom::add_edge`], then call [`Blossom::solve`].
#[derive(Clone, Debug, Default)]
pub struct Blossom {
    n: usize,
    edge_u: Vec<usize>,
    edge_v: Vec<usize>,
    edge_cost: Vec<i64>,
    boundary_cost: Vec<i64>,
    adj_offsets: Vec<usize>,
    /// Remote endpoints of the edges around each vertex.
    adj: Vec<usize>,
    mate: Vec<Mate>,
    /// Per node: the outermost blossom holding it (itself if none).
    in_blossom: Vec<Node>,
    /// Per node: the blossom directly holding it.
    parent: Vec<Option<Node>>,
    children: Vec<Vec<usize>>,
    child_endpoints: Vec<Vec<usize>>,
    base: Vec<usize>,
    /// Blossom duals (nodes `n..2n`), stored relative to `delta` while in a tree.
    dual: Vec<i64>,
    /// Vertex potentials, stored relative to `delta` while in a tree.
    pot: Vec<i64>,
    label: Vec<Label>,
    /// Per outer node in a tree: the endpoint through which it got its label (the far end is
    /// its tree parent's), `None` for a root.
    label_end: Vec<Option<Endpoint>>,
    unused: Vec<usize>,
    heap: BinaryHeap<Reverse<(i64, Event)>>,
    tree: Vec<usize>,
    delta: i64,
    mark: Vec<u32>,
    mark_generation: u32,
    /// Per marked blossom: the sum of its dual and those of its ancestors.
    above: Vec<i64>,
    leaves: Vec<usize>,
    stack: Vec<usize>,
    /// Vertices some of whose duals rose since [`Blossom::clear_raised`] (and a mark per vertex).
    raised: Vec<usize>,
    raised_mark: Vec<bool>,
    /// Per vertex: the tree's `delta` when it last became S.
    s_since: Vec<i64>,
    /// Scratch of [`Blossom::add_blossom`]: the vertices that turn S.
    new_s: Vec<usize>,
}

impl Blossom {
    /// Starts a new problem with `n` vertices, no edges and no boundary.
    pub fn reset(&mut self, n: usize) {
        self.n = n;
        self.edge_u.clear();
        self.edge_v.clear();
        self.edge_cost.clear();
        self.boundary_cost.clear();
        self.boundary_cost.resize(n, NO_BOUNDARY);
    }

    /// Sets the cost of matching `v` to the boundary (even, non-negative).
    pub fn set_boundary(&mut self, v: usize, cost: i64) {
        debug_assert!(cost >= 0 && cost % 2 == 0);
        self.boundary_cost[v] = cost;
    }

    /// Adds an edge with an even non-negative cost; returns its index.
    pub fn add_edge(&mut self, u: usize, v: usize, cost: i64) -> usize {
        debug_assert!(u != v && cost >= 0 && cost % 2 == 0);
        self.edge_u.push(u);
        self.edge_v.push(v);
        self.edge_cost.push(cost);
        self.edge_u.len() - 1
    }

    /// Vertex at endpoint `p` (edge `p / 2`, side `p % 2`).
    #[inline]
    fn endpoint(&self, p: usize) -> usize {
        if p & 1 == 0 {
            self.edge_u[p >> 1]
        } else {
            self.edge_v[p >> 1]
        }
    }

    /// Solves the loaded problem. On failure (no perfect matching among the loaded edges for
    /// some vertices) returns the vertices of the alternating tree that could not be augmented.
    pub fn solve(&mut self) -> Result<(), Vec<usize>> {
        self.build_adjacency();
        self.init_state();
        self.greedy();
        self.grow_free_roots()
    }

    /// Solves again after edges `first_new..` were added to a solved (or stuck) problem, reusing
    /// the matching and duals: each added edge with negative reduced cost is made feasible by
    /// lowering the duals on one side (expanding blossoms whose dual reaches zero and unmatching
    /// what loses tightness), then the freed vertices grow trees again.
    pub fn resolve(&mut self, first_new: usize) -> Result<(), Vec<usize>> {
        self.build_adjacency();
        for k in first_new..self.edge_u.len() {
            let (u, v) = (self.edge_u[k], self.edge_v[k]);
            let slack =
                self.edge_cost[k] - self.pot[u] - self.pot[v] + 2 * self.common_blossom_dual(u, v);
            if slack >= 0 {
                continue;
            }
            self.lower_side(u, v, -slack);
        }
        self.grow_free_roots()
    }

    fn grow_free_roots(&mut self) -> Result<(), Vec<usize>> {
        for root in 0..self.n {
            if self.mate[root] == Mate::Free {
                self.grow_tree(root)?;
            }
        }
        Ok(())
    }

    /// Lowers by `amount` the duals on `u`'s side of the pair `(u, v)`, outermost first,
    /// unmatching every node whose dual drops. First the blossoms holding both are dissolved:
    /// removing blossom `B` and lowering its members' potentials by `z_B` leaves every slack
    /// inside `B` unchanged and only raises those leaving it (its outer matched edge, which
    /// loses tightness, is unmatched).
    fn lower_side(&mut self, u: usize, v: usize, amount: i64) {
        while self.in_blossom[u] == self.in_blossom[v] {
            let b = self.in_blossom[u];
            let z = self.dual[b];
            if z > 0 {
                self.unmatch_base(b);
                self.leaves.clear();
                self.collect_leaves(b);
                for i in 0..self.leaves.len() {
                    let leaf = self.leaves[i];
                    self.pot[leaf] -= z;
                }
            }
            self.dissolve(b);
        }
        self.lower_duals(u, amount);
    }

    /// Lowers the boundary cost of vertex `v` to `cost` (even, non-negative) in a solved
    /// problem, keeping the duals feasible: if `v`'s potential now exceeds the cost, the duals
    /// on `v`'s side are lowered by the excess as in [`Blossom::resolve`] (outermost first,
    /// unmatching what loses tightness). A higher `cost` than the current one is ignored. Call
    /// [`Blossom::resolve`] afterwards to match what was freed.
    pub fn lower_boundary(&mut self, v: usize, cost: i64) {
        debug_assert!(cost >= 0 && cost % 2 == 0);
        if cost >= self.boundary_cost[v] {
            return;
        }
        self.boundary_cost[v] = cost;
        let excess = self.pot[v] - cost;
        if excess > 0 {
            self.lower_duals(v, excess);
        }
    }

    /// Lowers by `amount` the potential of vertex `u` through the duals holding it, outermost
    /// first (a blossom's dual by at most its value, dissolving it at zero, then `u`'s own),
    /// unmatching the base of every outer node whose dual drops.
    fn lower_duals(&mut self, u: usize, mut amount: i64) {
        while amount > 0 {
            let x = self.in_blossom[u];
            let step = if x == u {
                amount
            } else {
                amount.min(self.dual[x])
            };
            if step > 0 {
                amount -= step;
                if x >= self.n {
                    self.dual[x] -= step;
                }
                self.leaves.clear();
                self.collect_leaves(x);
                for i in 0..self.leaves.len() {
                    let leaf = self.leaves[i];
                    self.pot[leaf] -= step;
                }
                self.unmatch_base(x);
            }
            if x >= self.n && self.dual[x] == 0 {
                self.dissolve(x);
            }
        }
    }

    /// Frees the base of outer node `x` and its partner.
    fn unmatch_base(&mut self, x: usize) {
        let b = self.base[x];
        match self.mate[b] {
            Mate::Free => {}
            Mate::Boundary => self.mate[b] = Mate::Free,
            Mate::Remote(p) => {
                let w = self.endpoint(p);
                self.mate[w] = Mate::Free;
                self.mate[b] = Mate::Free;
            }
        }
    }

    /// Replaces outer blossom `b` (outside any tree) by its children; its dual is dropped.
    fn dissolve(&mut self, b: usize) {
        let children = std::mem::take(&mut self.children[b]);
        for &c in &children {
            self.parent[c] = None;
            self.leaves.clear();
            self.collect_leaves(c);
            for i in 0..self.leaves.len() {
                let v = self.leaves[i];
                self.in_blossom[v] = c;
            }
        }
        self.children[b] = children;
        self.children[b].clear();
        self.child_endpoints[b].clear();
        self.dual[b] = 0;
        self.unused.push(b);
    }

    /// The partner of vertex `v` after [`Blossom::solve`].
    pub fn partner(&self, v: usize) -> Partner {
        match self.mate[v] {
            Mate::Boundary => Partner::Boundary,
            Mate::Remote(p) => Partner::Vertex {
                vertex: self.endpoint(p),
                edge: p >> 1,
            },
            Mate::Free => panic!("vertex {v} is unmatched"),
        }
    }

    /// The outermost blossom with a positive dual that contains vertex `v`, after
    /// [`Blossom::solve`] (`v` itself if there is none). Two vertices in different groups share
    /// no blossom with a positive dual, so their reduced cost needs only their potentials.
    pub fn group(&self, v: usize) -> usize {
        let mut group = v;
        let mut b = self.parent[v];
        while let Some(x) = b {
            if self.dual[x] > 0 {
                group = x;
            }
            b = self.parent[x];
        }
        group
    }

    /// The vertices some of whose duals (own or of a blossom holding them) rose since the last
    /// [`Blossom::clear_raised`]. Only pairs with such a vertex can have lost slack: a pair's
    /// slack changes by minus the change of the duals holding exactly one of its ends.
    pub fn raised(&self) -> &[usize] {
        &self.raised
    }

    /// Forgets the raised vertices.
    pub fn clear_raised(&mut self) {
        for &v in &self.raised {
            self.raised_mark[v] = false;
        }
        self.raised.clear();
    }

    /// The dual of the outermost blossom containing `v` (0 if `v` is in no blossom).
    pub fn outermost_dual(&self, v: usize) -> i64 {
        let b = self.in_blossom[v];
        if b == v {
            0
        } else {
            self.dual[b]
        }
    }

    /// The potential of vertex `v` (its dual plus the duals of all blossoms containing it).
    pub fn potential(&self, v: usize) -> i64 {
        self.pot[v]
    }

    /// Sum of the duals of the blossoms that contain both `u` and `v`.
    pub fn common_blossom_dual(&mut self, u: usize, v: usize) -> i64 {
        self.anchor(u);
        self.common_with_anchor(v)
    }

    /// Prepares [`Blossom::common_with_anchor`] for pairs `(u, _)`: marks the blossoms holding
    /// `u` with the sum of their duals and those of the blossoms around them.
    pub fn anchor(&mut self, u: usize) {
        self.next_mark();
        let generation = self.mark_generation;
        self.stack.clear();
        let mut b = self.parent[u];
        while let Some(x) = b {
            self.stack.push(x);
            b = self.parent[x];
        }
        let mut above = 0;
        for i in (0..self.stack.len()).rev() {
            let b = self.stack[i];
            above += self.dual[b];
            self.above[b] = above;
            self.mark[b] = generation;
        }
    }

    /// Sum of the duals of the blossoms holding both `v` and the last [`Blossom::anchor`].
    pub fn common_with_anchor(&self, v: usize) -> i64 {
        let mut b = self.parent[v];
        while let Some(x) = b {
            if self.mark[x] == self.mark_generation {
                return self.above[x];
            }
            b = self.parent[x];
        }
        0
    }

    fn next_mark(&mut self) {
        self.mark_generation = self.mark_generation.wrapping_add(1);
        if self.mark_generation == 0 {
            self.mark.iter_mut().for_each(|m| *m = 0);
            self.mark_generation = 1;
        }
    }

    fn build_adjacency(&mut self) {
        let n = self.n;
        self.adj_offsets.clear();
        self.adj_offsets.resize(n + 1, 0);
        for k in 0..self.edge_u.len() {
            self.adj_offsets[self.edge_u[k] + 1] += 1;
            self.adj_offsets[self.edge_v[k] + 1] += 1;
        }
        for v in 0..n {
            self.adj_offsets[v + 1] += self.adj_offsets[v];
        }
        self.adj.clear();
        self.adj.resize(self.adj_offsets[n], 0);
        let mut fill = std::mem::take(&mut self.stack);
        fill.clear();
        fill.extend_from_slice(&self.adj_offsets[..n]);
        for k in 0..self.edge_u.len() {
            let (u, v) = (self.edge_u[k], self.edge_v[k]);
            self.adj[fill[u]] = 2 * k + 1;
            fill[u] += 1;
            self.adj[fill[v]] = 2 * k;
            fill[v] += 1;
        }
        fill.clear();
        self.stack = fill;
    }

    fn init_state(&mut self) {
        let nodes = 2 * self.n;
        self.mate.clear();
        self.mate.resize(self.n, Mate::Free);
        self.in_blossom.clear();
        self.in_blossom.extend(0..nodes);
        self.parent.clear();
        self.parent.resize(nodes, None);
        if self.children.len() < nodes {
            self.children.resize(nodes, Vec::new());
            self.child_endpoints.resize(nodes, Vec::new());
        }
        for b in self.n..nodes {
            self.children[b].clear();
            self.child_endpoints[b].clear();
        }
        self.base.clear();
        self.base.extend(0..nodes);
        self.dual.clear();
        self.dual.resize(nodes, 0);
        self.pot.clear();
        self.pot.resize(self.n, 0);
        self.label.clear();
        self.label.resize(nodes, Label::Free);
        self.label_end.clear();
        self.label_end.resize(nodes, None);
        self.unused.clear();
        self.unused.extend((self.n..nodes).rev());
        if self.mark.len() < nodes {
            self.mark.resize(nodes, 0);
            self.above.resize(nodes, 0);
        }
        self.heap.clear();
        self.tree.clear();
        self.delta = 0;
        self.raised.clear();
        self.raised_mark.clear();
        self.raised_mark.resize(self.n, false);
        self.s_since.clear();
        self.s_since.resize(self.n, 0);
    }

    /// Feasible starting duals, then one tightening pass that matches what it can.
    fn greedy(&mut self) {
        for v in 0..self.n {
            let mut p = self.boundary_cost[v];
            for &q in &self.adj[self.adj_offsets[v]..self.adj_offsets[v + 1]] {
                p = p.min(self.edge_cost[q >> 1] / 2);
            }
            self.pot[v] = if p == NO_BOUNDARY { 0 } else { p };
        }
        for v in 0..self.n {
            if self.mate[v] != Mate::Free {
                continue;
            }
            let mut slack = self.boundary_cost[v].saturating_sub(self.pot[v]);
            for &q in &self.adj[self.adj_offsets[v]..self.adj_offsets[v + 1]] {
                let w = self.endpoint(q);
                slack = slack.min(self.edge_cost[q >> 1] - self.pot[v] - self.pot[w]);
            }
            if slack >= NO_BOUNDARY / 2 {
                continue;
            }
            self.pot[v] += slack;
            let tight_free = self.adj[self.adj_offsets[v]..self.adj_offsets[v + 1]]
                .iter()
                .copied()
                .find(|&q| {
                    let w = self.endpoint(q);
                    self.mate[w] == Mate::Free
                        && self.edge_cost[q >> 1] == self.pot[v] + self.pot[w]
                });
            if let Some(q) = tight_free {
                let w = self.endpoint(q);
                self.mate[v] = Mate::Remote(q);
                self.mate[w] = Mate::Remote(q ^ 1);
            } else if self.boundary_cost[v] == self.pot[v] {
                self.mate[v] = Mate::Boundary;
            }
        }
    }

    /// Collects the vertices of node `b` into `self.leaves` (appending).
    fn collect_leaves(&mut self, b: usize) {
        if b < self.n {
            self.leaves.push(b);
            return;
        }
        self.stack.clear();
        self.stack.push(b);
        while let Some(x) = self.stack.pop() {
            if x < self.n {
                self.leaves.push(x);
            } else {
                self.stack.extend_from_slice(&self.children[x]);
            }
        }
    }

    /// Changes the label of outer node `x`, re-basing its stored duals on the new sign.
    fn set_label(&mut self, x: usize, new: Label) {
        let diff = (sign(self.label[x]) - sign(new)) * self.delta;
        if diff != 0 {
            if x >= self.n {
                self.dual[x] += diff;
            }
            self.leaves.clear();
            self.collect_leaves(x);
            for i in 0..self.leaves.len() {
                let v = self.leaves[i];
                self.pot[v] += diff;
            }
        }
        self.label[x] = new;
    }

    fn push(&mut self, time: i64, event: Event) {
        debug_assert!(time >= self.delta, "negative slack");
        self.heap.push(Reverse((time, event)));
    }

    /// Queues the events of vertex `v`, which has just become part of an S node.
    fn push_s_events(&mut self, v: usize) {
        self.s_since[v] = self.delta;
        if self.boundary_cost[v] != NO_BOUNDARY {
            self.push(self.boundary_cost[v] - self.pot[v], Event::ToBoundary(v));
        }
        let outer = self.in_blossom[v];
        for i in self.adj_offsets[v]..self.adj_offsets[v + 1] {
            let p = self.adj[i];
            let w = self.endpoint(p);
            let other = self.in_blossom[w];
            if other == outer {
                continue;
            }
            let slack = self.edge_cost[p >> 1] - self.pot[v] - self.pot[w];
            match self.label[other] {
                Label::Free => self.push(slack, Event::Grow(p)),
                Label::S => {
                    debug_assert_eq!(slack % 2, 0);
                    self.push(slack / 2, Event::Shrink(p))
                }
                Label::T => {}
            }
        }
    }

    /// Queues growth events from S vertices into vertex `v` of an unlabelled node.
    fn push_events_into(&mut self, v: usize) {
        for i in self.adj_offsets[v]..self.adj_offsets[v + 1] {
            let p = self.adj[i];
            let w = self.endpoint(p);
            if self.label[self.in_blossom[w]] == Label::S {
                let slack = self.edge_cost[p >> 1] - self.pot[v] - self.pot[w];
                self.push(slack, Event::Grow(p ^ 1));
            }
        }
    }

    fn make_s(&mut self, x: Node, label_end: Option<Endpoint>) {
        self.set_label(x, Label::S);
        self.label_end[x] = label_end;
        self.tree.push(x);
        self.leaves.clear();
        self.collect_leaves(x);
        let leaves = std::mem::take(&mut self.leaves);
        for &v in &leaves {
            self.push_s_events(v);
        }
        self.leaves = leaves;
    }

    fn make_t(&mut self, x: Node, label_end: Endpoint) {
        self.set_label(x, Label::T);
        self.label_end[x] = Some(label_end);
        self.tree.push(x);
        if x >= self.n {
            self.push(self.dual[x], Event::Expand(x));
        }
    }

    /// Grows an alternating tree from `root` until it augments.
    fn grow_tree(&mut self, root: usize) -> Result<(), Vec<usize>> {
        self.delta = 0;
        self.heap.clear();
        self.tree.clear();
        self.make_s(self.in_blossom[root], None);
        while let Some(Reverse((time, event))) = self.heap.pop() {
            match event {
                Event::Grow(p) => {
                    let (u, w) = (self.endpoint(p ^ 1), self.endpoint(p));
                    let outer_w = self.in_blossom[w];
                    if outer_w == self.in_blossom[u] || self.label[outer_w] != Label::Free {
                        continue;
                    }
                    let now = self.edge_cost[p >> 1] - self.pot[u] - self.pot[w];
                    if now > time {
                        self.push(now, Event::Grow(p));
                        continue;
                    }
                    self.delta = time;
                    let Mate::Remote(mate) = self.mate[self.base[outer_w]] else {
                        // A free or boundary-matched node: augment.
                        self.augment_edge(p);
                        self.end_tree();
                        return Ok(());
                    };
                    self.make_t(outer_w, p ^ 1);
                    let next = self.in_blossom[self.endpoint(mate)];
                    self.make_s(next, Some(mate ^ 1));
                }
                Event::Shrink(p) => {
                    let (u, w) = (self.endpoint(p ^ 1), self.endpoint(p));
                    if self.in_blossom[u] == self.in_blossom[w] {
                        continue;
                    }
                    self.delta = time;
                    let base = self.scan_blossom(u, w);
                    self.add_blossom(base, p >> 1);
                }
                Event::ToBoundary(v) => {
                    self.delta = time;
                    self.augment_path(v, Mate::Boundary);
                    self.end_tree();
                    return Ok(());
                }
                Event::Expand(b) => {
                    if self.parent[b].is_some() || self.label[b] != Label::T || self.dual[b] != time
                    {
                        continue;
                    }
                    self.delta = time;
                    self.expand(b);
                }
            }
        }
        let mut stuck = Vec::new();
        self.leaves.clear();
        for i in 0..self.tree.len() {
            let x = self.tree[i];
            if self.parent[x].is_none() && self.label[x] != Label::Free {
                self.collect_leaves(x);
            }
        }
        stuck.extend_from_slice(&self.leaves);
        stuck.sort_unstable();
        stuck.dedup();
        self.end_tree();
        Err(stuck)
    }

    /// Makes all tree duals explicit and clears the labels.
    fn end_tree(&mut self) {
        for i in 0..self.tree.len() {
            let x = self.tree[i];
            if self.parent[x].is_none() && self.label[x] == Label::S && self.delta > 0 {
                self.leaves.clear();
                self.collect_leaves(x);
                for j in 0..self.leaves.len() {
                    let v = self.leaves[j];
                    if self.s_since[v] < self.delta && !self.raised_mark[v] {
                        self.raised_mark[v] = true;
                        self.raised.push(v);
                    }
                }
            }
            if self.parent[x].is_none() && self.label[x] != Label::Free {
                self.set_label(x, Label::Free);
            }
            self.label[x] = Label::Free;
            self.label_end[x] = None;
        }
        self.tree.clear();
        self.heap.clear();
        self.delta = 0;
    }

    /// Finds the base vertex of the blossom closed by an edge between S vertices `u` and `w`.
    fn scan_blossom(&mut self, u: usize, w: usize) -> usize {
        self.next_mark();
        let generation = self.mark_generation;
        let (mut v, mut w) = (Some(u), Some(w));
        while let Some(x) = v {
            let b = self.in_blossom[x];
            if self.mark[b] == generation {
                return self.base[b];
            }
            self.mark[b] = generation;
            // Up the tree: from S node `b` through its T parent to the next S node.
            v = self.label_end[b].map(|p| {
                let bt = self.in_blossom[self.endpoint(p)];
                self.endpoint(self.label_end[bt].expect("a T node has a tree parent"))
            });
            if w.is_some() {
                std::mem::swap(&mut v, &mut w);
            }
        }
        unreachable!("two S nodes of one tree always have a common ancestor")
    }

    /// Shrinks the odd cycle through edge `k` and the tree paths to `base` into a new S blossom.
    fn add_blossom(&mut self, base: usize, k: usize) {
        let (v, w) = (self.edge_u[k], self.edge_v[k]);
        let bb = self.in_blossom[base];
        let mut bv = self.in_blossom[v];
        let mut bw = self.in_blossom[w];
        let b = self.unused.pop().expect("at most n/2 blossoms");
        self.base[b] = base;
        self.parent[b] = None;
        self.parent[bb] = Some(b);
        let mut path = std::mem::take(&mut self.children[b]);
        let mut endps = std::mem::take(&mut self.child_endpoints[b]);
        path.clear();
        endps.clear();
        while bv != bb {
            self.parent[bv] = Some(b);
            path.push(bv);
            let p = self.label_end[bv].expect("a non-root node has a tree parent");
            endps.push(p);
            bv = self.in_blossom[self.endpoint(p)];
        }
        path.push(bb);
        path.reverse();
        endps.reverse();
        endps.push(2 * k);
        while bw != bb {
            self.parent[bw] = Some(b);
            path.push(bw);
            let p = self.label_end[bw].expect("a non-root node has a tree parent");
            endps.push(p ^ 1);
            bw = self.in_blossom[self.endpoint(p)];
        }
        // Children become inner: fix their duals; T children's vertices turn S.
        let mut new_s = std::mem::take(&mut self.new_s);
        new_s.clear();
        for &c in &path {
            let s = sign(self.label[c]);
            if c >= self.n {
                self.dual[c] += s * self.delta;
            }
            self.leaves.clear();
            self.collect_leaves(c);
            for i in 0..self.leaves.len() {
                let x = self.leaves[i];
                self.in_blossom[x] = b;
                if self.label[c] == Label::T {
                    self.pot[x] -= 2 * self.delta;
                    new_s.push(x);
                }
            }
            self.label[c] = Label::Free;
        }
        self.children[b] = path;
        self.child_endpoints[b] = endps;
        self.label[b] = Label::S;
        self.label_end[b] = self.label_end[bb];
        self.dual[b] = -self.delta;
        self.tree.push(b);
        for &x in &new_s {
            self.push_s_events(x);
        }
        self.new_s = new_s;
    }

    /// Expands T blossom `b` (its dual is zero), relabelling the even path through it.
    fn expand(&mut self, b: usize) {
        let delta = self.delta;
        self.leaves.clear();
        self.collect_leaves(b);
        for i in 0..self.leaves.len() {
            let v = self.leaves[i];
            self.pot[v] -= delta;
        }
        let children = std::mem::take(&mut self.children[b]);
        let endps = std::mem::take(&mut self.child_endpoints[b]);
        for &c in &children {
            self.parent[c] = None;
            self.label[c] = Label::Free;
            self.label_end[c] = None;
            self.leaves.clear();
            self.collect_leaves(c);
            for i in 0..self.leaves.len() {
                let v = self.leaves[i];
                self.in_blossom[v] = c;
            }
        }
        let len = children.len() as isize;
        let at = |j: isize| (((j % len) + len) % len) as usize;
        let label_end = self.label_end[b].expect("a T blossom has a tree parent");
        let entry = self.in_blossom[self.endpoint(label_end ^ 1)];
        let mut j = children
            .iter()
            .position(|&c| c == entry)
            .expect("entry child") as isize;
        let (jstep, trick): (isize, usize) = if j & 1 == 1 {
            j -= len;
            (1, 0)
        } else {
            (-1, 1)
        };
        let mut p = label_end;
        while j != 0 {
            let t_child = self.in_blossom[self.endpoint(p ^ 1)];
            self.make_t(t_child, p);
            let Mate::Remote(mate) = self.mate[self.base[t_child]] else {
                unreachable!("the T children of an expanded blossom are matched inside it")
            };
            let s_child = self.in_blossom[self.endpoint(mate)];
            self.make_s(s_child, Some(mate ^ 1));
            j += jstep;
            p = endps[at(j - trick as isize)] ^ trick;
            j += jstep;
        }
        let base_child = children[at(j)];
        self.make_t(base_child, p);
        j += jstep;
        while children[at(j)] != entry {
            let c = children[at(j)];
            if self.label[c] == Label::Free {
                self.leaves.clear();
                self.collect_leaves(c);
                let leaves = std::mem::take(&mut self.leaves);
                for &v in &leaves {
                    self.push_events_into(v);
                }
                self.leaves = leaves;
            }
            j += jstep;
        }
        self.label[b] = Label::Free;
        self.label_end[b] = None;
        self.dual[b] = 0;
        self.children[b] = children;
        self.children[b].clear();
        self.child_endpoints[b] = endps;
        self.child_endpoints[b].clear();
        self.unused.push(b);
    }

    /// Swaps matched and unmatched edges inside blossom `b` so that vertex `v` becomes its base.
    fn augment_blossom(&mut self, b: usize, v: usize) {
        let mut t = v;
        while self.parent[t] != Some(b) {
            t = self.parent[t].expect("v lies inside b");
        }
        if t >= self.n {
            self.augment_blossom(t, v);
        }
        let len = self.children[b].len() as isize;
        let at = |j: isize| (((j % len) + len) % len) as usize;
        let i = self.children[b]
            .iter()
            .position(|&c| c == t)
            .expect("child") as isize;
        let mut j = i;
        let (jstep, trick): (isize, usize) = if i & 1 == 1 {
            j -= len;
            (1, 0)
        } else {
            (-1, 1)
        };
        while j != 0 {
            j += jstep;
            let t1 = self.children[b][at(j)];
            let p = self.child_endpoints[b][at(j - trick as isize)] ^ trick;
            if t1 >= self.n {
                let x = self.endpoint(p);
                self.augment_blossom(t1, x);
            }
            j += jstep;
            let t2 = self.children[b][at(j)];
            if t2 >= self.n {
                let x = self.endpoint(p ^ 1);
                self.augment_blossom(t2, x);
            }
            let (x, y) = (self.endpoint(p), self.endpoint(p ^ 1));
            self.mate[x] = Mate::Remote(p ^ 1);
            self.mate[y] = Mate::Remote(p);
        }
        self.children[b].rotate_left(i as usize);
        self.child_endpoints[b].rotate_left(i as usize);
        self.base[b] = self.base[self.children[b][0]];
        debug_assert_eq!(self.base[b], v);
    }

    /// Augments through edge endpoint `p`: the tree side is S vertex `endpoint(p ^ 1)`, the other
    /// side a free or boundary-matched node.
    fn augment_edge(&mut self, p: usize) {
        let (u, w) = (self.endpoint(p ^ 1), self.endpoint(p));
        let outer_w = self.in_blossom[w];
        if outer_w >= self.n {
            self.augment_blossom(outer_w, w);
        }
        self.mate[w] = Mate::Remote(p ^ 1);
        self.augment_path(u, Mate::Remote(p));
    }

    /// Matches S vertex `s` to `mate` (a remote endpoint or the boundary) and flips the tree
    /// path from `s` back to the root.
    fn augment_path(&mut self, mut s: Node, mut mate: Mate) {
        loop {
            let bs = self.in_blossom[s];
            if bs >= self.n {
                self.augment_blossom(bs, s);
            }
            self.mate[s] = mate;
            let Some(p) = self.label_end[bs] else {
                break;
            };
            let bt = self.in_blossom[self.endpoint(p)];
            let le = self.label_end[bt].expect("a T node has a tree parent");
            s = self.endpoint(le);
            let j = self.endpoint(le ^ 1);
            if bt >= self.n {
                self.augment_blossom(bt, j);
            }
            self.mate[j] = Mate::Remote(le);
            mate = Mate::Remote(le ^ 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Minimum cost by dynamic programming over subsets (None if no perfect matching).
    fn brute_force(
        n: usize,
        edges: &[(usize, usize, i64)],
        boundary: &[Option<i64>],
    ) -> Option<i64> {
        let mut cost = vec![vec![None::<i64>; n]; n];
        for &(u, v, c) in edges {
            let best = cost[u][v].map_or(c, |x: i64| x.min(c));
            cost[u][v] = Some(best);
            cost[v][u] = Some(best);
        }
        let full = (1usize << n) - 1;
        let mut dp = vec![None::<i64>; 1 << n];
        dp[0] = Some(0);
        for mask in 0..=full {
            let Some(here) = dp[mask] else { continue };
            let Some(i) = (0..n).find(|&i| mask & (1 << i) == 0) else {
                continue;
            };
            let mut relax = |m: usize, c: i64| {
                if dp[m].is_none_or(|x| c < x) {
                    dp[m] = Some(c);
                }
            };
            if let Some(b) = boundary[i] {
                relax(mask | 1 << i, here + b);
            }
            for (j, c) in cost[i].iter().enumerate().skip(i + 1) {
                if let (0, Some(c)) = (mask & (1 << j), c) {
                    relax(mask | 1 << i | 1 << j, here + c);
                }
            }
        }
        dp[full]
    }

    fn solve(n: usize, edges: &[(usize, usize, i64)], boundary: &[Option<i64>]) -> Option<i64> {
        let mut solver = Blossom::default();
        solver.reset(n);
        for (v, b) in boundary.iter().enumerate() {
            if let Some(b) = b {
                solver.set_boundary(v, 2 * b);
            }
        }
        for &(u, v, c) in edges {
            solver.add_edge(u, v, 2 * c);
        }
        solver.solve().ok()?;
        let mut total = 0;
        for (v, b) in boundary.iter().enumerate() {
            match solver.partner(v) {
                Partner::Boundary => total += b.expect("boundary used without cost"),
                Partner::Vertex { vertex, edge } => {
                    assert_eq!(solver.partner(vertex), Partner::Vertex { vertex: v, edge });
                    let (a, b, c) = edges[edge];
                    assert!((a, b) == (v, vertex) || (b, a) == (v, vertex));
                    if v < vertex {
                        total += c;
                    }
                }
            }
        }
        // The duals certify optimality: every edge has non-negative reduced cost.
        for &(u, v, c) in edges {
            let common = solver.common_blossom_dual(u, v);
            assert!(2 * c - solver.potential(u) - solver.potential(v) + 2 * common >= 0);
        }
        for (v, b) in boundary.iter().enumerate() {
            if let Some(b) = b {
                assert!(solver.potential(v) <= 2 * b);
            }
        }
        Some(total)
    }

    /// A problem: vertex count, edges `(u, v, cost)`, boundary costs.
    type Problem = (usize, Vec<(usize, usize, i64)>, Vec<Option<i64>>);

    fn problem() -> impl Strategy<Value = Problem> {
        (2usize..=10).prop_flat_map(|n| {
            let edge = (0..n, 1..n.max(2), 0i64..6)
                .prop_map(move |(u, off, c)| (u, (u + off) % n, c))
                .prop_filter("no loops", |(u, v, _)| u != v);
            (
                Just(n),
                proptest::collection::vec(edge, 0..3 * n),
                proptest::collection::vec(proptest::option::weighted(0.3, 0i64..8), n),
            )
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        /// Arbitrary (non-metric) costs with many ties: the solver's cost equals the brute-force
        /// minimum, and it fails exactly when no perfect matching exists.
        #[test]
        fn blossom_matches_brute_force((n, edges, boundary) in problem()) {
            prop_assert_eq!(solve(n, &edges, &boundary), brute_force(n, &edges, &boundary));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// Solving with part of the edges and then adding the rest through `resolve` (dual
        /// repair, warm start) gives the same optimum as the brute force on all edges.
        #[test]
        fn resolve_after_adding_edges((n, edges, boundary) in problem(), split in 0usize..8) {
            let mut solver = Blossom::default();
            solver.reset(n);
            for (v, b) in boundary.iter().enumerate() {
                if let Some(b) = b {
                    solver.set_boundary(v, 2 * b);
                }
            }
            let first = split.min(edges.len());
            for &(u, v, c) in &edges[..first] {
                solver.add_edge(u, v, 2 * c);
            }
            let _ = solver.solve();
            for &(u, v, c) in &edges[first..] {
                solver.add_edge(u, v, 2 * c);
            }
            let resolved = solver.resolve(first).ok().map(|()| {
                (0..n)
                    .map(|v| match solver.partner(v) {
                        Partner::Boundary => 2 * boundary[v].unwrap(),
                        Partner::Vertex { edge, .. } => edges[edge].2,
                    })
                    .sum::<i64>()
                    / 2
            });
            prop_assert_eq!(resolved, brute_force(n, &edges, &boundary));
        }
    }

    #[test]
    fn odd_cycle_needs_a_blossom() {
        // Triangle 0-1-2 with a pendant 3 on vertex 2: the optimum pairs 0-1 and 2-3.
        let edges = [(0, 1, 1), (1, 2, 1), (2, 0, 1), (2, 3, 5)];
        assert_eq!(solve(4, &edges, &[None; 4]), Some(6));
        // Two triangles joined by a bridge.
        let edges = [
            (0, 1, 2),
            (1, 2, 2),
            (2, 0, 2),
            (3, 4, 2),
            (4, 5, 2),
            (5, 3, 2),
            (2, 3, 9),
        ];
        assert_eq!(solve(6, &edges, &[None; 6]), Some(13));
    }

    #[test]
    fn boundary_absorbs_any_number() {
        let boundary = [Some(1), Some(1), Some(1)];
        assert_eq!(solve(3, &[(0, 1, 5)], &boundary), Some(3));
        assert_eq!(solve(3, &[], &[None, Some(1), Some(1)]), None);
    }
}
