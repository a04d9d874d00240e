//! The reachability engine: can packets get from one endpoint to another, and which
//! rule decides.
//!
//! Reads the model and the packet algebra only. Exact over packet sets: a verdict
//! holds for every packet of the query. Per-hop decisions ([`nacl_decision`],
//! [`sg_decision`], [`route_decision`]) work on [`FlowSpace`]s (sets of forward
//! packets, see [`flow`]); [`path`] chains them along the packet path of
//! DOMAIN.md, forward and return.

pub mod flow;
pub mod hop;

pub use flow::{
    all_flows, flows, lift, FlowPoint, FlowSpace, Leg, Peer, F_A, F_B, F_DST, F_FAMILY, F_PROTOCOL,
    F_SPORT, F_SRC,
};
pub use hop::{
    nacl_decision, route_decision, sg_decision, Component, Context, Decider, Decision, HopResult,
    RuleRef, DEFAULT_EPHEMERAL,
};
pub mod path;

pub use path::{analyze, resolve, Analysis, EndpointSpec, Query, QueryError, Site, Verdict};
pub mod command;
pub mod fix;
pub mod intent;
pub mod matrix;
pub mod render;

#[cfg(test)]
mod tests;
