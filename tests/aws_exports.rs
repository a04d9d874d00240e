//! AWS CLI exports into the model: the fixtures under fixtures/exports-handmade/
//! (real moto + aws CLI output, and hand-written files for what moto cannot
//! produce; see the README there) must give exactly these models, problems and
//! findings.

use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use vpclint::diag::{Finding, PARSE_EVAL, PARSE_SYNTAX};
use vpclint::ingest::aws::{self, ExportInput, TerraformJsonKind};
use vpclint::model::{EntrySource, Model, NaclEntry, Val};
use vpclint::rules::{self, RuleEntry, Settings};
use vpclint::source::{Location, SourceFile};

const ROOT: &str = "fixtures/exports-handmade";

fn load(case: &str) -> ExportInput {
    aws::load_paths(&[Path::new(ROOT).join(case)])
}

/// Reads fixture files into memory under another directory name.
fn in_memory(dir: &str, files: &[&str]) -> Vec<Arc<SourceFile>> {
    let named: Vec<(&str, &str)> = files
        .iter()
        .map(|f| (*f, f.rsplit('/').next().unwrap_or(f)))
        .collect();
    in_memory_as(dir, &named)
}

/// Reads fixture files into memory under another directory name, each under a new file name.
fn in_memory_as(dir: &str, files: &[(&str, &str)]) -> Vec<Arc<SourceFile>> {
    files
        .iter()
        .map(|(f, name)| {
            let text = std::fs::read_to_string(Path::new(ROOT).join(f)).expect("fixture");
            SourceFile::new(Path::new(dir).join(name), text)
        })
        .collect()
}

/// `file:line:col`, the file without its directory.
fn at(loc: &Option<Location>) -> String {
    match loc {
        Some(l) => {
            let lc = l.line_col();
            let path = l.file.display_path();
            let file = path.rsplit('/').next().unwrap_or(&path).to_string();
            format!("{file}:{}:{}", lc.line, lc.column)
        }
        None => "-".into(),
    }
}

fn val<T: std::fmt::Display>(v: &Val<T>) -> String {
    match v {
        Val::Known(t) => t.to_string(),
        Val::Unknown(r) => format!("?({r})"),
    }
}

fn opt_val<T: std::fmt::Display>(v: &Option<Val<T>>) -> String {
    v.as_ref().map(val).unwrap_or_else(|| "-".into())
}

fn entry_line(dir: &str, e: &NaclEntry) -> String {
    let pair = |v: &Val<Option<(i64, i64)>>| match v {
        Val::Known(Some((a, b))) => format!("{a}/{b}"),
        Val::Known(None) => "-".into(),
        Val::Unknown(r) => format!("?({r})"),
    };
    let source = match e.source {
        EntrySource::User => "user",
        EntrySource::AwsDefault => "aws-default",
        EntrySource::ImplicitDeny => "implicit-deny",
    };
    format!(
        "  {dir} {} {} {} {} ports={} icmp={} {source} @{}",
        val(&e.rule_number),
        val(&e.action),
        val(&e.protocol),
        val(&e.cidr),
        pair(&e.ports),
        pair(&e.icmp),
        at(&e.origin.location)
    )
}

/// The whole model, one line per object or entry. Entries must carry their NACL's address.
fn dump(m: &Model) -> Vec<String> {
    let mut out = Vec::new();
    for v in &m.vpcs {
        out.push(format!(
            "vpc {} [{}] {} ipv6={} default_nacl={} @{}",
            v.key,
            v.origin.address,
            val(&v.cidr),
            val(&v.has_ipv6),
            v.default_nacl.as_deref().unwrap_or("-"),
            at(&v.origin.location)
        ));
    }
    for s in &m.subnets {
        out.push(format!(
            "subnet {} [{}] vpc={} {} ipv6={} nacl={} @{}",
            s.key,
            s.origin.address,
            val(&s.vpc),
            opt_val(&s.cidr),
            opt_val(&s.ipv6_cidr),
            val(&s.nacl),
            at(&s.origin.location)
        ));
    }
    for n in &m.nacls {
        let subnets: Vec<String> = n.subnets.iter().map(val).collect();
        out.push(format!(
            "nacl {} [{}] vpc={} default={} subnets=[{}] @{}",
            n.key,
            n.origin.address,
            val(&n.vpc),
            n.is_default,
            subnets.join(","),
            at(&n.origin.location)
        ));
        for (dir, list) in [("in", &n.inbound), ("out", &n.outbound)] {
            for e in list {
                assert_eq!(e.origin.address, n.origin.address, "entry address");
                out.push(entry_line(dir, e));
            }
        }
    }
    out
}

/// The dump without locations: what pages and files must not change.
fn dump_without_locations(m: &Model) -> Vec<String> {
    dump(m)
        .into_iter()
        .map(|l| l.split(" @").next().unwrap_or("").to_string())
        .collect()
}

