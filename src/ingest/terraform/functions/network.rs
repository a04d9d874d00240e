//! IP network functions: `cidrhost`, `cidrnetmask`, `cidrsubnet`, `cidrsubnets`.

use super::*;

#[derive(Clone, Copy)]
pub(super) struct Cidr {
    v6: bool,
    addr: u128,
    len: u32,
}

impl Cidr {
    fn width(self) -> u32 {
        if self.v6 {
            128
        } else {
            32
        }
    }

    /// Mask of the host bits.
    fn host_mask(self) -> u128 {
        let h = self.width() - self.len;
        if h >= 128 {
            u128::MAX
        } else {
            (1u128 << h) - 1
        }
    }

    fn family(self) -> &'static str {
        if self.v6 {
            "IPv6"
        } else {
            "IPv4"
        }
    }
}

pub(super) fn fmt_ip(v6: bool, a: u128) -> String {
    if v6 {
        Ipv6Addr::from(a).to_string()
    } else {
        Ipv4Addr::from((a & 0xFFFF_FFFF) as u32).to_string()
    }
}

pub(super) fn fmt_net(v6: bool, a: u128, len: u32) -> String {
    format!("{}/{len}", fmt_ip(v6, a))
}

/// Parses `addr/len` as Terraform does: host bits are ignored, and IPv4
/// octets with leading zeros are read as decimal.
pub(super) fn parse_cidr(s: &str) -> Option<Cidr> {
    let (addr, len) = s.split_once('/')?;
    let normalized;
    let text = if addr.contains(':') {
        s
    } else {
        let octets: Vec<&str> = addr.split('.').collect();
        if octets.len() != 4 || octets.iter().any(|o| o.is_empty() || o.len() > 3) {
            return None;
        }
        let octets: Vec<&str> = octets
            .iter()
            .map(|o| match o.trim_start_matches('0') {
                "" => "0",
                t => t,
            })
            .collect();
        normalized = format!("{}/{len}", octets.join("."));
        &normalized
    };
    Some(match IpNet::from_str(text).ok()?.trunc() {
        IpNet::V4(n) => Cidr {
            v6: false,
            addr: u128::from(u32::from(n.addr())),
            len: u32::from(n.prefix_len()),
        },
        IpNet::V6(n) => Cidr {
            v6: true,
            addr: u128::from(n.addr()),
            len: u32::from(n.prefix_len()),
        },
    })
}

impl Cx<'_> {
    fn cidr(&self, a: &[Value], i: usize) -> Res<Cidr> {
        let s = self.str(a, i)?;
        parse_cidr(&s).ok_or_else(|| {
            self.arg_err(
                i,
                format!("invalid CIDR expression: invalid CIDR address: {s}"),
            )
        })
    }
}

pub(super) fn f_cidrsubnet(cx: &Cx, a: &[Value]) -> Res {
    let net = cx.cidr(a, 0)?;
    let newbits = cx.int(a, 1)?;
    let netnum = cx.num(a, 2)?;
    if newbits < 0 {
        return Err(cx.arg_err(1, "must not be negative"));
    }
    let newbits = u32::try_from(newbits).unwrap_or(u32::MAX);
    let newlen = net
        .len
        .checked_add(newbits)
        .filter(|l| *l <= net.width())
        .ok_or_else(|| {
            cx.arg_err(
                1,
                format!(
                    "insufficient address space to extend prefix of {} by {newbits}",
                    net.len
                ),
            )
        })?;
    if netnum.fract() != 0.0 {
        return Err(cx.arg_err(2, "value must be a whole number"));
    }
    if netnum < 0.0 {
        return Err(cx.arg_err(2, "must not be negative"));
    }
    let too_big = || {
        cx.arg_err(
            2,
            format!(
                "prefix extension of {newbits} does not accommodate a subnet numbered {}",
                format_number(netnum)
            ),
        )
    };
    let num = to_u128(netnum).ok_or_else(too_big)?;
    if newbits < 128 && num >> newbits != 0 {
        return Err(too_big());
    }
    let addr = net.addr | num.checked_shl(net.width() - newlen).unwrap_or(0);
    Ok(Value::String(fmt_net(net.v6, addr, newlen)))
}

