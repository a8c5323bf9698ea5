//! Strata audits the security architecture of mobile-app backends.
//!
//! An architecture file ([`model`]) declares clients, components, endpoints
//! and flows with the defenses each layer claims. Strata builds the
//! defense-in-depth [`graph`], probes the live endpoints ([`probe`], the
//! only networked module) into [`evidence`], evaluates the rules ([`audit`])
//! and renders reports ([`report`]). [`pipeline`] wires those steps for the
//! CLI ([`cli`]), with its CI gates ([`ci`]) and sharded audits ([`shard`]);
//! [`lab`] serves the demo and test targets.
//!
//! Lower layers never depend on higher ones: `model` → `evidence`/`graph` →
//! `probe` → `audit` → `report` → `pipeline`/`cli`/`lab`. Below them all,
//! [`fsread`] reads every user-named file (bounded, regular files only) and
//! [`redact`] keeps secrets out of every output.

pub mod appbuild;
pub mod audit;
pub mod ci;
pub mod cli;
pub mod evidence;
pub mod fsread;
pub mod graph;
pub mod gui;
pub mod lab;
pub mod model;
pub mod pipeline;
pub mod probe;
pub mod redact;
pub mod report;
pub mod shard;
#[cfg(test)]
mod testutil;
pub mod triage;