fn expected(s: &str) -> Vec<String> {
    s.lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

fn problems(out: &ExportInput) -> Vec<String> {
    let mut v: Vec<String> = out
        .problems
        .iter()
        .map(|p| format!("{} {} {}", p.code, at(&p.location), p.message))
        .collect();
    v.sort();
    v
}

fn run_rules(m: &Model, codes: &[&str]) -> Vec<String> {
    let enabled: Vec<&'static RuleEntry> = rules::all()
        .iter()
        .filter(|r| codes.is_empty() || codes.contains(&r.meta.code.as_str()))
        .collect();
    let mut v: Vec<String> = rules::run(m, &Settings::default(), &enabled)
        .iter()
        .map(|f: &Finding| format!("{} [{}] {}", f.code, f.resource, at(&f.location)))
        .collect();
    v.sort();
    v
}

fn findings(m: &Model) -> Vec<String> {
    run_rules(m, &[])
}

fn notes(m: &Model) -> Vec<String> {
    m.notes
        .iter()
        .map(|n| format!("{} {}", at(&n.location), n.message))
        .collect()
}

fn only_model(out: &ExportInput) -> &Model {
    assert_eq!(out.models.len(), 1, "one snapshot directory, one model");
    &out.models[0]
}

const MOTO_WEB: &str = r#"
vpc vpc-d7146c78384256ded [vpc-d7146c78384256ded] 172.31.0.0/16 ipv6=false default_nacl=acl-4409bc265bc66d4d7 @describe-vpcs.json:3:9
vpc vpc-d37388683232a1651 [vpc-d37388683232a1651 (shop)] 10.0.0.0/16 ipv6=false default_nacl=acl-43b58ee7b21629f24 @describe-vpcs.json:23:9
vpc vpc-214276441133a3d54 [vpc-214276441133a3d54 (lab)] 10.1.0.0/16 ipv6=true default_nacl=acl-6610525cf42333583 @describe-vpcs.json:48:9
subnet subnet-0a1502283b79e2cf3 [subnet-0a1502283b79e2cf3] vpc=vpc-d7146c78384256ded 172.31.0.0/20 ipv6=- nacl=acl-4409bc265bc66d4d7 @describe-subnets.json:3:9
subnet subnet-50ef5541fe4fe446e [subnet-50ef5541fe4fe446e (shop-public-a)] vpc=vpc-d37388683232a1651 10.0.0.0/24 ipv6=- nacl=acl-721a78703a981b97b @describe-subnets.json:25:9
subnet subnet-2333af17584be6a77 [subnet-2333af17584be6a77 (shop-private-a)] vpc=vpc-d37388683232a1651 10.0.1.0/24 ipv6=- nacl=acl-24af0b3004f231335 @describe-subnets.json:52:9
subnet subnet-47c6ccb8854856606 [subnet-47c6ccb8854856606] vpc=vpc-d7146c78384256ded 172.31.16.0/20 ipv6=- nacl=acl-4409bc265bc66d4d7 @describe-subnets.json:79:9
subnet subnet-00c382d65eb82eb96 [subnet-00c382d65eb82eb96] vpc=vpc-d7146c78384256ded 172.31.32.0/20 ipv6=- nacl=acl-4409bc265bc66d4d7 @describe-subnets.json:101:9
subnet subnet-0ceafc5b17bb3138b [subnet-0ceafc5b17bb3138b] vpc=vpc-d7146c78384256ded 172.31.48.0/20 ipv6=- nacl=acl-4409bc265bc66d4d7 @describe-subnets.json:123:9
subnet subnet-f9c8a4ed10b85ddb6 [subnet-f9c8a4ed10b85ddb6] vpc=vpc-d7146c78384256ded 172.31.64.0/20 ipv6=- nacl=acl-4409bc265bc66d4d7 @describe-subnets.json:145:9
subnet subnet-3313cf5aaf69064f1 [subnet-3313cf5aaf69064f1] vpc=vpc-d7146c78384256ded 172.31.80.0/20 ipv6=- nacl=acl-4409bc265bc66d4d7 @describe-subnets.json:167:9
nacl acl-4409bc265bc66d4d7 [acl-4409bc265bc66d4d7] vpc=vpc-d7146c78384256ded default=true subnets=[subnet-0a1502283b79e2cf3,subnet-47c6ccb8854856606,subnet-00c382d65eb82eb96,subnet-0ceafc5b17bb3138b,subnet-f9c8a4ed10b85ddb6,subnet-3313cf5aaf69064f1] @describe-network-acls.json:3:9
  in 100 allow all 0.0.0.0/0 ports=- icmp=- user @describe-network-acls.json:51:17
  in 32767 deny all 0.0.0.0/0 ports=- icmp=- implicit-deny @describe-network-acls.json:58:17
  out 100 allow all 0.0.0.0/0 ports=- icmp=- user @describe-network-acls.json:37:17
  out 32767 deny all 0.0.0.0/0 ports=- icmp=- implicit-deny @describe-network-acls.json:44:17
nacl acl-43b58ee7b21629f24 [acl-43b58ee7b21629f24] vpc=vpc-d37388683232a1651 default=true subnets=[] @describe-network-acls.json:72:9
  in 100 allow all 0.0.0.0/0 ports=- icmp=- user @describe-network-acls.json:89:17
  in 32767 deny all 0.0.0.0/0 ports=- icmp=- implicit-deny @describe-network-acls.json:96:17
  out 100 allow all 0.0.0.0/0 ports=- icmp=- user @describe-network-acls.json:75:17
  out 32767 deny all 0.0.0.0/0 ports=- icmp=- implicit-deny @describe-network-acls.json:82:17
nacl acl-6610525cf42333583 [acl-6610525cf42333583] vpc=vpc-214276441133a3d54 default=true subnets=[] @describe-network-acls.json:110:9
  in 100 allow all 0.0.0.0/0 ports=- icmp=- user @describe-network-acls.json:127:17
  in 32767 deny all 0.0.0.0/0 ports=- icmp=- implicit-deny @describe-network-acls.json:134:17
  out 100 allow all 0.0.0.0/0 ports=- icmp=- user @describe-network-acls.json:113:17
  out 32767 deny all 0.0.0.0/0 ports=- icmp=- implicit-deny @describe-network-acls.json:120:17
nacl acl-721a78703a981b97b [acl-721a78703a981b97b (shop-public)] vpc=vpc-d37388683232a1651 default=false subnets=[subnet-50ef5541fe4fe446e] @describe-network-acls.json:148:9
  in 100 allow tcp 0.0.0.0/0 ports=443/443 icmp=- user @describe-network-acls.json:157:17
  out 90 deny tcp 0.0.0.0/0 ports=25/25 icmp=- user @describe-network-acls.json:168:17
nacl acl-24af0b3004f231335 [acl-24af0b3004f231335 (shop-private)] vpc=vpc-d37388683232a1651 default=false subnets=[subnet-2333af17584be6a77] @describe-network-acls.json:191:9
  in 100 allow tcp 10.0.0.0/16 ports=5432/5432 icmp=- user @describe-network-acls.json:200:17
  in 110 allow icmp 10.0.0.0/16 ports=- icmp=- user @describe-network-acls.json:211:17
  out 100 allow tcp 10.0.0.0/16 ports=1024/65535 icmp=- user @describe-network-acls.json:218:17
  out 110 allow icmp 10.0.0.0/16 ports=- icmp=- user @describe-network-acls.json:229:17
"#;

const MOTO_TWO_ACCOUNTS: &str = r#"
vpc 111111111111/vpc-0ee8406a1786a90fe [111111111111/vpc-0ee8406a1786a90fe (app-1)] 10.20.0.0/16 ipv6=false default_nacl=111111111111/acl-901b362872cdccee8 @vpcs-111111111111.json:3:9
vpc 222222222222/vpc-e6dd764e6b98b5fac [222222222222/vpc-e6dd764e6b98b5fac (app-2)] 10.20.0.0/16 ipv6=false default_nacl=222222222222/acl-795aeef18a74a573b @vpcs-222222222222.json:3:9
subnet 111111111111/subnet-9f71cea731b2ecfde [111111111111/subnet-9f71cea731b2ecfde] vpc=111111111111/vpc-0ee8406a1786a90fe 10.20.0.0/24 ipv6=- nacl=111111111111/acl-8faaf72c8e7674dd3 @subnets-111111111111.json:3:9
subnet 222222222222/subnet-eaff4fe952babcb93 [222222222222/subnet-eaff4fe952babcb93] vpc=222222222222/vpc-e6dd764e6b98b5fac 10.20.0.0/24 ipv6=- nacl=222222222222/acl-e7d300a55bf13ec0e @subnets-222222222222.json:3:9
nacl 111111111111/acl-901b362872cdccee8 [111111111111/acl-901b362872cdccee8] vpc=111111111111/vpc-0ee8406a1786a90fe default=true subnets=[] @network-acls-111111111111.json:3:9
  in 100 allow all 0.0.0.0/0 ports=- icmp=- user @network-acls-111111111111.json:20:17
  in 32767 deny all 0.0.0.0/0 ports=- icmp=- implicit-deny @network-acls-111111111111.json:27:17
  out 100 allow all 0.0.0.0/0 ports=- icmp=- user @network-acls-111111111111.json:6:17
  out 32767 deny all 0.0.0.0/0 ports=- icmp=- implicit-deny @network-acls-111111111111.json:13:17
nacl 111111111111/acl-8faaf72c8e7674dd3 [111111111111/acl-8faaf72c8e7674dd3] vpc=111111111111/vpc-0ee8406a1786a90fe default=false subnets=[111111111111/subnet-9f71cea731b2ecfde] @network-acls-111111111111.json:41:9
  in 100 allow tcp 0.0.0.0/0 ports=22/22 icmp=- user @network-acls-111111111111.json:50:17
  out 100 allow tcp 0.0.0.0/0 ports=1024/65535 icmp=- user @network-acls-111111111111.json:61:17
nacl 222222222222/acl-795aeef18a74a573b [222222222222/acl-795aeef18a74a573b] vpc=222222222222/vpc-e6dd764e6b98b5fac default=true subnets=[] @network-acls-222222222222.json:3:9
  in 100 allow all 0.0.0.0/0 ports=- icmp=- user @network-acls-222222222222.json:20:17
  in 32767 deny all 0.0.0.0/0 ports=- icmp=- implicit-deny @network-acls-222222222222.json:27:17
  out 100 allow all 0.0.0.0/0 ports=- icmp=- user @network-acls-222222222222.json:6:17
  out 32767 deny all 0.0.0.0/0 ports=- icmp=- implicit-deny @network-acls-222222222222.json:13:17
nacl 222222222222/acl-e7d300a55bf13ec0e [222222222222/acl-e7d300a55bf13ec0e] vpc=222222222222/vpc-e6dd764e6b98b5fac default=false subnets=[222222222222/subnet-eaff4fe952babcb93] @network-acls-222222222222.json:41:9
  in 100 allow tcp 0.0.0.0/0 ports=22/22 icmp=- user @network-acls-222222222222.json:50:17
  out 100 allow tcp 0.0.0.0/0 ports=1024/65535 icmp=- user @network-acls-222222222222.json:61:17
"#;

const AWS_IMPLICIT_DENY: &str = r#"
vpc vpc-0f1e2d3c4b5a69788 [vpc-0f1e2d3c4b5a69788 (web-prod)] 10.0.0.0/16 ipv6=true default_nacl=acl-0d0e0f1a2b3c4d5e6 @describe-vpcs.json:3:9
subnet subnet-0a1b2c3d4e5f60001 [subnet-0a1b2c3d4e5f60001 (web-a)] vpc=vpc-0f1e2d3c4b5a69788 10.0.0.0/24 ipv6=2600:1f18:4a3:6e00::/64 nacl=acl-0a9b8c7d6e5f40321 @describe-subnets.json:3:9
subnet subnet-0a1b2c3d4e5f60002 [subnet-0a1b2c3d4e5f60002 (db-a)] vpc=vpc-0f1e2d3c4b5a69788 10.0.1.0/24 ipv6=- nacl=acl-0d0e0f1a2b3c4d5e6 @describe-subnets.json:40:9
subnet subnet-0a1b2c3d4e5f60003 [subnet-0a1b2c3d4e5f60003 (v6only-b)] vpc=vpc-0f1e2d3c4b5a69788 - ipv6=2600:1f18:4a3:6e02::/64 nacl=acl-0d0e0f1a2b3c4d5e6 @describe-subnets.json:77:9
nacl acl-0d0e0f1a2b3c4d5e6 [acl-0d0e0f1a2b3c4d5e6] vpc=vpc-0f1e2d3c4b5a69788 default=true subnets=[subnet-0a1b2c3d4e5f60002,subnet-0a1b2c3d4e5f60003] @describe-network-acls.json:3:9
  in 100 allow all 0.0.0.0/0 ports=- icmp=- user @describe-network-acls.json:45:17
  in 101 allow all ::/0 ports=- icmp=- user @describe-network-acls.json:52:17
  in 32767 deny all 0.0.0.0/0 ports=- icmp=- implicit-deny @describe-network-acls.json:59:17
  in 32768 deny all ::/0 ports=- icmp=- implicit-deny @describe-network-acls.json:66:17
  out 100 allow all 0.0.0.0/0 ports=- icmp=- user @describe-network-acls.json:17:17
  out 101 allow all ::/0 ports=- icmp=- user @describe-network-acls.json:24:17
  out 32767 deny all 0.0.0.0/0 ports=- icmp=- implicit-deny @describe-network-acls.json:31:17
  out 32768 deny all ::/0 ports=- icmp=- implicit-deny @describe-network-acls.json:38:17
nacl acl-0a9b8c7d6e5f40321 [acl-0a9b8c7d6e5f40321 (web)] vpc=vpc-0f1e2d3c4b5a69788 default=false subnets=[subnet-0a1b2c3d4e5f60001] @describe-network-acls.json:80:9
  in 100 allow tcp 0.0.0.0/0 ports=443/443 icmp=- user @describe-network-acls.json:114:17
  in 101 allow tcp ::/0 ports=443/443 icmp=- user @describe-network-acls.json:125:17
  in 110 allow icmp 10.0.0.0/16 ports=- icmp=8/-1 user @describe-network-acls.json:136:17
  in 32767 deny all 0.0.0.0/0 ports=- icmp=- implicit-deny @describe-network-acls.json:147:17
  in 32768 deny all ::/0 ports=- icmp=- implicit-deny @describe-network-acls.json:154:17
  out 100 allow icmp 10.0.0.0/16 ports=- icmp=0/-1 user @describe-network-acls.json:89:17
  out 32767 deny all 0.0.0.0/0 ports=- icmp=- implicit-deny @describe-network-acls.json:100:17
  out 32768 deny all ::/0 ports=- icmp=- implicit-deny @describe-network-acls.json:107:17
"#;

const TWO_OWNERS_SAME_IDS: &str = r#"
subnet 111111111111/subnet-0123456789abcdef1 [111111111111/subnet-0123456789abcdef1 (bastion-a)] vpc=111111111111/vpc-0123456789abcdef0 10.0.0.0/24 ipv6=- nacl=111111111111/acl-0123456789abcdef2 @subnets-111111111111.json:3:9
subnet 222222222222/subnet-0123456789abcdef1 [222222222222/subnet-0123456789abcdef1 (bastion-a)] vpc=222222222222/vpc-0123456789abcdef0 10.0.0.0/24 ipv6=- nacl=222222222222/acl-0123456789abcdef2 @subnets-222222222222.json:3:9
nacl 111111111111/acl-0123456789abcdef3 [111111111111/acl-0123456789abcdef3] vpc=111111111111/vpc-0123456789abcdef0 default=true subnets=[] @network-acls-111111111111.json:3:9
  in 100 allow all 0.0.0.0/0 ports=- icmp=- user @network-acls-111111111111.json:20:17
  in 32767 deny all 0.0.0.0/0 ports=- icmp=- implicit-deny @network-acls-111111111111.json:27:17
  out 100 allow all 0.0.0.0/0 ports=- icmp=- user @network-acls-111111111111.json:6:17
  out 32767 deny all 0.0.0.0/0 ports=- icmp=- implicit-deny @network-acls-111111111111.json:13:17
nacl 111111111111/acl-0123456789abcdef2 [111111111111/acl-0123456789abcdef2 (bastion)] vpc=111111111111/vpc-0123456789abcdef0 default=false subnets=[111111111111/subnet-0123456789abcdef1] @network-acls-111111111111.json:41:9
  in 100 allow tcp 0.0.0.0/0 ports=22/22 icmp=- user @network-acls-111111111111.json:68:17
  in 32767 deny all 0.0.0.0/0 ports=- icmp=- implicit-deny @network-acls-111111111111.json:79:17
  out 100 allow tcp 0.0.0.0/0 ports=1024/65535 icmp=- user @network-acls-111111111111.json:50:17
  out 32767 deny all 0.0.0.0/0 ports=- icmp=- implicit-deny @network-acls-111111111111.json:61:17
nacl 222222222222/acl-0123456789abcdef3 [222222222222/acl-0123456789abcdef3] vpc=222222222222/vpc-0123456789abcdef0 default=true subnets=[] @network-acls-222222222222.json:3:9
  in 100 allow all 0.0.0.0/0 ports=- icmp=- user @network-acls-222222222222.json:20:17
  in 32767 deny all 0.0.0.0/0 ports=- icmp=- implicit-deny @network-acls-222222222222.json:27:17
  out 100 allow all 0.0.0.0/0 ports=- icmp=- user @network-acls-222222222222.json:6:17
  out 32767 deny all 0.0.0.0/0 ports=- icmp=- implicit-deny @network-acls-222222222222.json:13:17
nacl 222222222222/acl-0123456789abcdef2 [222222222222/acl-0123456789abcdef2 (bastion)] vpc=222222222222/vpc-0123456789abcdef0 default=false subnets=[222222222222/subnet-0123456789abcdef1] @network-acls-222222222222.json:41:9
  in 100 allow tcp 10.0.0.0/8 ports=22/22 icmp=- user @network-acls-222222222222.json:68:17
  in 32767 deny all 0.0.0.0/0 ports=- icmp=- implicit-deny @network-acls-222222222222.json:79:17
  out 100 allow tcp 10.0.0.0/8 ports=1024/65535 icmp=- user @network-acls-222222222222.json:50:17
  out 32767 deny all 0.0.0.0/0 ports=- icmp=- implicit-deny @network-acls-222222222222.json:61:17
"#;

const BROKEN: &str = r#"
subnet subnet-0aa1bb2cc3dd4ee57 [subnet-0aa1bb2cc3dd4ee57 (edge-a)] vpc=vpc-0aa1bb2cc3dd4ee59 10.0.0.0/24 ipv6=- nacl=acl-0aa1bb2cc3dd4ee56 @describe-subnets.json:3:9
nacl acl-0aa1bb2cc3dd4ee56 [acl-0aa1bb2cc3dd4ee56 (edge)] vpc=vpc-0aa1bb2cc3dd4ee59 default=false subnets=[subnet-0aa1bb2cc3dd4ee57] @describe-network-acls-shapes.json:3:9
  in 100 allow tcp 0.0.0.0/0 ports=443/443 icmp=- user @describe-network-acls-shapes.json:17:17
  in 110 allow ?(`Protocol` is missing or invalid) 0.0.0.0/0 ports=- icmp=- user @describe-network-acls-shapes.json:28:17
  in ?(`Egress` is missing or invalid) ?(`Egress` is missing or invalid) ?(`Egress` is missing or invalid) ?(`Egress` is missing or invalid) ports=?(`Egress` is missing or invalid) icmp=?(`Egress` is missing or invalid) user @describe-network-acls-shapes.json:51:17
  out 120 ?(`RuleAction` is missing or invalid) all 10.0.0.0/8 ports=- icmp=- user @describe-network-acls-shapes.json:35:17
  out ?(invalid `RuleNumber`) allow udp 10.0.0.0/8 ports=?(`PortRange` is invalid) icmp=- user @describe-network-acls-shapes.json:41:17
  out ?(`Egress` is missing or invalid) ?(`Egress` is missing or invalid) ?(`Egress` is missing or invalid) ?(`Egress` is missing or invalid) ports=?(`Egress` is missing or invalid) icmp=?(`Egress` is missing or invalid) user @describe-network-acls-shapes.json:51:17
"#;

#[test]
fn moto_web_gives_the_exact_model() {
    let out = load("moto_web");
    assert_eq!(problems(&out), Vec::<String>::new());
    assert_eq!(out.files, 5);
    assert!(out.skipped.is_empty() && out.terraform.is_empty());
    let m = only_model(&out);
    assert_eq!(m.name, "fixtures/exports-handmade/moto_web");
    assert_eq!(dump(m), expected(MOTO_WEB));
    // Route tables are read now: nothing is left "recognized but not checked".
    assert_eq!(notes(m), Vec::<String>::new());
}

#[test]
fn moto_web_nacl_rules_report_the_missing_replies_and_nothing_on_default_nacls() {
    let out = load("moto_web");
    let m = only_model(&out);
    // shop-public allows tcp/443 from 0.0.0.0/0 and has no outbound ephemeral rule; the
    // default security groups carry AWS's default rules (SG003). No describe-flow-logs
    // output: flow-log coverage is unknown, so no FLOW001.
    assert_eq!(
        findings(m),
        [
            "NACL001 [acl-721a78703a981b97b (shop-public)] describe-network-acls.json:157:17",
            "SG003 [sg-19040dc533ddfe0b9 (default)] describe-security-groups.json:3:9",
            "SG003 [sg-7f09f260b4a2f66ab (default)] describe-security-groups.json:26:9",
            "SG003 [sg-b5f7814912e9cef3e (default)] describe-security-groups.json:49:9",
        ]
    );
    for n in m.nacls.iter().filter(|n| n.is_default) {
        assert!(
            !findings(m).iter().any(|f| f.contains(&n.key)),
            "finding on default NACL {}",
            n.key
        );
    }
}

#[test]
fn implicit_deny_entries_are_kept_and_never_reported() {
    let out = load("aws_implicit_deny");
    assert_eq!(problems(&out), Vec::<String>::new());
    let m = only_model(&out);
    assert_eq!(dump(m), expected(AWS_IMPLICIT_DENY));
    // IPv4 and IPv6 https from anywhere, no outbound ephemeral: two NACL001; the ICMP echo
    // request has its reply. The default NACL (allow all + 32767/32768) gives nothing.
    assert_eq!(
        findings(m),
        [
            "NACL001 [acl-0a9b8c7d6e5f40321 (web)] describe-network-acls.json:114:17",
            "NACL001 [acl-0a9b8c7d6e5f40321 (web)] describe-network-acls.json:125:17",
        ]
    );
    let implicit = m
        .nacls
        .iter()
        .flat_map(|n| n.inbound.iter().chain(&n.outbound))
        .filter(|e| e.source == EntrySource::ImplicitDeny)
        .count();
    assert_eq!(implicit, 8, "32767 and 32768, both directions, both NACLs");
}

#[test]
fn nacl002_never_reports_implicit_denies_or_default_nacls() {
    for case in [
        "moto_web",
        "moto_pages",
        "aws_implicit_deny",
        "two_owners_same_ids",
        "moto_two_accounts",
    ] {
        let out = load(case);
        for m in &out.models {
            assert_eq!(run_rules(m, &["NACL002"]), Vec::<String>::new(), "{case}");
        }
    }
}

#[test]
fn pages_merge_into_the_same_model_as_one_file() {
    let paged = load("moto_pages");
    let whole = load("moto_web");
    assert_eq!(problems(&paged), Vec::<String>::new());
    let (p, w) = (only_model(&paged), only_model(&whole));
    assert_eq!(dump_without_locations(p), dump_without_locations(w));
    let shop_public = p
        .nacls
        .iter()
        .find(|n| n.key == "acl-721a78703a981b97b")
        .expect("shop-public");
    assert_eq!(
        at(&shop_public.origin.location),
        "describe-network-acls-page-2.json:41:9"
    );
    assert_eq!(
        at(&shop_public.inbound[0].origin.location),
        "describe-network-acls-page-2.json:50:17"
    );
    // The last page has no NextToken: the listing is complete.
    assert_eq!(notes(p), Vec::<String>::new());
    assert_eq!(
        findings(p),
        ["NACL001 [acl-721a78703a981b97b (shop-public)] describe-network-acls-page-2.json:50:17"]
    );
}

#[test]
fn a_page_whose_successor_is_missing_is_noted() {
    let files = in_memory(
        "snapshot",
        &["moto_pages/describe-network-acls-page-1.json"],
    );
    let out = aws::load(&files);
    assert_eq!(problems(&out), Vec::<String>::new());
    let m = only_model(&out);
    assert_eq!(m.name, "snapshot");
    assert_eq!(m.nacls.len(), 2);
    assert_eq!(
        notes(m),
        ["describe-network-acls-page-1.json:111:18 every saved page of `aws ec2 describe-network-acls` output has a NextToken: the last page is missing, so this snapshot may be incomplete"]
    );
}

#[test]
fn the_same_object_in_two_files_is_an_error_naming_both() {
    let out = load("moto_duplicate");
    assert_eq!(
        problems(&out),
        [
            "PARSE002 describe-network-acls.json:3:9 network ACL `acl-4409bc265bc66d4d7` of account 123456789012 is listed twice: first at fixtures/exports-handmade/moto_duplicate/describe-network-acls-page-1.json:3:9; each object may appear in one page or file only",
            "PARSE002 describe-network-acls.json:72:9 network ACL `acl-43b58ee7b21629f24` of account 123456789012 is listed twice: first at fixtures/exports-handmade/moto_duplicate/describe-network-acls-page-1.json:72:9; each object may appear in one page or file only",
        ]
    );
    let m = only_model(&out);
    let mut keys: Vec<&str> = m.nacls.iter().map(|n| n.key.as_str()).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "acl-24af0b3004f231335",
            "acl-43b58ee7b21629f24",
            "acl-4409bc265bc66d4d7",
            "acl-6610525cf42333583",
            "acl-721a78703a981b97b",
        ]
    );
}

