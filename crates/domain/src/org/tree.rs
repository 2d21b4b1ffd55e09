//! The organizational-unit tree, built from the server's flat list of units.
//!
//! The server stores `parent_id` and `level` as given and never checks them, so real data can
//! hold orphans, cycles, duplicate ids and levels that disagree with the parent links. The tree
//! reports each of these instead of looping, and falls back to what keeps every other rule
//! finite: an orphan or a unit in a cycle is treated as a root (the server's own ancestor walk
//! stops at an unknown parent, and would not stop at all on a cycle).

use std::collections::HashMap;

/// One unit as the server lists it (`organizations.md`, organizational unit).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UnitInput {
    /// Unit id.
    pub id: String,
    /// Owning organization id.
    pub organization_id: String,
    /// Parent unit id; `None` or empty = root.
    pub parent_id: Option<String>,
    /// Name.
    pub name: String,
    /// Display name; the server shows `display_name or name`.
    pub display_name: Option<String>,
    /// Stored depth (not recomputed by the server).
    pub level: i64,
    /// The sync key inside the organization.
    pub external_id: Option<String>,
    /// Free-text type (`department`, `team`, …).
    pub kind: Option<String>,
}

impl UnitInput {
    /// `display_name or name`, as the server shows a unit (an empty display name falls back).
    pub fn label(&self) -> &str {
        self.display_name
            .as_deref()
            .filter(|d| !d.is_empty())
            .unwrap_or(&self.name)
    }
}

/// Position of a unit in an [`OuTree`].
pub type UnitIx = u32;

/// Something wrong with the unit list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TreeProblem {
    /// Two units share an id; the first is kept, the later ones are ignored.
    DuplicateId {
        /// The id.
        id: String,
        /// How many extra copies were ignored.
        ignored: usize,
    },
    /// The parent id names no unit: treated as a root.
    Orphan {
        /// The unit.
        unit: String,
        /// The parent id it names.
        missing_parent: String,
    },
    /// Parent links go round in a circle: each unit of it is treated as a root.
    Cycle {
        /// The units of the cycle, in parent order.
        units: Vec<String>,
    },
    /// Two units of one organization share an external id (a sync would orphan one of them).
    DuplicateExternalId {
        /// Organization.
        organization_id: String,
        /// External id.
        external_id: String,
        /// The units.
        units: Vec<String>,
    },
    /// The stored level is not the unit's depth in the tree.
    LevelMismatch {
        /// The unit.
        unit: String,
        /// Stored `level`.
        stored: i64,
        /// Depth from its root.
        depth: u32,
    },
}

/// The tree: parents, children, depths and subtree intervals, all O(1) or O(depth) to ask.
#[derive(Debug, Clone, Default)]
pub struct OuTree {
    units: Vec<UnitInput>,
    by_id: HashMap<String, UnitIx>,
    parent: Vec<Option<UnitIx>>,
    children: Vec<Vec<UnitIx>>,
    roots: Vec<UnitIx>,
    depth: Vec<u32>,
    /// Units in depth-first order: a unit's subtree is `order[enter..exit]`.
    order: Vec<UnitIx>,
    enter: Vec<u32>,
    exit: Vec<u32>,
    problems: Vec<TreeProblem>,
}

const UNVISITED: u8 = 0;
const ON_PATH: u8 = 1;
const DONE: u8 = 2;