pub(super) fn f_cidrhost(cx: &Cx, a: &[Value]) -> Res {
    let net = cx.cidr(a, 0)?;
    let n = cx.num(a, 1)?;
    if n.fract() != 0.0 {
        return Err(cx.arg_err(1, "value must be a whole number"));
    }
    let max = net.host_mask();
    let too_big = || {
        cx.arg_err(
            1,
            format!(
                "prefix of {} does not accommodate a host numbered {}",
                net.len,
                format_number(n)
            ),
        )
    };
    // Negative numbers count back from the end of the range: -1 is the last address.
    let host = if n < 0.0 {
        let back = to_u128(-n).ok_or_else(too_big)? - 1;
        if back > max {
            return Err(too_big());
        }
        max - back
    } else {
        let k = to_u128(n).ok_or_else(too_big)?;
        if k > max {
            return Err(too_big());
        }
        k
    };
    Ok(Value::String(fmt_ip(net.v6, net.addr | host)))
}

pub(super) fn f_cidrnetmask(cx: &Cx, a: &[Value]) -> Res {
    let net = cx.cidr(a, 0)?;
    if net.v6 {
        let s = cx.str(a, 0)?;
        return Err(cx.arg_err(0, format!("IPv6 addresses cannot have a netmask: {s}")));
    }
    let mask = if net.len == 0 {
        0
    } else {
        u32::MAX << (32 - net.len)
    };
    Ok(Value::String(Ipv4Addr::from(mask).to_string()))
}

pub(super) fn f_cidrsubnets(cx: &Cx, a: &[Value]) -> Res {
    let net = cx.cidr(a, 0)?;
    let width = net.width();
    let last = net.addr | net.host_mask();
    // Next free address; None once the address space has wrapped.
    let mut next = Some(net.addr);
    let mut prev = fmt_net(net.v6, net.addr, net.len);
    let mut out = Vec::new();
    for i in 1..a.len() {
        let nb = cx.int(a, i)?;
        if nb < 1 {
            return Err(cx.arg_err(i, "must extend prefix by at least one bit"));
        }
        if nb > 32 {
            return Err(cx.arg_err(i, "may not extend prefix by more than 32 bits"));
        }
        let newlen = net.len + u32::try_from(nb).unwrap_or(32);
        if newlen > width {
            return Err(cx.arg_err(
                i,
                format!(
                    "would extend prefix to {newlen} bits, which is too long for an {} address",
                    net.family()
                ),
            ));
        }
        if i == 1 && net.addr == 0 {
            // Terraform finds the first subnet by stepping back one address
            // from the prefix, which wraps around for 0.0.0.0 and ::, and it
            // then reports the space as exhausted.
            let top = if net.v6 {
                u128::MAX
            } else {
                u128::from(u32::MAX)
            };
            let host = (1u128 << (width - newlen)) - 1;
            prev = fmt_net(net.v6, top & !host, newlen);
            next = None;
        }
        let block = 1u128 << (width - newlen);
        let start = next.and_then(|p| {
            if p % block == 0 {
                Some(p)
            } else {
                (p / block + 1).checked_mul(block)
            }
        });
        match start {
            Some(s) if s <= last => {
                prev = fmt_net(net.v6, s, newlen);
                out.push(Value::String(prev.clone()));
                next = s.checked_add(block);
            }
            _ => {
                return Err(cx.arg_err(
                    i,
                    format!(
                        "not enough remaining address space for a subnet with a prefix of {newlen} bits after {prev}"
                    ),
                ))
            }
        }
    }
    Ok(Value::List(out))
}