#[test]
fn two_real_accounts_are_kept_apart() {
    let out = load("moto_two_accounts");
    assert_eq!(problems(&out), Vec::<String>::new());
    let m = only_model(&out);
    assert_eq!(dump(m), expected(MOTO_TWO_ACCOUNTS));
    assert_eq!(
        findings(m),
        [
            "NACL003 [111111111111/acl-8faaf72c8e7674dd3] network-acls-111111111111.json:50:17",
            "NACL003 [222222222222/acl-e7d300a55bf13ec0e] network-acls-222222222222.json:50:17",
        ]
    );
}

#[test]
fn equal_ids_in_two_accounts_do_not_collide() {
    let out = load("two_owners_same_ids");
    assert_eq!(problems(&out), Vec::<String>::new());
    let m = only_model(&out);
    assert_eq!(dump(m), expected(TWO_OWNERS_SAME_IDS));
    // Only account 1 opens SSH to the internet.
    assert_eq!(
        findings(m),
        ["NACL003 [111111111111/acl-0123456789abcdef2 (bastion)] network-acls-111111111111.json:68:17"]
    );
}

#[test]
fn one_account_keeps_bare_ids() {
    let files = in_memory(
        "one",
        &[
            "two_owners_same_ids/network-acls-111111111111.json",
            "two_owners_same_ids/subnets-111111111111.json",
        ],
    );
    let out = aws::load(&files);
    assert_eq!(problems(&out), Vec::<String>::new());
    let m = only_model(&out);
    let keys: Vec<&str> = m.nacls.iter().map(|n| n.key.as_str()).collect();
    assert_eq!(keys, ["acl-0123456789abcdef3", "acl-0123456789abcdef2"]);
    assert_eq!(m.nacls[1].origin.address, "acl-0123456789abcdef2 (bastion)");
    assert_eq!(
        m.subnets[0].nacl,
        Val::Known("acl-0123456789abcdef2".to_string())
    );
}