impl OuTree {
    /// Builds the tree in O(n), reporting every problem of the list.
    pub fn build(units: Vec<UnitInput>) -> OuTree {
        let mut problems = Vec::new();
        let mut kept: Vec<UnitInput> = Vec::with_capacity(units.len());
        let mut by_id: HashMap<String, UnitIx> = HashMap::with_capacity(units.len());
        let mut duplicates: HashMap<String, usize> = HashMap::new();
        for unit in units {
            if by_id.contains_key(&unit.id) {
                *duplicates.entry(unit.id).or_default() += 1;
                continue;
            }
            by_id.insert(unit.id.clone(), kept.len() as UnitIx);
            kept.push(unit);
        }
        let mut dup_list: Vec<_> = duplicates.into_iter().collect();
        dup_list.sort();
        problems.extend(
            dup_list
                .into_iter()
                .map(|(id, ignored)| TreeProblem::DuplicateId { id, ignored }),
        );

        let n = kept.len();
        let mut parent: Vec<Option<UnitIx>> = vec![None; n];
        for (i, unit) in kept.iter().enumerate() {
            match unit.parent_id.as_deref().filter(|p| !p.is_empty()) {
                None => {}
                Some(p) => match by_id.get(p) {
                    Some(&ix) => parent[i] = Some(ix),
                    None => problems.push(TreeProblem::Orphan {
                        unit: unit.id.clone(),
                        missing_parent: p.to_owned(),
                    }),
                },
            }
        }

        // Cycles: walk up from every unit; meeting a unit already on this walk closes a cycle.
        let mut state = vec![UNVISITED; n];
        for start in 0..n {
            let mut path = Vec::new();
            let mut cur = Some(start as UnitIx);
            while let Some(c) = cur {
                match state[c as usize] {
                    DONE => break,
                    ON_PATH => {
                        let from = path.iter().position(|&p| p == c).unwrap_or(0);
                        let cycle: Vec<UnitIx> = path[from..].to_vec();
                        problems.push(TreeProblem::Cycle {
                            units: cycle.iter().map(|&u| kept[u as usize].id.clone()).collect(),
                        });
                        for &u in &cycle {
                            parent[u as usize] = None;
                        }
                        break;
                    }
                    _ => {
                        state[c as usize] = ON_PATH;
                        path.push(c);
                        cur = parent[c as usize];
                    }
                }
            }
            for p in path {
                state[p as usize] = DONE;
            }
        }

        let mut children: Vec<Vec<UnitIx>> = vec![Vec::new(); n];
        let mut roots = Vec::new();
        for (i, p) in parent.iter().enumerate() {
            match p {
                Some(p) => children[*p as usize].push(i as UnitIx),
                None => roots.push(i as UnitIx),
            }
        }

        let mut depth = vec![0u32; n];
        let mut order = Vec::with_capacity(n);
        let mut enter = vec![0u32; n];
        let mut exit = vec![0u32; n];
        // Iterative depth-first walk: (unit, next child to visit).
        let mut stack: Vec<(UnitIx, usize)> = Vec::new();
        for &root in &roots {
            stack.push((root, 0));
            enter[root as usize] = order.len() as u32;
            order.push(root);
            while let Some(&mut (unit, ref mut next)) = stack.last_mut() {
                let kids = &children[unit as usize];
                if *next < kids.len() {
                    let child = kids[*next];
                    *next += 1;
                    depth[child as usize] = depth[unit as usize] + 1;
                    enter[child as usize] = order.len() as u32;
                    order.push(child);
                    stack.push((child, 0));
                } else {
                    exit[unit as usize] = order.len() as u32;
                    stack.pop();
                }
            }
        }

        let mut external: HashMap<(&str, &str), Vec<&str>> = HashMap::new();
        for unit in &kept {
            if let Some(ext) = unit.external_id.as_deref().filter(|e| !e.is_empty()) {
                external
                    .entry((&unit.organization_id, ext))
                    .or_default()
                    .push(&unit.id);
            }
        }
        let mut dup_ext: Vec<TreeProblem> = external
            .into_iter()
            .filter(|(_, units)| units.len() > 1)
            .map(|((org, ext), units)| TreeProblem::DuplicateExternalId {
                organization_id: org.to_owned(),
                external_id: ext.to_owned(),
                units: units.into_iter().map(str::to_owned).collect(),
            })
            .collect();
        dup_ext.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
        problems.extend(dup_ext);

        for (i, unit) in kept.iter().enumerate() {
            if unit.level != i64::from(depth[i]) {
                problems.push(TreeProblem::LevelMismatch {
                    unit: unit.id.clone(),
                    stored: unit.level,
                    depth: depth[i],
                });
            }
        }

        OuTree {
            units: kept,
            by_id,
            parent,
            children,
            roots,
            depth,
            order,
            enter,
            exit,
            problems,
        }
    }

    /// Number of units.
    pub fn len(&self) -> usize {
        self.units.len()
    }

    /// True when there is no unit.
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// Every problem found while building.
    pub fn problems(&self) -> &[TreeProblem] {
        &self.problems
    }

    /// A unit's position by id.
    pub fn find(&self, id: &str) -> Option<UnitIx> {
        self.by_id.get(id).copied()
    }

    /// The unit at a position.
    pub fn unit(&self, ix: UnitIx) -> &UnitInput {
        &self.units[ix as usize]
    }

    /// All units, by position.
    pub fn units(&self) -> &[UnitInput] {
        &self.units
    }

    /// The parent (after the fall-backs above).
    pub fn parent(&self, ix: UnitIx) -> Option<UnitIx> {
        self.parent[ix as usize]
    }

    /// Direct children.
    pub fn children(&self, ix: UnitIx) -> &[UnitIx] {
        &self.children[ix as usize]
    }

    /// Units without a parent.
    pub fn roots(&self) -> &[UnitIx] {
        &self.roots
    }

    /// Depth from its root (0 for a root).
    pub fn depth(&self, ix: UnitIx) -> u32 {
        self.depth[ix as usize]
    }

