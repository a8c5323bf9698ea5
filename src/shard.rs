//! Sharded audits: `strata audit --shard K/N` probes one slice of the
//! endpoints, and `strata merge MODEL EVIDENCE...` joins the slices'
//! evidence into one report (see `docs/ci.md`).
//!
//! **Selection.** The model's endpoint ids are sorted (byte order); the
//! endpoint at 0-based position `i` belongs to shard `i % N + 1`. It
//! depends only on the set of ids, not on the machine, the declaration
//! order or the run, and the shards' sizes differ by at most one.
//!
//! **Merge.** Every endpoint of the model must be in exactly one evidence
//! file (a missing or overlapping shard is refused), no file may name an
//! endpoint the model does not declare, and no file may be a cancelled
//! run. The merged evidence has the union of the endpoints, the sorted
//! union of `probes_run`, the `skipped` lines in the order an unsharded
//! run lists them (model endpoint order, then each shard's own order), and
//! the earliest `observed_at` of the shards (the audit clock of the first
//! slice; rules judge validity dates against it). Merging the slices of
//! one evidence file gives that file back, so the report is the same bytes
//! as `--replay` of the whole.

use crate::evidence::Evidence;
use crate::model::Model;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One slice: shard `index` (from 1) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// From 1 to `count`.
    pub index: usize,
    /// Number of shards, at least 1.
    pub count: usize,
}

impl Shard {
    /// Parses `K/N` with `1 <= K <= N`.
    pub fn parse(s: &str) -> Result<Shard, String> {
        let bad = || format!("`{s}` is not a shard K/N (1 <= K <= N, for example 2/3)");
        let (k, n) = s.trim().split_once('/').ok_or_else(bad)?;
        let index: usize = k.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Whether the endpoint at sorted position `i` is in this shard.
    fn holds(&self, i: usize) -> bool {
        i % self.count + 1 == self.index
    }

    /// The ids of `model`'s endpoints in this shard, sorted.
    pub fn select(&self, model: &Model) -> Vec<String> {
        let mut ids: Vec<String> = model.endpoints.iter().map(|e| e.id.clone()).collect();
        ids.sort();
        ids.dedup();
        ids.into_iter()
            .enumerate()
            .filter(|(i, _)| self.holds(*i))
            .map(|(_, id)| id)
            .collect()
    }

    /// `model` with only this shard's endpoints left to probe (the
    /// declarations are untouched).
    pub fn restrict(&self, model: &Model) -> Model {
        let keep = self.select(model);
        let mut m = model.clone();
        m.endpoints.retain(|e| keep.contains(&e.id));
        m
    }

    /// The part of `evidence` this shard would have recorded: its
    /// endpoints, their `probes_run` and `skipped` lines (what `--shard`
    /// saves, given the same observations).
    pub fn split(&self, model: &Model, evidence: &Evidence) -> Evidence {
        let keep = self.select(model);
        let mine = |line: &str| line_endpoint(line).is_some_and(|e| keep.iter().any(|k| k == e));
        Evidence {
            observed_at: evidence.observed_at,
            endpoints: evidence
                .endpoints
                .iter()
                .filter(|(id, _)| keep.contains(id))
                .map(|(id, e)| (id.clone(), e.clone()))
                .collect(),
            probes_run: evidence.probes_run.iter().filter(|p| mine(p)).cloned().collect(),
            skipped: evidence.skipped.iter().filter(|p| mine(p)).cloned().collect(),
            cancelled: evidence.cancelled,
        }
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The endpoint id of a `probes_run` entry (`tls@api`) or `skipped` line
/// (`enrollment@enroll: active probe not run…`). Endpoint ids hold only
/// ASCII letters, digits, `-`, `_` and `.`.
fn line_endpoint(line: &str) -> Option<&str> {
    let (_, rest) = line.split_once('@')?;
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(rest.len());
    Some(&rest[..end])
}

/// Why shard evidence could not be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// No evidence file was given.
    #[error("no evidence files to merge")]
    Empty,
    /// A shard's probing was interrupted.
    #[error("{}: this evidence is from an interrupted run: re-run that shard", path.display())]
    Cancelled {
        /// The file.
        path: PathBuf,
    },
    /// A file names an endpoint the model does not declare.
    #[error(
        "{}: endpoint `{endpoint}` is not in the architecture file: is this evidence of another model?",
        path.display()
    )]
    Unknown {
        /// The file.
        path: PathBuf,
        /// The endpoint id.
        endpoint: String,
    },
    /// Two files hold the same endpoint.
    #[error(
        "the shards overlap: endpoint `{endpoint}` is in both {} and {}: give each shard's evidence once, from one K/N split",
        first.display(),
        second.display()
    )]
    Overlap {
        /// The endpoint id.
        endpoint: String,
        /// The first file that holds it.
        first: PathBuf,
        /// The second.
        second: PathBuf,
    },
    /// Endpoints no file holds.
    #[error("shards are missing: no evidence file covers endpoint(s) {}", endpoints.join(", "))]
    Missing {
        /// The endpoint ids, sorted.
        endpoints: Vec<String>,
    },
}