#[test]
fn broken_inputs_give_exact_errors_and_the_rest_still_loads() {
    let out = load("broken");
    assert_eq!(out.files, 4);
    assert_eq!(
        problems(&out),
        [
            "PARSE001 describe-network-acls-truncated.json:61:1 invalid JSON: unexpected end of input: expected a string key after `,`",
            "PARSE002 describe-network-acls-shapes.json:13:33 `SubnetId` must be a string, not the number 42",
            "PARSE002 describe-network-acls-shapes.json:31:33 `Protocol` must be a protocol number as a string, such as \"6\" or \"-1\", not the number 6",
            "PARSE002 describe-network-acls-shapes.json:35:17 this network ACL entry has no `RuleAction` (\"allow\" or \"deny\")",
            "PARSE002 describe-network-acls-shapes.json:44:34 this port range has no `To` (a whole number)",
            "PARSE002 describe-network-acls-shapes.json:49:35 `RuleNumber` must be a whole number, not the string \"130\"",
            "PARSE002 describe-network-acls-shapes.json:52:34 `CidrBlock` must be an IPv4 CIDR block such as \"10.0.0.0/16\", not the string \"10.0.0.0/33\"",
            "PARSE002 describe-network-acls-shapes.json:53:31 `Egress` must be `true` or `false`, not the string \"true\"",
            "PARSE002 describe-network-acls-shapes.json:56:35 `RuleNumber` must be from 1 to 32766 (32767 and 32768 are the implicit deny), not 40000",
            "PARSE002 describe-network-acls-shapes.json:58:17 each item of `Entries` must be an object, not the string \"rule 150\"",
            "PARSE002 describe-network-acls-shapes.json:71:9 this network ACL has no `NetworkAclId` (a string)",
            "PARSE002 describe-vpcs-wrong-top.json:2:13 `Vpcs` must be an array of objects (as `aws ec2 describe-vpcs` prints it), not an object",
        ]
    );
    let m = only_model(&out);
    assert_eq!(dump(m), expected(BROKEN));
    // Entries with unknown parts make the rules stay silent, not guess.
    assert_eq!(findings(m), Vec::<String>::new());
}