    /// Parent, grandparent, … up to the root: O(depth).
    pub fn ancestors(&self, ix: UnitIx) -> impl Iterator<Item = UnitIx> + '_ {
        std::iter::successors(self.parent(ix), move |&p| self.parent(p))
    }

    /// The unit itself, then its ancestors.
    pub fn self_and_ancestors(&self, ix: UnitIx) -> impl Iterator<Item = UnitIx> + '_ {
        std::iter::once(ix).chain(self.ancestors(ix))
    }

    /// The unit and everything below it, as one contiguous slice: O(1).
    pub fn subtree(&self, ix: UnitIx) -> &[UnitIx] {
        &self.order[self.enter[ix as usize] as usize..self.exit[ix as usize] as usize]
    }

    /// Everything strictly below the unit.
    pub fn descendants(&self, ix: UnitIx) -> &[UnitIx] {
        &self.subtree(ix)[1..]
    }

    /// Is `unit` in the subtree of `root` (itself included)? O(1).
    pub fn is_within(&self, unit: UnitIx, root: UnitIx) -> bool {
        let (u, r) = (unit as usize, root as usize);
        self.enter[r] <= self.enter[u] && self.enter[u] < self.exit[r]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: &str, parent: Option<&str>, level: i64) -> UnitInput {
        UnitInput {
            id: id.into(),
            organization_id: "org".into(),
            parent_id: parent.map(str::to_owned),
            name: id.to_uppercase(),
            level,
            external_id: Some(format!("ext-{id}")),
            ..UnitInput::default()
        }
    }

    fn ids(tree: &OuTree, ixs: impl IntoIterator<Item = UnitIx>) -> Vec<String> {
        ixs.into_iter().map(|i| tree.unit(i).id.clone()).collect()
    }

    #[test]
    fn a_clean_tree_has_depths_ancestors_and_subtrees() {
        // company → eng → (backend → api, frontend); company → sales
        let tree = OuTree::build(vec![
            unit("api", Some("backend"), 3),
            unit("company", None, 0),
            unit("eng", Some("company"), 1),
            unit("backend", Some("eng"), 2),
            unit("frontend", Some("eng"), 2),
            unit("sales", Some(""), 0),
        ]);
        assert!(tree.problems().is_empty(), "{:?}", tree.problems());
        let api = tree.find("api").expect("api");
        let eng = tree.find("eng").expect("eng");
        assert_eq!(
            ids(&tree, tree.ancestors(api)),
            ["backend", "eng", "company"]
        );
        assert_eq!(tree.depth(api), 3);
        let mut below = ids(&tree, tree.descendants(eng).iter().copied());
        below.sort();
        assert_eq!(below, ["api", "backend", "frontend"]);
        assert!(tree.is_within(api, eng));
        assert!(!tree.is_within(eng, api));
        assert!(!tree.is_within(tree.find("sales").expect("sales"), eng));
        assert_eq!(tree.roots().len(), 2, "an empty parent id is a root");
    }

    #[test]
    fn bad_data_is_reported_and_stays_finite() {
        let tree = OuTree::build(vec![
            unit("a", Some("b"), 1),
            unit("b", Some("a"), 1),
            unit("self", Some("self"), 0),
            unit("lost", Some("nowhere"), 2),
            unit("child", Some("lost"), 1),
            unit("dup", None, 0),
            unit("dup", Some("a"), 4),
            UnitInput {
                external_id: Some("ext-child".into()),
                ..unit("twin", None, 0)
            },
        ]);
        let problems = tree.problems();
        assert!(problems.contains(&TreeProblem::DuplicateId {
            id: "dup".into(),
            ignored: 1
        }));
        assert!(problems.contains(&TreeProblem::Orphan {
            unit: "lost".into(),
            missing_parent: "nowhere".into()
        }));
        assert!(
            problems
                .iter()
                .any(|p| matches!(p, TreeProblem::Cycle { units } if units.len() == 2))
        );
        assert!(
            problems
                .iter()
                .any(|p| matches!(p, TreeProblem::Cycle { units } if units == &["self"]))
        );
        assert!(problems.iter().any(|p| matches!(p,
            TreeProblem::DuplicateExternalId { external_id, units, .. } if external_id == "ext-child" && units.len() == 2)));
        assert!(problems.contains(&TreeProblem::LevelMismatch {
            unit: "lost".into(),
            stored: 2,
            depth: 0
        }));
        // Every walk ends.
        for ix in 0..tree.len() as UnitIx {
            assert!(tree.ancestors(ix).count() < tree.len());
        }
        assert_eq!(tree.units().iter().filter(|u| u.id == "dup").count(), 1);
        assert_eq!(tree.depth(tree.find("child").expect("child")), 1);
    }

    #[test]
    fn labels_fall_back_to_the_name() {
        let mut u = unit("x", None, 0);
        assert_eq!(u.label(), "X");
        u.display_name = Some(String::new());
        assert_eq!(u.label(), "X");
        u.display_name = Some("Platform".into());
        assert_eq!(u.label(), "Platform");
    }
}
