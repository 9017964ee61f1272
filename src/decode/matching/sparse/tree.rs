//! Alternating trees of regions (the matcher's half of sparse blossom): each node holds an
//! outer (growing) region and, except at a root, the inner (shrinking) region matched to it;
//! children hang off the outer region.

use super::event::{CompressedEdge, RegionEdge, RegionId, TreeId};

/// A link to a tree node, with the path to it: for a child, from the parent's outer region to
/// the child's inner region; for a parent, from this node's inner region to the parent's outer
/// region.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct TreeEdge {
    /// The node at the other end.
    pub(crate) node: TreeId,
    /// The path.
    pub(crate) edge: CompressedEdge,
}

/// One node of an alternating tree.
#[derive(Clone, Debug)]
pub(crate) struct TreeNode {
    /// The shrinking region matched to `outer` (`None` at a root).
    pub(crate) inner: Option<RegionId>,
    /// The growing region.
    pub(crate) outer: RegionId,
    /// The path from `inner` to `outer`.
    pub(crate) inner_to_outer: Option<CompressedEdge>,
    /// The parent (`None` at a root).
    pub(crate) parent: Option<TreeEdge>,
    /// The children.
    pub(crate) children: Vec<TreeEdge>,
    visited: bool,
}

/// What pruning a path out of a tree leaves: the children that hung off it, and the path's
/// regions in order, each with the path to the next.
#[derive(Clone, Debug, Default)]
pub(crate) struct Pruned {
    pub(crate) orphans: Vec<TreeEdge>,
    pub(crate) path: Vec<RegionEdge>,
}

/// The arena of all tree nodes of a shot.
#[derive(Clone, Debug, Default)]
pub(crate) struct Trees {
    nodes: Vec<TreeNode>,
    free: Vec<TreeId>,
    /// Scratch of [`Trees::become_root`].
    path: Vec<TreeId>,
}

impl std::ops::Index<TreeId> for Trees {
    type Output = TreeNode;
    #[inline]
    fn index(&self, id: TreeId) -> &TreeNode {
        &self.nodes[id as usize]
    }
}

impl std::ops::IndexMut<TreeId> for Trees {
    #[inline]
    fn index_mut(&mut self, id: TreeId) -> &mut TreeNode {
        &mut self.nodes[id as usize]
    }
}

impl Trees {
    /// Number of nodes alive.
    pub(crate) fn live(&self) -> usize {
        self.nodes.len() - self.free.len()
    }

    /// Frees every node (after a failed shot; a finished one has freed them all already, and
    /// the next shot reuses them with their buffers).
    pub(crate) fn clear(&mut self) {
        self.nodes.clear();
        self.free.clear();
    }

    /// A new node without parent or children.
    pub(crate) fn alloc(
        &mut self,
        outer: RegionId,
        inner: Option<RegionId>,
        inner_to_outer: Option<CompressedEdge>,
    ) -> TreeId {
        let node = TreeNode {
            inner,
            outer,
            inner_to_outer,
            parent: None,
            children: Vec::new(),
            visited: false,
        };
        match self.free.pop() {
            Some(id) => {
                let old = std::mem::replace(&mut self[id], node);
                let mut children = old.children;
                children.clear();
                self[id].children = children;
                id
            }
            None => {
                self.nodes.push(node);
                (self.nodes.len() - 1) as TreeId
            }
        }
    }

    /// Returns a node to the arena.
    pub(crate) fn free(&mut self, id: TreeId) {
        self[id].parent = None;
        self[id].children.clear();
        self.free.push(id);
    }

    /// Hangs `child.node` under `parent` along `child.edge`.
    pub(crate) fn add_child(&mut self, parent: TreeId, child: TreeEdge) {
        self[parent].children.push(child);
        self[child.node].parent = Some(TreeEdge {
            node: parent,
            edge: child.edge.reversed(),
        });
    }

    /// Removes `child` from `parent`'s children.
    pub(crate) fn remove_child(&mut self, parent: TreeId, child: TreeId) {
        let children = &mut self[parent].children;
        if let Some(k) = children.iter().position(|c| c.node == child) {
            children.swap_remove(k);
        }
    }

    /// Re-roots `node`'s tree at `node` (a rotation along the path to the old root: each
    /// node's inner region moves up to its parent). The regions' own tree links along the
    /// path are not updated: this is only done before the whole tree is taken apart.
    pub(crate) fn become_root(&mut self, node: TreeId) {
        let mut path = std::mem::take(&mut self.path);
        path.clear();
        path.push(node);
        while let Some(p) = self[*path.last().expect("non-empty")].parent {
            path.push(p.node);
        }
        for k in (0..path.len() - 1).rev() {
            let (this, old_parent) = (path[k], path[k + 1]);
            let parent_edge = self[this].parent.expect("not the root yet").edge;
            let inner_to_outer = self[this]
                .inner_to_outer
                .expect("a non-root has an inner region");
            self[old_parent].inner = self[this].inner;
            self[old_parent].inner_to_outer = Some(parent_edge);
            self[this].inner = None;
            self.remove_child(old_parent, this);
            self[this].parent = None;
            self.add_child(
                this,
                TreeEdge {
                    node: old_parent,
                    edge: inner_to_outer.reversed(),
                },
            );
            self[this].inner_to_outer = None;
        }
        self.path = path;
    }