#[test]
fn json_that_is_not_an_export_is_skipped_or_handed_to_terraform() {
    let out = load("not_exports");
    assert_eq!(problems(&out), Vec::<String>::new());
    assert!(out.models.is_empty());
    assert_eq!(out.files, 0);
    let skipped: Vec<String> = out
        .skipped
        .iter()
        .map(|s| format!("{}: {}", s.path.rsplit('/').next().unwrap_or(""), s.reason))
        .collect();
    assert_eq!(
        skipped,
        [
            "cidrs.json: not an AWS CLI export: the top level is an array, not an object",
            "package.json: no top-level key of an AWS CLI export",
            "policy-list.json: no top-level key of an AWS CLI export",
            "tsconfig.json: not valid JSON (expected a string key or `}`, found `/` at 2:3)",
        ]
    );
    let tf: Vec<(String, TerraformJsonKind, bool)> = out
        .terraform
        .iter()
        .map(|t| {
            let path = t.file.display_path();
            let name = path.rsplit('/').next().unwrap_or("").to_string();
            (name, t.kind, t.root.is_some())
        })
        .collect();
    assert_eq!(
        tf,
        [
            ("main.tf.json".to_string(), TerraformJsonKind::Config, false),
            // Plan and state JSON are parsed by their own loader (no whole-document tree).
            ("plan.json".to_string(), TerraformJsonKind::Plan, false),
            ("state.json".to_string(), TerraformJsonKind::State, false),
            (
                "terraform.tfvars.json".to_string(),
                TerraformJsonKind::Variables,
                false
            ),
        ]
    );
}

