//! Reachability intents (`reach:` in `.vpclint.yaml`): a question and its expected answer.

use super::hop::Context;
use super::path::{analyze, Analysis, EndpointSpec, Query, QueryError};
use crate::model::Model;
use crate::net::{Interval, Protocol, Universe};
use crate::source::Location;

/// What an intent expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Every packet passes with its reply.
    Reachable,
    /// No packet passes.
    Blocked,
}

/// One `reach:` entry.
#[derive(Clone, Debug)]
pub struct Intent {
    /// `name`.
    pub name: String,
    /// `from` (an endpoint, as for `vpclint reach --from`).
    pub from: String,
    /// `to`.
    pub to: String,
    /// `protocol` (default tcp).
    pub protocol: Protocol,
    /// `ports` (default: all).
    pub ports: Option<(u16, u16)>,
    /// `expect`.
    pub expect: Expect,
    /// The entry in the config file.
    pub location: Location,
}

impl Intent {
    /// Asks the intent's question of `model`; `None` when an endpoint is not in this model
    /// (an intent about another input).
    pub fn ask<'m>(
        &self,
        model: &'m Model,
        ephemeral: (u16, u16),
    ) -> Option<(Analysis, Context<'m>)> {
        let ctx = Context::with_universe(
            model,
            Universe::AWS,
            Interval::new(u128::from(ephemeral.0), u128::from(ephemeral.1)),
        );
        let ports = self.ports.map(|(a, b)| (i32::from(a), i32::from(b)));
        let ports = match (self.protocol, ports) {
            (p, Some((a, _))) if p.is_icmp() => Some((a, -1)),
            (p, Some(_)) if !p.has_ports() => None,
            (_, p) => p,
        };
        let q = Query {
            from: EndpointSpec::parse(&self.from),
            to: EndpointSpec::parse(&self.to),
            protocol: self.protocol,
            ports,
            from_groups: Vec::new(),
            to_groups: Vec::new(),
        };
        match analyze(&ctx, &q) {
            Ok(a) => Some((a, ctx)),
            Err(QueryError::NotFound(_) | QueryError::BothOutside | QueryError::NoAddress(_)) => {
                None
            }
            Err(QueryError::Ambiguous(..)) => None,
        }
    }
}