    /// The nearest common ancestor of the distinct nodes `a` and `b`, or `None` when they are
    /// in different trees.
    pub(crate) fn common_ancestor(&mut self, a: TreeId, b: TreeId) -> Option<TreeId> {
        let (mut x, mut y) = (a, b);
        self[x].visited = true;
        self[y].visited = true;
        let found = loop {
            let (px, py) = (self[x].parent, self[y].parent);
            if px.is_none() && py.is_none() {
                break None;
            }
            if let Some(p) = px {
                x = p.node;
                if self[x].visited {
                    break Some(x);
                }
                self[x].visited = true;
            }
            if let Some(p) = py {
                y = p.node;
                if self[y].visited {
                    break Some(y);
                }
                self[y].visited = true;
            }
        };
        // Clear the marks: both walks from their start up to where they stopped.
        for start in [a, b] {
            let mut z = Some(start);
            while let Some(n) = z {
                if !self[n].visited {
                    break;
                }
                self[n].visited = false;
                z = self[n].parent.map(|p| p.node);
            }
        }
        found
    }

    /// Removes the path from `node` up to (not including) its ancestor `stop`. The regions of
    /// the path come in order from `node` upwards when `upwards`, each with the path to the
    /// next; otherwise each with the path to the previous (the order a blossom cycle needs when
    /// this list is walked backwards). The result replaces what `pruned` held.
    pub(crate) fn prune_upward(
        &mut self,
        node: TreeId,
        stop: TreeId,
        upwards: bool,
        pruned: &mut Pruned,
    ) {
        pruned.orphans.clear();
        pruned.path.clear();
        let mut current = node;
        while current != stop {
            let mut children = std::mem::take(&mut self[current].children);
            pruned.orphans.append(&mut children);
            self[current].children = children;
            let n = &self[current];
            let parent = n.parent.expect("stop is an ancestor");
            let inner = n.inner.expect("a non-root has an inner region");
            let inner_to_outer = n.inner_to_outer.expect("a non-root has an inner region");
            if upwards {
                pruned.path.push(RegionEdge {
                    region: n.outer,
                    edge: inner_to_outer.reversed(),
                });
                pruned.path.push(RegionEdge {
                    region: inner,
                    edge: parent.edge,
                });
            } else {
                pruned.path.push(RegionEdge {
                    region: inner,
                    edge: inner_to_outer,
                });
                pruned.path.push(RegionEdge {
                    region: self[parent.node].outer,
                    edge: parent.edge.reversed(),
                });
            }
            self.remove_child(parent.node, current);
            self.free(current);
            current = parent.node;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(from: u32, to: u32) -> CompressedEdge {
        CompressedEdge {
            from,
            to: Some(to),
            observables: 0,
            weight: 0.0,
        }
    }

    /// Root 0 (outer region 0); child 1 (inner 1, outer 2); grandchild 2 (inner 3, outer 4);
    /// second child 3 (inner 5, outer 6). Events are named by their regions.
    fn sample() -> (Trees, [TreeId; 4]) {
        let mut t = Trees::default();
        let root = t.alloc(0, None, None);
        let c1 = t.alloc(2, Some(1), Some(edge(1, 2)));
        let c2 = t.alloc(4, Some(3), Some(edge(3, 4)));
        let c3 = t.alloc(6, Some(5), Some(edge(5, 6)));
        t.add_child(
            root,
            TreeEdge {
                node: c1,
                edge: edge(0, 1),
            },
        );
        t.add_child(
            c1,
            TreeEdge {
                node: c2,
                edge: edge(2, 3),
            },
        );
        t.add_child(
            root,
            TreeEdge {
                node: c3,
                edge: edge(0, 5),
            },
        );
        (t, [root, c1, c2, c3])
    }

    #[test]
    fn common_ancestors_and_clean_marks() {
        let (mut t, [root, c1, c2, c3]) = sample();
        assert_eq!(t.common_ancestor(c2, c3), Some(root));
        assert_eq!(t.common_ancestor(c2, c1), Some(c1));
        let other = t.alloc(9, None, None);
        assert_eq!(t.common_ancestor(other, c2), None);
        assert!(t.nodes.iter().all(|n| !n.visited));
    }

    #[test]
    fn rerooting_keeps_the_alternation() {
        let (mut t, [root, c1, c2, _]) = sample();
        t.become_root(c2);
        assert!(t[c2].parent.is_none() && t[c2].inner.is_none());
        // c1 now hangs under c2 and holds c2's old inner region 3.
        assert_eq!(t[c1].parent.unwrap().node, c2);
        assert_eq!(t[c1].inner, Some(3));
        assert_eq!(t[c1].inner_to_outer, Some(edge(3, 2)));
        assert_eq!(t[root].parent.unwrap().node, c1);
        assert_eq!(t[root].inner, Some(1));
        assert_eq!(t[root].inner_to_outer, Some(edge(1, 0)));
        assert_eq!(t[c2].children.len(), 1);
        assert_eq!(t[c2].children[0].edge, edge(4, 3));
    }

    #[test]
    fn pruning_returns_the_path_and_the_orphans() {
        let (mut t, [root, c1, c2, c3]) = sample();
        let mut p = Pruned::default();
        t.prune_upward(c2, root, true, &mut p);
        let regions: Vec<_> = p.path.iter().map(|r| r.region).collect();
        assert_eq!(regions, vec![4, 3, 2, 1]);
        assert_eq!(p.path[0].edge, edge(4, 3));
        assert_eq!(p.path[1].edge, edge(3, 2));
        assert!(p.orphans.is_empty());
        assert_eq!(t.live(), 2);
        assert_eq!(t[root].children.len(), 1);
        assert_eq!(t[root].children[0].node, c3);
        let _ = c1;
    }
}
