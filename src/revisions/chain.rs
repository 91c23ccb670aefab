//! The revision graph: parents, heads, topological order, and the targets that
//! `upgrade` and `downgrade` accept.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

use super::file::Revision;
use super::RevisionError;

/// All revisions of a directory.
#[derive(Debug, Default)]
pub struct Chain {
    /// In topological order: parents before children, ties by creation time and id.
    pub revisions: Vec<Revision>,
    index: HashMap<String, usize>,
}

impl Chain {
    /// Reads every `*.sql` file of `dir` (a missing directory is an empty chain).
    pub fn load(dir: &Path) -> Result<Chain, RevisionError> {
        let mut revisions = Vec::new();
        if dir.is_dir() {
            let mut paths: Vec<_> = std::fs::read_dir(dir)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "sql"))
                .collect();
            paths.sort();
            for p in paths {
                let text = std::fs::read_to_string(&p)?;
                revisions.push(Revision::parse(&p, &text)?);
            }
        }
        Chain::new(revisions)
    }

    /// Orders and checks a set of revisions.
    pub fn new(mut revisions: Vec<Revision>) -> Result<Chain, RevisionError> {
        let mut seen = HashSet::new();
        for r in &revisions {
            if !seen.insert(r.id.clone()) {
                return Err(RevisionError::Duplicate(r.id.clone()));
            }
        }
        for r in &revisions {
            for p in &r.parents {
                if !seen.contains(p) {
                    return Err(RevisionError::MissingParent { revision: r.id.clone(), parent: p.clone() });
                }
            }
        }
        revisions.sort_by(|a, b| (&a.created, &a.id).cmp(&(&b.created, &b.id)));
        let mut ordered: Vec<Revision> = Vec::with_capacity(revisions.len());
        let mut placed: HashSet<String> = HashSet::new();
        while !revisions.is_empty() {
            let Some(pos) = revisions.iter().position(|r| r.parents.iter().all(|p| placed.contains(p))) else {
                return Err(RevisionError::Cycle);
            };
            let r = revisions.remove(pos);
            placed.insert(r.id.clone());
            ordered.push(r);
        }
        let index = ordered.iter().enumerate().map(|(i, r)| (r.id.clone(), i)).collect();
        Ok(Chain { revisions: ordered, index })
    }

    /// A revision by exact id.
    pub fn get(&self, id: &str) -> Option<&Revision> {
        self.index.get(id).map(|&i| &self.revisions[i])
    }

    /// Revisions no other revision names as a parent.
    pub fn heads(&self) -> Vec<&Revision> {
        let parents: HashSet<&String> = self.revisions.iter().flat_map(|r| &r.parents).collect();
        self.revisions.iter().filter(|r| !parents.contains(&r.id)).collect()
    }

    /// The single head, or the advice to merge.
    pub fn head(&self) -> Result<Option<&Revision>, RevisionError> {
        let heads = self.heads();
        match heads.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(one)),
            many => Err(RevisionError::MultipleHeads(many.iter().map(|r| r.id.clone()).collect())),
        }
    }

    /// `id` and all its ancestors.
    pub fn ancestry(&self, ids: &[String]) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut stack: Vec<String> = ids.to_vec();
        while let Some(id) = stack.pop() {
            if out.insert(id.clone()) {
                if let Some(r) = self.get(&id) {
                    stack.extend(r.parents.iter().cloned());
                }
            }
        }
        out
    }

    /// Revisions in `set`, in topological order.
    pub fn ordered(&self, set: &BTreeSet<String>) -> Vec<&Revision> {
        self.revisions.iter().filter(|r| set.contains(&r.id)).collect()
    }

    /// An id or a unique prefix of one.
    pub fn resolve(&self, text: &str) -> Result<&Revision, RevisionError> {
        if let Some(r) = self.get(text) {
            return Ok(r);
        }
        let matches: Vec<&Revision> = self.revisions.iter().filter(|r| r.id.starts_with(text)).collect();
        match matches.as_slice() {
            [one] => Ok(one),
            [] => Err(RevisionError::Unknown(text.to_string())),
            many => Err(RevisionError::Ambiguous {
                prefix: text.to_string(),
                matches: many.iter().map(|r| r.id.clone()).collect(),
            }),
        }
    }

    /// Whether the chain holds no revision.
    pub fn is_empty(&self) -> bool {
        self.revisions.is_empty()
    }
}