/// Merges shard evidence (file name, evidence) for `model`; see the module
/// documentation for the rules.
pub fn merge(model: &Model, shards: &[(PathBuf, Evidence)]) -> Result<Evidence, MergeError> {
    if shards.is_empty() {
        return Err(MergeError::Empty);
    }
    let order: BTreeMap<&str, usize> = model
        .endpoints
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.as_str(), i))
        .collect();
    let mut owner: BTreeMap<String, &PathBuf> = BTreeMap::new();
    let mut merged = Evidence {
        observed_at: i64::MAX,
        ..Evidence::default()
    };
    for (path, e) in shards {
        if e.cancelled {
            return Err(MergeError::Cancelled { path: path.clone() });
        }
        merged.observed_at = merged.observed_at.min(e.observed_at);
        for (id, ev) in &e.endpoints {
            if !order.contains_key(id.as_str()) {
                return Err(MergeError::Unknown {
                    path: path.clone(),
                    endpoint: id.clone(),
                });
            }
            if let Some(first) = owner.insert(id.clone(), path) {
                return Err(MergeError::Overlap {
                    endpoint: id.clone(),
                    first: first.clone(),
                    second: path.clone(),
                });
            }
            merged.endpoints.insert(id.clone(), ev.clone());
        }
        merged.probes_run.extend(e.probes_run.iter().cloned());
        merged.skipped.extend(e.skipped.iter().cloned());
    }
    let mut missing: Vec<String> = order
        .keys()
        .filter(|id| !owner.contains_key(**id))
        .map(|s| s.to_string())
        .collect();
    if !missing.is_empty() {
        missing.sort();
        return Err(MergeError::Missing { endpoints: missing });
    }
    merged.probes_run.sort();
    // Stable: each shard's own order is kept within an endpoint.
    merged.skipped.sort_by_key(|l| {
        line_endpoint(l)
            .and_then(|e| order.get(e).copied())
            .unwrap_or(usize::MAX)
    });
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_specs_parse_and_refuse_nonsense() {
        assert_eq!(Shard::parse("2/3"), Ok(Shard { index: 2, count: 3 }));
        assert_eq!(Shard::parse(" 1 / 1 "), Ok(Shard { index: 1, count: 1 }));
        for bad in ["0/3", "4/3", "1/0", "3", "a/b", "1/2/3", ""] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn probe_lines_name_their_endpoint() {
        assert_eq!(line_endpoint("tls@api"), Some("api"));
        assert_eq!(
            line_endpoint("enrollment@en-roll.1: active probe not run against x@y"),
            Some("en-roll.1")
        );
        assert_eq!(line_endpoint("nothing"), None);
    }
}