#[test]
fn utf16_and_byte_order_marks_are_read() {
    let dir = std::env::temp_dir().join(format!("vpclint-aws-exports-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let read = |f: &str| {
        std::fs::read_to_string(Path::new(ROOT).join("two_owners_same_ids").join(f))
            .expect("fixture")
    };
    // Windows PowerShell 5 `>` writes UTF-16LE with a BOM; many editors add a UTF-8 BOM.
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in read("network-acls-111111111111.json").encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    std::fs::write(dir.join("acls.json"), utf16).expect("write");
    let bom = format!("\u{feff}{}", read("subnets-111111111111.json"));
    std::fs::write(dir.join("subnets.json"), bom).expect("write");
    let out = aws::load_paths(std::slice::from_ref(&dir));
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(problems(&out), Vec::<String>::new());
    let m = only_model(&out);
    assert_eq!(m.nacls.len(), 2);
    assert_eq!(at(&m.subnets[0].origin.location), "subnets.json:3:9");
    assert_eq!(
        m.subnets[0].nacl,
        Val::Known("acl-0123456789abcdef2".to_string())
    );
}

#[test]
fn every_truncation_is_one_syntax_error_where_the_text_stops() {
    let path = Path::new(ROOT).join("moto_web/describe-network-acls.json");
    let text = std::fs::read_to_string(&path).expect("fixture");
    let mut cuts: Vec<usize> = text.match_indices('\n').map(|(i, _)| i + 1).collect();
    cuts.extend((1..text.len()).step_by(7));
    // Until the first key is complete nothing says the file is an export: skipped, not an error.
    let key_end = text.find("\"NetworkAcls\"").expect("key") + "\"NetworkAcls\"".len();
    for cut in cuts {
        if cut >= text.trim_end().len() {
            continue;
        }
        let file = SourceFile::new(PathBuf::from("snap/acls.json"), text[..cut].to_string());
        let out = aws::load(&[file]);
        if cut < key_end {
            assert!(
                out.problems.is_empty() && out.models.is_empty(),
                "cut at {cut}"
            );
            assert_eq!(out.skipped.len(), 1, "cut at {cut}");
            continue;
        }
        assert_eq!(out.problems.len(), 1, "cut at {cut}");
        let p = &out.problems[0];
        assert_eq!(p.code, PARSE_SYNTAX, "cut at {cut}: {}", p.message);
        let loc = p.location.as_ref().expect("location");
        assert!(loc.span.start <= cut, "cut at {cut}");
        assert_eq!(out.models.len(), 1);
        assert!(out.models[0].nacls.is_empty());
    }
}

/// Every path to a value of a JSON document.
fn value_paths(
    v: &serde_json::Value,
    here: &mut Vec<serde_json::Value>,
    out: &mut Vec<Vec<serde_json::Value>>,
) {
    out.push(here.clone());
    match v {
        serde_json::Value::Object(m) => {
            for (k, child) in m {
                here.push(serde_json::Value::String(k.clone()));
                value_paths(child, here, out);
                here.pop();
            }
        }
        serde_json::Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                here.push(serde_json::Value::from(i));
                value_paths(child, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

fn replace_at(v: &mut serde_json::Value, path: &[serde_json::Value], new: serde_json::Value) {
    let Some((first, rest)) = path.split_first() else {
        *v = new;
        return;
    };
    let child = match first {
        serde_json::Value::String(k) => v.get_mut(k.as_str()),
        serde_json::Value::Number(i) => v.get_mut(i.as_u64().unwrap_or(0) as usize),
        _ => None,
    };
    if let Some(c) = child {
        replace_at(c, rest, new);
    }
}

fn arb_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::{json, Value};
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-70000i64..70000).prop_map(Value::from),
        prop::sample::select(vec![
            "6",
            "-1",
            "tcp",
            "allow",
            "deny",
            "0.0.0.0/0",
            "::/0",
            "10.0.0.0/33",
            "",
            "acl-1"
        ])
        .prop_map(|s| Value::String(s.to_string())),
        Just(json!({})),
        Just(json!([])),
        Just(json!([1, "x"])),
        Just(json!({"From": 1})),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any value of a real export replaced by any other: no panic; only PARSE002
    /// problems, each inside the file; every entry still points at a JSON object.
    #[test]
    fn wrong_shapes_anywhere_never_panic(pick in any::<prop::sample::Index>(), new in arb_value()) {
        let path = Path::new(ROOT).join("aws_implicit_deny/describe-network-acls.json");
        let text = std::fs::read_to_string(path).expect("fixture");
        let mut doc: serde_json::Value = serde_json::from_str(&text).expect("valid");
        let mut paths = Vec::new();
        value_paths(&doc, &mut Vec::new(), &mut paths);
        let chosen = paths[pick.index(paths.len())].clone();
        replace_at(&mut doc, &chosen, new);
        let edited = serde_json::to_string_pretty(&doc).expect("serialize");
        let file = SourceFile::new(PathBuf::from("snap/describe-network-acls.json"), edited.clone());
        let out = aws::load(&[file]);
        for p in &out.problems {
            prop_assert_eq!(p.code, PARSE_EVAL, "{}", &p.message);
            let loc = p.location.as_ref().expect("location");
            prop_assert!(loc.span.end <= edited.len());
        }
        for m in &out.models {
            for n in &m.nacls {
                for e in n.inbound.iter().chain(&n.outbound) {
                    let loc = e.origin.location.as_ref().expect("location");
                    let starts_object = edited[loc.span.clone()].starts_with('{');
                    prop_assert!(starts_object, "entry location is not an object");
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The IAM commands about one role or policy (fixtures of generate-moto-iam.sh).

/// The IAM part of a model, one line per entity and policy.
fn iam_dump(m: &Model) -> Vec<String> {
    let doc = |d: &vpclint::model::PolicyDocument| match &d.statements {
        Val::Known(s) => format!(
            "{}[{}]@{}",
            d.origin.address,
            s.len(),
            at(&d.origin.location)
        ),
        Val::Unknown(r) => format!("{}[?({r})]", d.origin.address),
    };
    let mut out = Vec::new();
    for e in &m.iam_entities {
        let attached: Vec<String> = e
            .attached
            .iter()
            .map(|a| match &a.policy {
                Val::Known(p) => format!("{p:?}@{}", at(&a.origin.location)),
                Val::Unknown(r) => format!("?({r})"),
            })
            .collect();
        out.push(format!(
            "{:?} {} [{}] trust={} inline=[{}] attached=[{}] complete={} @{}",
            e.kind,
            e.key,
            e.origin.address,
            e.trust.as_ref().map(doc).unwrap_or_else(|| "-".into()),
            e.inline.iter().map(doc).collect::<Vec<_>>().join(", "),
            attached.join(", "),
            e.permissions_incomplete.is_none(),
            at(&e.origin.location)
        ));
    }
    for p in &m.managed_policies {
        out.push(format!(
            "policy {} name={} {} @{}",
            p.key,
            val(&p.name),
            doc(&p.document),
            at(&p.origin.location)
        ));
    }
    out
}

/// The one model of a snapshot that loads without problems.
fn clean_model(out: &ExportInput) -> &Model {
    assert_eq!(problems(out), Vec::<String>::new());
    only_model(out)
}

/// Findings and notes of a model, to compare at once.
fn verdict(m: &Model) -> (Vec<String>, Vec<String>) {
    (findings(m), notes(m))
}

const ROLE_BROAD: &str = "flow-broad (arn:aws:iam::123456789012:role/flow-broad)";
const ROLE_LACKING: &str = "flow-put-missing (arn:aws:iam::123456789012:role/flow-put-missing)";
const EXTRA: &str = "arn:aws:iam::123456789012:policy/flow-extra";
const FLOW005_LACKING: &str = "FLOW005 [fl-20cdfdab0d3f65f19] describe-flow-logs.json:5:41";

#[test]
fn per_role_outputs_give_one_role_with_all_its_policies() {
    let out = load("moto_iam_single");
    let m = clean_model(&out);
    assert_eq!(
        iam_dump(m),
        [
            format!("Role arn:aws:iam::123456789012:role/flow-broad [{ROLE_BROAD}] trust={ROLE_BROAD}[1]@get-role.json:8:37 inline=[flow-broad:broad[1]@get-role-policy-broad.json:4:23, flow-broad:deliver[1]@get-role-policy-deliver.json:4:23] attached=[Customer(\"{EXTRA}\")@list-attached-role-policies.json:3:9] complete=true @get-role.json:2:13"),
            format!("policy {EXTRA} name=flow-extra {EXTRA}[1]@get-policy-version.json:3:21 @get-policy.json:2:15"),
        ]
    );
    // The role may deliver (no FLOW005), and does far more: its `logs:*` statement is
    // IAM006's (one statement, one finding), not IAM002's too.
    assert_eq!(
        findings(m),
        [
            format!("IAM004 [{EXTRA}] get-policy-version.json:6:17"),
            format!("IAM006 [{ROLE_BROAD}] get-role.json:2:13"),
            format!("IAM007 [{ROLE_BROAD}] get-role.json:11:17"),
        ]
    );
    assert_eq!(notes(m), Vec::<String>::new());
}

#[test]
fn a_role_whose_policies_are_all_known_may_lack_put_log_events() {
    let out = load("moto_iam_single_lacking");
    let m = clean_model(&out);
    assert_eq!(verdict(m), (vec![FLOW005_LACKING.to_string()], vec![]));
}

#[test]
fn a_role_known_only_from_get_role_is_judged_by_its_trust_policy_only() {
    let out = load("moto_iam_get_role_only");
    let m = clean_model(&out);
    assert_eq!(
        iam_dump(m),
        [format!("Role arn:aws:iam::123456789012:role/flow-put-missing [{ROLE_LACKING}] trust={ROLE_LACKING}[1]@get-role.json:8:37 inline=[] attached=[] complete=false @get-role.json:2:13")]
    );
    // Same flow log and role as moto_iam_single_lacking: without the role's policies,
    // nothing is said about what it may not do.
    assert_eq!(
        verdict(m),
        (vec![], vec!["get-role.json:2:13 not every policy of role `flow-put-missing` is in this snapshot; missing: `aws iam list-role-policies --role-name flow-put-missing`, `aws iam list-attached-role-policies --role-name flow-put-missing`: what the role may do is not judged, only what its known policies grant".to_string()])
    );

    // The listings without the inline policy they name: still unknown.
    let lacking = |f: &str| format!("moto_iam_single_lacking/{f}");
    let mut files: Vec<String> = [
        "get-role.json",
        "describe-flow-logs.json",
        "describe-log-groups.json",
        "list-role-policies.json",
        "list-attached-role-policies.json",
    ]
    .iter()
    .map(|f| lacking(f))
    .collect();
    let refs: Vec<&str> = files.iter().map(String::as_str).collect();
    let out = aws::load(&in_memory("snap", &refs));
    let m = only_model(&out);
    assert_eq!(
        verdict(m),
        (vec![], vec!["get-role.json:2:13 not every policy of role `flow-put-missing` is in this snapshot; missing: `aws iam get-role-policy --role-name flow-put-missing --policy-name create-only`: what the role may do is not judged, only what its known policies grant".to_string()])
    );
    // With it, the permissions are known and FLOW005 speaks.
    files.push(lacking("get-role-policy-create-only.json"));
    let refs: Vec<&str> = files.iter().map(String::as_str).collect();
    let out = aws::load(&in_memory("snap", &refs));
    let m = only_model(&out);
    assert_eq!(verdict(m), (vec![FLOW005_LACKING.to_string()], vec![]));
}

#[test]
fn a_listing_without_its_last_page_leaves_the_permissions_unknown() {
    let out = load("moto_iam_pages");
    let m = clean_model(&out);
    assert_eq!(
        iam_dump(m),
        [format!("Role arn:aws:iam::123456789012:role/flow-broad [{ROLE_BROAD}] trust={ROLE_BROAD}[1]@get-role.json:8:37 inline=[flow-broad:broad[1]@get-role-policy-broad.json:4:23, flow-broad:deliver[1]@get-role-policy-deliver.json:4:23] attached=[Other(\"{EXTRA}\")@list-attached-role-policies.json:3:9] complete=false @get-role.json:2:13")]
    );
    // What is known to be broad is still reported.
    assert_eq!(
        findings(m),
        [
            format!("IAM006 [{ROLE_BROAD}] get-role.json:2:13"),
            format!("IAM007 [{ROLE_BROAD}] get-role.json:11:17"),
        ]
    );
    assert_eq!(
        notes(m),
        [
            "list-role-policies-page-1.json:5:18 every saved page of `aws iam list-role-policies` output has a NextToken: the last page is missing, so this snapshot may be incomplete",
            "get-role.json:2:13 not every policy of role `flow-broad` is in this snapshot; missing: the last page of `aws iam list-role-policies --role-name flow-broad`: what the role may do is not judged, only what its known policies grant",
        ]
    );
}

#[test]
fn authorization_details_win_over_per_role_outputs_of_the_same_role() {
    let out = load("moto_iam_with_details");
    let m = clean_model(&out);
    let roles: Vec<&str> = m.iam_entities.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(
        roles,
        [
            "arn:aws:iam::123456789012:role/flow-broad",
            "arn:aws:iam::123456789012:role/flow-put-missing"
        ]
    );
    assert!(m
        .iam_entities
        .iter()
        .all(|e| e.permissions_incomplete.is_none()));
    let policies: Vec<&str> = m.managed_policies.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(policies, [EXTRA]);
    // The same findings as moto_iam_single, once each, at the authorization details.
    assert_eq!(
        findings(m),
        [
            format!("IAM004 [{EXTRA}] get-account-authorization-details.json:126:29"),
            format!("IAM006 [{ROLE_BROAD}] get-account-authorization-details.json:5:9"),
            format!("IAM007 [{ROLE_BROAD}] get-account-authorization-details.json:14:21"),
        ]
    );
    let details = "`aws iam get-account-authorization-details` in this snapshot lists";
    let unlinked = "names no role, and this snapshot holds 2 roles: it is read only in a snapshot of exactly one role (and no user or group), so it is not read";
    assert_eq!(
        notes(m),
        [
            format!("get-policy.json:2:15 this `aws iam get-policy` output is not read: {details} policy `{EXTRA}` with its documents"),
            format!("get-policy-version.json:2:22 this `aws iam get-policy-version` output is not read: {details} policy `{EXTRA}` with its documents"),
            format!("get-role.json:2:13 this `aws iam get-role` output is not read: {details} role `flow-broad` with all its policies"),
            format!("get-role-policy-broad.json:1:1 this `aws iam get-role-policy` output is not read: {details} role `flow-broad` with all its policies"),
            format!("list-role-policies.json:1:1 this `aws iam list-role-policies` output {unlinked}"),
            format!("list-attached-role-policies.json:1:1 this `aws iam list-attached-role-policies` output {unlinked}"),
        ]
    );
}

#[test]
fn listings_that_name_no_role_are_not_given_to_one_of_two_roles() {
    let files = in_memory_as(
        "snap",
        &[
            ("moto_iam_single/get-role.json", "get-role-broad.json"),
            (
                "moto_iam_single_lacking/get-role.json",
                "get-role-put-missing.json",
            ),
            (
                "moto_iam_single_lacking/describe-flow-logs.json",
                "describe-flow-logs.json",
            ),
            (
                "moto_iam_single_lacking/describe-log-groups.json",
                "describe-log-groups.json",
            ),
            (
                "moto_iam_single_lacking/list-role-policies.json",
                "list-role-policies.json",
            ),
            (
                "moto_iam_single_lacking/get-role-policy-create-only.json",
                "get-role-policy-create-only.json",
            ),
            (
                "moto_iam_single_lacking/list-attached-role-policies.json",
                "list-attached-role-policies.json",
            ),
        ],
    );
    let out = aws::load(&files);
    let m = clean_model(&out);
    assert!(m
        .iam_entities
        .iter()
        .all(|e| e.permissions_incomplete.is_some()));
    // flow-put-missing still lacks PutLogEvents, but nothing says its policies are all there.
    assert_eq!(
        findings(m),
        [format!("IAM007 [{ROLE_BROAD}] get-role-broad.json:11:17")]
    );
    let unlinked = "names no role, and this snapshot holds 2 roles: it is read only in a snapshot of exactly one role (and no user or group), so it is not read";
    let n = notes(m);
    assert_eq!(
        n[..2],
        [
            format!("list-role-policies.json:1:1 this `aws iam list-role-policies` output {unlinked}"),
            format!("list-attached-role-policies.json:1:1 this `aws iam list-attached-role-policies` output {unlinked}"),
        ]
    );
    assert_eq!(n.len(), 4, "{n:#?}");
}

#[test]
fn a_policy_version_that_names_no_policy_is_judged_on_its_own() {
    let out = aws::load(&in_memory(
        "snap",
        &["moto_iam_single/get-policy-version.json"],
    ));
    let m = clean_model(&out);
    assert_eq!(
        findings(m),
        ["IAM004 [PolicyVersion v1 in snap/get-policy-version.json] get-policy-version.json:6:17"]
    );
    assert_eq!(
        notes(m),
        ["get-policy-version.json:2:22 this `aws iam get-policy-version` output names no policy, and it is not the default version of the only `aws iam get-policy` output of this snapshot: its statements are judged on their own as `PolicyVersion v1 in snap/get-policy-version.json`, not as part of any role"]
    );
    // Next to its `get-policy`, it is that policy's document.
    let out = aws::load(&in_memory(
        "snap",
        &[
            "moto_iam_single/get-policy-version.json",
            "moto_iam_single/get-policy.json",
        ],
    ));
    let m = only_model(&out);
    assert_eq!(
        findings(m),
        [format!("IAM004 [{EXTRA}] get-policy-version.json:6:17")]
    );
    assert_eq!(notes(m), Vec::<String>::new());
}

#[test]
fn broken_iam_outputs_give_exact_errors() {
    let out = load("broken_iam");
    assert_eq!(out.files, 7);
    assert_eq!(
        problems(&out),
        [
            "PARSE001 get-policy-version-truncated.json:9:1 invalid JSON: unexpected end of input: expected a string key after `,`",
            "PARSE002 get-policy.json:2:15 this managed policy (`aws iam get-policy`) has no `Arn` (a string)",
            "PARSE002 get-role-policy.json:2:17 `RoleName` must be a string, not the number 42",
            "PARSE002 get-role.json:2:13 `Role` must be an object (as `aws iam get-role` prints it), not an array",
            "PARSE002 get-user-policy.json:4:23 the policy document is not JSON (after URL decoding): unexpected end of input: expected a string key or `}`",
            "PARSE002 list-attached-role-policies.json:3:9 this attached policy has no `PolicyArn` (a string)",
            "PARSE002 list-role-policies.json:4:9 `PolicyNames` must be a list of strings, not the number 7",
        ]
    );
    let m = only_model(&out);
    assert_eq!(
        iam_dump(m),
        ["User user/alice [alice] trust=- inline=[alice:encoded[?(the policy document is not JSON)]] attached=[] complete=false @get-user-policy.json:1:1"]
    );
    assert_eq!(findings(m), Vec::<String>::new());
}

#[test]
fn single_object_outputs_are_recognized_only_by_their_exact_keys() {
    let cases: [(&str, bool); 10] = [
        (
            r#"{"Role": {"RoleName": "r", "Arn": "arn:aws:iam::1:role/r", "AssumeRolePolicyDocument": {}}}"#,
            true,
        ),
        (
            r#"{"Role": {"RoleName": "r"}, "Description": "a role"}"#,
            false,
        ),
        (
            r#"{"RoleName": "r", "PolicyName": "p", "PolicyDocument": {}}"#,
            true,
        ),
        (r#"{"RoleName": "r", "PolicyName": "p"}"#, false),
        (
            r#"{"RoleName": "r", "PolicyName": "p", "PolicyDocument": {}, "Owner": "x"}"#,
            false,
        ),
        (r#"{"PolicyNames": [], "NextToken": "abc"}"#, true),
        (
            r#"{"Policy": {"Arn": "arn:aws:iam::1:policy/p"}, "NextToken": "abc"}"#,
            false,
        ),
        (r#"{"PolicyVersion": {"Document": {}}}"#, true),
        (
            r#"{"AttachedPolicies": [], "Marker": "m", "IsTruncated": true}"#,
            true,
        ),
        (r#"{"Policy": "allow", "Effect": "Allow"}"#, false),
    ];
    for (text, export) in cases {
        let file = SourceFile::new(PathBuf::from("snap/x.json"), text.to_string());
        let out = aws::load(&[file]);
        assert_eq!(out.files == 1, export, "{text}");
        assert_eq!(out.skipped.len() == 1, !export, "{text}");
    }
}

#[test]
fn every_truncation_of_get_role_is_one_syntax_error() {
    let text = std::fs::read_to_string(Path::new(ROOT).join("moto_iam_single/get-role.json"))
        .expect("fixture");
    let key_end = text.find("\"Role\"").expect("key") + "\"Role\"".len();
    for cut in 1..text.trim_end().len() {
        let file = SourceFile::new(PathBuf::from("snap/r.json"), text[..cut].to_string());
        let out = aws::load(&[file]);
        if cut < key_end {
            assert_eq!(out.skipped.len(), 1, "cut at {cut}");
            continue;
        }
        assert_eq!(out.problems.len(), 1, "cut at {cut}");
        assert_eq!(out.problems[0].code, PARSE_SYNTAX, "cut at {cut}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any value of a real per-role output replaced by any other, in a whole snapshot: no
    /// panic, only PARSE002 problems, and the rules run.
    #[test]
    fn wrong_shapes_in_iam_outputs_never_panic(
        which in 0usize..7,
        pick in any::<prop::sample::Index>(),
        new in arb_value(),
    ) {
        let names = [
            "get-role.json",
            "get-role-policy-broad.json",
            "get-role-policy-deliver.json",
            "list-role-policies.json",
            "list-attached-role-policies.json",
            "get-policy.json",
            "get-policy-version.json",
        ];
        let mut files = Vec::new();
        for (i, name) in names.iter().chain(&["describe-flow-logs.json", "describe-log-groups.json"]).enumerate() {
            let text = std::fs::read_to_string(Path::new(ROOT).join("moto_iam_single").join(name)).expect("fixture");
            let text = if i == which {
                let mut doc: serde_json::Value = serde_json::from_str(&text).expect("valid");
                let mut paths = Vec::new();
                value_paths(&doc, &mut Vec::new(), &mut paths);
                let chosen = paths[pick.index(paths.len())].clone();
                replace_at(&mut doc, &chosen, new.clone());
                serde_json::to_string_pretty(&doc).expect("serialize")
            } else {
                text
            };
            files.push(SourceFile::new(PathBuf::from("snap").join(name), text));
        }
        let out = aws::load(&files);
        for p in &out.problems {
            prop_assert_eq!(p.code, PARSE_EVAL, "{}", &p.message);
        }
        for m in &out.models {
            let _ = findings(m);
        }
    }
}

// ---------------------------------------------------------------------------
// Route tables, internet gateways, NAT gateways

/// The routing part of a model, one line per object or route.
fn routing_dump(m: &Model) -> Vec<String> {
    use vpclint::model::{RouteDestination, RouteState, RouteTarget};
    let mut out = Vec::new();
    for t in &m.route_tables {
        let subnets: Vec<String> = t.subnets.iter().map(val).collect();
        out.push(format!(
            "table {} vpc={} main={} subnets=[{}] incomplete={} @{}",
            t.key,
            val(&t.vpc),
            t.is_main,
            subnets.join(","),
            t.incomplete.as_deref().unwrap_or("-"),
            at(&t.origin.location)
        ));
        for r in &t.routes {
            let destination = match &r.destination {
                RouteDestination::Cidr(c) => val(c),
                RouteDestination::PrefixList(p) => format!("pl:{}", val(p)),
            };
            let target = match &r.target {
                RouteTarget::Local => "local".to_string(),
                RouteTarget::Unknown(why) => format!("?({why})"),
                t => format!("{} {}", t.kind(), t.id().map(val).unwrap_or_default()),
            };
            let state = match &r.state {
                Val::Known(RouteState::Active) => "active".to_string(),
                Val::Known(RouteState::Blackhole) => "blackhole".to_string(),
                Val::Unknown(why) => format!("?({why})"),
            };
            out.push(format!(
                "  {destination} -> {target} {state} @{}",
                at(&r.origin.location)
            ));
        }
    }
    for g in &m.internet_gateways {
        let vpc = g.vpc.as_ref().map(val).unwrap_or_else(|| "detached".into());
        out.push(format!(
            "igw {} vpc={vpc} @{}",
            g.key,
            at(&g.origin.location)
        ));
    }
    for n in &m.nat_gateways {
        out.push(format!(
            "nat {} subnet={} public={} state={} @{}",
            n.key,
            val(&n.subnet),
            n.connectivity == Val::Known(vpclint::model::NatConnectivity::Public),
            n.state.as_deref().unwrap_or("-"),
            at(&n.origin.location)
        ));
    }
    for s in &m.subnets {
        out.push(format!(
            "subnet {} route_table={}",
            s.key,
            val(&s.route_table)
        ));
    }
    out
}

const AWS_ROUTE_BLACKHOLE: &str = r#"
table rtb-459e9bdf838508520 vpc=vpc-094443c4e5d0c80c6 main=true subnets=[] incomplete=- @describe-route-tables.json:3:9
  10.9.0.0/16 -> local active @describe-route-tables.json:16:17
table rtb-bfd20238de27238f6 vpc=vpc-094443c4e5d0c80c6 main=false subnets=[] incomplete=- @describe-route-tables.json:27:9
  10.9.0.0/16 -> local active @describe-route-tables.json:31:17
  0.0.0.0/0 -> NAT gateway nat-410a04a364393928f blackhole @describe-route-tables.json:37:17
  192.168.0.0/16 -> internet gateway igw-93f36506e1104b2ef blackhole @describe-route-tables.json:43:17
subnet subnet-136105578530c3fd4 route_table=rtb-459e9bdf838508520
"#;

#[test]
fn blackhole_routes_are_route002_at_each_route_and_deleted_nat_gateways_are_gone() {
    let out = load("aws_route_blackhole");
    assert_eq!(problems(&out), Vec::<String>::new());
    let m = only_model(&out);
    assert_eq!(routing_dump(m), expected(AWS_ROUTE_BLACKHOLE));
    assert_eq!(notes(m), Vec::<String>::new());
    assert_eq!(
        run_rules(m, &["ROUTE001", "ROUTE002"]),
        [
            "ROUTE002 [rtb-bfd20238de27238f6] describe-route-tables.json:37:17",
            "ROUTE002 [rtb-bfd20238de27238f6] describe-route-tables.json:43:17",
        ]
    );
}

/// The route table file of `aws_route_blackhole` with `edit` applied, in memory.
fn edited_route_tables(edit: &dyn Fn(&mut serde_json::Value)) -> String {
    let text = std::fs::read_to_string(
        Path::new(ROOT).join("aws_route_blackhole/describe-route-tables.json"),
    )
    .expect("fixture");
    let mut doc: serde_json::Value = serde_json::from_str(&text).expect("valid");
    edit(&mut doc);
    serde_json::to_string_pretty(&doc).expect("serialize")
}

#[test]
fn wrong_route_table_shapes_are_parse002_at_the_value_and_make_routes_unknown() {
    use serde_json::json;
    let text = edited_route_tables(&|doc| {
        let t = &mut doc["RouteTables"][1];
        t["Routes"][1]["DestinationCidrBlock"] = json!(10);
        t["Routes"][2]["State"] = json!(5);
        t["Associations"] = json!([{"Main": "true", "SubnetId": 7}]);
        doc["RouteTables"][0]["Routes"] = json!({"DestinationCidrBlock": "10.9.0.0/16"});
    });
    let file = SourceFile::new(PathBuf::from("snap/describe-route-tables.json"), text);
    let out = aws::load(&[file]);
    assert_eq!(
        problems(&out),
        [
            "PARSE002 describe-route-tables.json:15:17 `Routes` must be an array of route objects, not an object",
            "PARSE002 describe-route-tables.json:25:19 `Main` must be `true` or `false`, not the string \"true\"",
            "PARSE002 describe-route-tables.json:26:23 `SubnetId` must be a string, not the number 7",
            "PARSE002 describe-route-tables.json:38:35 `DestinationCidrBlock` must be an IPv4 CIDR block such as \"10.0.0.0/16\", not the number 10",
            "PARSE002 describe-route-tables.json:47:20 `State` must be a string, not the number 5",
        ]
    );
    let m = only_model(&out);
    let dump = routing_dump(m);
    assert!(
        dump[0].contains("incomplete=`Routes` could not be read"),
        "{dump:?}"
    );
    assert!(
        dump.iter()
            .any(|l| l.contains("?(invalid destination) -> NAT gateway")),
        "{dump:?}"
    );
    assert!(
        dump.iter()
            .any(|l| l.contains("internet gateway igw-93f36506e1104b2ef ?(`State` is invalid)")),
        "{dump:?}"
    );
    // Nothing is concluded from what could not be read.
    assert_eq!(run_rules(m, &["ROUTE001"]), Vec::<String>::new());
}

#[test]
fn a_route_table_in_two_files_is_an_error_naming_both() {
    let text = edited_route_tables(&|_| {});
    let files = vec![
        SourceFile::new(
            PathBuf::from("snap/describe-route-tables.json"),
            text.clone(),
        ),
        SourceFile::new(PathBuf::from("snap/route-tables-again.json"), text),
    ];
    let out = aws::load(&files);
    let p = problems(&out);
    assert_eq!(
        p,
        [
            "PARSE002 route-tables-again.json:27:5 route table `rtb-bfd20238de27238f6` of account 123456789012 is listed twice: first at snap/describe-route-tables.json:27:5; each object may appear in one page or file only",
            "PARSE002 route-tables-again.json:3:5 route table `rtb-459e9bdf838508520` of account 123456789012 is listed twice: first at snap/describe-route-tables.json:3:5; each object may appear in one page or file only",
        ]
    );
    // Each table is in the model once.
    assert_eq!(only_model(&out).route_tables.len(), 2);
}

#[test]
fn nat_and_internet_gateway_shapes_are_checked() {
    let nat = r#"{
    "NatGateways": [
        {"NatGatewayId": "nat-1", "SubnetId": "subnet-1", "State": "available", "ConnectivityType": 7},
        {"NatGatewayId": "nat-2", "State": "available"},
        {"NatGatewayId": "nat-3", "SubnetId": "subnet-1", "State": "failed"}
    ]
}"#;
    let igw = r#"{
    "InternetGateways": [
        {"InternetGatewayId": "igw-1", "Attachments": "vpc-1"},
        {"InternetGatewayId": "igw-2", "Attachments": [{"State": "detached", "VpcId": "vpc-1"}]},
        {"InternetGatewayId": "igw-3", "Attachments": [{"State": "available", "VpcId": "vpc-1"}]}
    ]
}"#;
    let files = vec![
        SourceFile::new(PathBuf::from("snap/nat.json"), nat.to_string()),
        SourceFile::new(PathBuf::from("snap/igw.json"), igw.to_string()),
    ];
    let out = aws::load(&files);
    assert_eq!(
        problems(&out),
        [
            "PARSE002 igw.json:3:55 `Attachments` must be an array of attachment objects, not the string \"vpc-1\"",
            "PARSE002 nat.json:3:101 `ConnectivityType` must be a string, not the number 7",
            "PARSE002 nat.json:4:9 this NAT gateway has no `SubnetId` (a string)",
        ]
    );
    assert_eq!(
        routing_dump(only_model(&out)),
        [
            "igw igw-1 vpc=?(`Attachments` is invalid) @igw.json:3:9",
            "igw igw-2 vpc=detached @igw.json:4:9",
            "igw igw-3 vpc=vpc-1 @igw.json:5:9",
            "nat nat-1 subnet=subnet-1 public=false state=available @nat.json:3:9",
            "nat nat-2 subnet=?(`SubnetId` is missing or invalid) public=true state=available @nat.json:4:9",
        ]
    );
}
