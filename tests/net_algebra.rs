//! Integration tests of the packet-space algebra through the public API.

use std::time::Instant;

use ipnet::IpNet;
use vpclint::net::{
    address_cidrs, effective_parts, first_matchers, match_space, port_intervals, EntryMatch,
    Family, PacketSpace, Protocol, Universe, PROTO_TCP,
};

fn net(s: &str) -> IpNet {
    s.parse().expect("test CIDR")
}

fn space(cidr: &str, protocol: i64, ports: Option<(i32, i32)>) -> PacketSpace {
    let protocol = Protocol::from_number(protocol).expect("test protocol");
    let mut entry = EntryMatch::for_cidr(&net(cidr), protocol);
    if let Some((from, to)) = ports {
        entry = entry.with_ports(from, to);
    }
    match_space(&entry, &Universe::AWS)
}

/// The classic mistake: a deny numbered after an allow-all never takes effect.
#[test]
fn deny_behind_allow_all_is_shadowed() {
    let spaces = [
        space("0.0.0.0/0", -1, None),
        space("203.0.113.0/24", 6, Some((22, 22))),
        space("::/0", 6, Some((22, 22))),
    ];
    let parts = effective_parts(&spaces);
    assert_eq!(parts[0], spaces[0]);
    assert!(parts[1].is_empty());
    assert_eq!(first_matchers(&parts[..1], &spaces[1]), vec![0]);
    // IPv4 entries never match IPv6 traffic.
    assert_eq!(parts[2], spaces[2]);
}

/// What is left of an allow after two denies, described for a diagnostic.
#[test]
fn partial_overlap_is_described_exactly() {
    let spaces = [
        space("10.0.0.0/8", 6, Some((1024, 2047))),
        space("0.0.0.0/0", 6, Some((0, 1023))),
        space("0.0.0.0/0", 6, Some((0, 65535))),
    ];
    let parts = effective_parts(&spaces);
    assert_eq!(
        port_intervals(&parts[2], PROTO_TCP)
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        vec!["1024-65535"]
    );
    let at_1500 = parts[2].restrict_dim(vpclint::net::DIM_A, vpclint::net::Interval::point(1500));
    let cidrs = address_cidrs(&at_1500, Family::V4);
    assert_eq!(cidrs.len(), 8);
    assert!(!cidrs.iter().any(|c| c.contains(&net("10.1.2.3/32"))));
}

/// A 40-entry list of tcp/udp/icmp/all entries with assorted CIDRs and ports.
fn forty_entries(seed: u64) -> Vec<PacketSpace> {
    // Small deterministic LCG, so that the benchmark is reproducible.
    let mut state = seed;
    let mut next = move |bound: u64| -> u64 {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % bound
    };
    (0..40)
        .map(|_| {
            let v6 = next(4) == 0;
            let cidr = if v6 {
                let len = [0, 32, 48, 56, 64][next(5) as usize];
                let addr = std::net::Ipv6Addr::from(
                    u128::from(next(u64::MAX)) << 64 | u128::from(next(u64::MAX)),
                );
                IpNet::V6(
                    ipnet::Ipv6Net::new(addr, len)
                        .expect("valid length")
                        .trunc(),
                )
            } else {
                let len = [0, 8, 12, 16, 20, 24, 28, 32][next(8) as usize];
                let addr = std::net::Ipv4Addr::from(next(1 << 32) as u32);
                IpNet::V4(
                    ipnet::Ipv4Net::new(addr, len)
                        .expect("valid length")
                        .trunc(),
                )
            };
            let protocol = [-1, 6, 6, 6, 17, 17, 1, 58, 47][next(9) as usize];
            let from = next(65536) as i32;
            let to = (from + next(20_000) as i32).min(65535);
            let entry =
                EntryMatch::for_cidr(&cidr, Protocol::from_number(protocol).expect("valid"))
                    .with_ports(from, to)
                    .with_icmp(next(3) as i32 - 1, -1);
            match_space(&entry, &Universe::AWS)
        })
        .collect()
}

/// Timing of `effective_parts` on 40 entries (run with `--ignored --nocapture`).
#[test]
#[ignore]
fn time_effective_parts_forty_entries() {
    for seed in [1, 2, 3, 4, 5] {
        let spaces = forty_entries(seed);
        let start = Instant::now();
        let rounds = 20;
        let mut cuboids = 0;
        for _ in 0..rounds {
            let parts = effective_parts(&spaces);
            cuboids = parts.iter().map(|p| p.cuboids().len()).sum::<usize>();
        }
        let each = start.elapsed() / rounds;
        println!("seed {seed}: effective_parts of 40 entries took {each:?} ({cuboids} cuboids in the parts)");
    }
}

/// A staircase of 40 tcp entries overlapping in both ports and addresses, whose
/// union has a quadratic number of cuboids (run with `--ignored --nocapture`).
#[test]
#[ignore]
fn time_effective_parts_staircase() {
    let spaces: Vec<PacketSpace> = (0..40u32)
        .map(|k| {
            let first = std::net::Ipv4Addr::from(k << 24);
            let cidr = IpNet::V4(ipnet::Ipv4Net::new(first, 6).expect("valid length").trunc());
            let from = (k * 1500) as i32;
            let entry = EntryMatch::for_cidr(&cidr, Protocol::Number(PROTO_TCP))
                .with_ports(from, from + 4000);
            match_space(&entry, &Universe::AWS)
        })
        .collect();
    let start = Instant::now();
    let rounds = 20;
    let mut cuboids = 0;
    for _ in 0..rounds {
        let parts = effective_parts(&spaces);
        cuboids = parts.iter().map(|p| p.cuboids().len()).sum::<usize>();
    }
    let each = start.elapsed() / rounds;
    println!(
        "staircase: effective_parts of 40 entries took {each:?} ({cuboids} cuboids in the parts)"
    );
}
