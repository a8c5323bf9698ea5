//! Attack-path benchmarks (`cargo bench --bench graph`): a plain timing
//! harness (median of bounded runs), like `benches/audit.rs`.
//!
//! The worst shape for a path search: `n` public services, each holding
//! sensitive data and calling every other one (a full mesh), plus one
//! sensitive component that nothing reaches. For each `n` it measures
//! building the graph and searching the attack paths of every sensitive
//! target, then the full offline audit (facts, rules, scores, report) with
//! empty evidence. A last case times a search that spends its whole visit
//! budget. The targets: an 11-service mesh audited in under
//! 100 ms, 300 components in under 1 s.

use std::path::Path;
use strata::audit::rules::Ruleset;
use strata::graph::DefenseGraph;
use strata::pipeline;

mod common;
use common::bench;

/// Largest mesh written out as YAML: a full mesh of 300 has 89,700 flows,
/// past the loader's node budget, so bigger meshes load their components
/// and one flow, and the other flows are cloned in memory.
const LARGEST_YAML_MESH: usize = 100;

/// `n` fully meshed public services with sensitive data, plus `orphan`,
/// which no flow reaches.
fn mesh_model(n: usize) -> strata::model::Model {
    if n <= LARGEST_YAML_MESH {
        return match strata::model::load_str(&mesh(n, true), Path::new("mesh.yaml")) {
            Ok(m) => m,
            Err(e) => panic!("{e}"),
        };
    }
    let mut m = match strata::model::load_str(&mesh(n, false), Path::new("mesh.yaml")) {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    };
    let Some(template) = m.arch.flows.first().cloned() else {
        panic!("no template flow");
    };
    m.arch.flows.clear();
    for i in 0..n {
        for j in (0..n).filter(|j| *j != i) {
            let mut f = template.clone();
            f.from.value = format!("s{i:03}");
            f.to.value = format!("s{j:03}");
            m.arch.flows.push(f);
        }
    }
    m
}

fn mesh(n: usize, all_flows: bool) -> String {
    let mut y = String::from("strata: 1\nsystem: { name: mesh }\ncomponents:\n");
    for i in 0..n {
        y.push_str(&format!(
            "  - {{ id: s{i:03}, kind: service, exposure: public, data: [{{ name: d, sensitivity: restricted }}] }}\n"
        ));
    }
    y.push_str("  - { id: orphan, kind: datastore, data: [{ name: d, sensitivity: restricted }] }\nflows:\n");
    for i in 0..n {
        for j in (0..n).filter(|j| *j != i) {
            y.push_str(&format!("  - {{ from: s{i:03}, to: s{j:03} }}\n"));
            if !all_flows {
                return y;
            }
        }
    }
    y
}

/// The pruning's blind spot: `a` is the only way to `db` and back into a
/// mesh of `n` internal services, so every branch into the mesh is a dead
/// end the distances cannot see, and the visit budget ends the search.
fn trap(n: usize) -> String {
    let mut y = String::from(
        "strata: 1\nsystem: { name: trap }\ncomponents:\n  - { id: a, kind: service, exposure: public }\n  - { id: db, kind: datastore, data: [{ name: d, sensitivity: restricted }] }\n",
    );
    for i in 0..n {
        y.push_str(&format!("  - {{ id: m{i:03}, kind: service }}\n"));
    }
    y.push_str("flows:\n  - { from: a, to: db }\n");
    for i in 0..n {
        y.push_str(&format!(
            "  - {{ from: a, to: m{i:03} }}\n  - {{ from: m{i:03}, to: a }}\n"
        ));
        for j in (0..n).filter(|j| *j != i) {
            y.push_str(&format!("  - {{ from: m{i:03}, to: m{j:03} }}\n"));
        }
    }
    y
}

fn main() {
    let rules = match Ruleset::builtin() {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    let evidence = strata::evidence::Evidence {
        observed_at: 1_800_000_000,
        ..Default::default()
    };
    for (n, runs) in [(10, 20), (11, 20), (20, 20), (50, 10), (300, 5)] {
        let model = mesh_model(n);
        let targets: Vec<String> = model
            .arch
            .components
            .iter()
            .filter(|c| {
                c.data
                    .iter()
                    .any(|d| d.sensitivity >= strata::model::Sensitivity::Confidential)
            })
            .map(|c| c.id.value.clone())
            .collect();
        let g = DefenseGraph::build(&model);
        let (paths, visits, cut) = targets.iter().fold((0, 0, 0), |(p, v, c), t| {
            let s = g.attack_paths(t);
            (p + s.paths.len(), v + s.visits, c + usize::from(s.truncated()))
        });
        println!(
            "mesh {n}+1 ({} flows{}): {} targets, {paths} paths, {visits} visits, {cut} searches truncated",
            model.arch.flows.len(),
            if n > LARGEST_YAML_MESH { ", built in memory" } else { "" },
            targets.len()
        );
        bench(&format!("build graph + attack paths, mesh {n}+1"), runs, || {
            let g = DefenseGraph::build(&model);
            targets.iter().map(|t| g.attack_paths(t).paths.len()).sum::<usize>()
        });
        bench(&format!("offline audit (audit_with), mesh {n}+1"), runs, || {
            pipeline::audit_with(&model, &rules, evidence.clone())
                .report
                .findings
                .len()
        });
    }
    for n in [12, 50] {
        let model = match strata::model::load_str(&trap(n), Path::new("trap.yaml")) {
            Ok(m) => m,
            Err(e) => panic!("{e}"),
        };
        let s = DefenseGraph::build(&model).attack_paths("db");
        println!(
            "trap {n}: {} paths, {} visits, cut {:?}",
            s.paths.len(),
            s.visits,
            s.cut
        );
        bench(&format!("build graph + attack paths to db, trap {n}"), 20, || {
            DefenseGraph::build(&model).attack_paths("db").visits
        });
    }
}
