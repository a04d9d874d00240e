//! Reading fields of export objects with the exact EC2 API shapes, reporting
//! each wrong shape once (PARSE002) at the value or the object that lacks it.

use crate::diag::{Problem, PARSE_EVAL};
use crate::ingest::json_spans::Node;
use crate::source::{Location, SourceFile};
use ipnet::IpNet;
use std::ops::Range;
use std::sync::Arc;

/// A field that may be absent, well-formed, or wrong (already reported).
#[derive(Clone, Debug, PartialEq)]
pub enum Field<T> {
    /// Not in the object (or `null`).
    Absent,
    /// Present with the expected shape.
    Ok(T),
    /// Present with a wrong shape; a problem was reported.
    Bad,
}

impl<T> Field<T> {
    /// The value, if well-formed.
    pub fn ok(self) -> Option<T> {
        match self {
            Field::Ok(v) => Some(v),
            _ => None,
        }
    }
}

/// Reads the objects of one export file and collects its problems.
pub struct Reader<'a> {
    /// The file being read.
    pub file: &'a Arc<SourceFile>,
    /// Problems found so far.
    pub problems: &'a mut Vec<Problem>,
}

impl Reader<'_> {
    /// The location of a span of this file.
    pub fn loc(&self, span: &Range<usize>) -> Location {
        Location::new(self.file, span.clone())
    }

    /// Reports a PARSE002 at a span.
    pub fn problem(&mut self, span: &Range<usize>, message: String) {
        let loc = self.loc(span);
        self.problems.push(Problem::at(PARSE_EVAL, message, loc));
    }

    /// Reports a value of the wrong shape.
    pub fn wrong(&mut self, value: &Node, field: &str, expected: &str) {
        self.problem(
            &value.span,
            format!("`{field}` must be {expected}, not {}", value.describe()),
        );
    }

    /// Reports a required field that the object lacks (at the object's first line).
    pub fn missing(&mut self, object: &Node, field: &str, item: &str, expected: &str) {
        let loc = self.loc(&object.span).first_line();
        self.problems.push(Problem::at(
            PARSE_EVAL,
            format!("this {item} has no `{field}` ({expected})"),
            loc,
        ));
    }

    /// A field converted by `conv` (`None`: wrong shape, reported as "must be `expected`").
    pub fn field<'n, T>(
        &mut self,
        object: &'n Node,
        field: &str,
        expected: &str,
        conv: impl FnOnce(&'n Node) -> Option<T>,
    ) -> Field<T> {
        match object.get(field) {
            None => Field::Absent,
            Some(v) if matches!(v.kind, crate::ingest::json_spans::Kind::Null) => Field::Absent,
            Some(v) => match conv(v) {
                Some(t) => Field::Ok(t),
                None => {
                    self.wrong(v, field, expected);
                    Field::Bad
                }
            },
        }
    }

    /// A field that must be there: absent is reported as missing.
    pub fn required<'n, T>(
        &mut self,
        object: &'n Node,
        item: &str,
        field: &str,
        expected: &str,
        conv: impl FnOnce(&'n Node) -> Option<T>,
    ) -> Option<T> {
        match self.field(object, field, expected, conv) {
            Field::Ok(t) => Some(t),
            Field::Bad => None,
            Field::Absent => {
                self.missing(object, field, item, expected);
                None
            }
        }
    }

    /// A required string.
    pub fn required_str(&mut self, object: &Node, item: &str, field: &str) -> Option<String> {
        self.required(object, item, field, "a string", |v| {
            v.as_str().map(str::to_string)
        })
    }

    /// The required `VpcId` of an object (Unknown when missing or malformed, reported).
    pub fn required_vpc(&mut self, object: &Node, item: &str) -> crate::model::Val<String> {
        match self.required_str(object, item, "VpcId") {
            Some(v) => crate::model::Val::Known(v),
            None => crate::model::Val::Unknown("`VpcId` is missing or invalid".into()),
        }
    }

    /// An optional string.
    pub fn optional_str(&mut self, object: &Node, field: &str) -> Field<String> {
        self.field(object, field, "a string", |v| {
            v.as_str().map(str::to_string)
        })
    }

    /// An optional bool.
    pub fn optional_bool(&mut self, object: &Node, field: &str) -> Field<bool> {
        self.field(object, field, "`true` or `false`", Node::as_bool)
    }

    /// An optional whole number.
    pub fn optional_int(&mut self, object: &Node, field: &str) -> Field<i64> {
        self.field(object, field, "a whole number", Node::as_i64)
    }

    /// An optional array; its items are checked by the caller.
    pub fn optional_array<'n>(
        &mut self,
        object: &'n Node,
        field: &str,
        of: &str,
    ) -> Field<&'n [Node]> {
        match object.get(field) {
            None => Field::Absent,
            Some(v) if matches!(v.kind, crate::ingest::json_spans::Kind::Null) => Field::Absent,
            Some(v) => match v.as_array() {
                Some(items) => Field::Ok(items),
                None => {
                    self.wrong(v, field, &format!("an array of {of}"));
                    Field::Bad
                }
            },
        }
    }

    /// The items of an array that are objects; others are reported.
    pub fn objects<'n>(&mut self, items: &'n [Node], field: &str) -> Vec<&'n Node> {
        items
            .iter()
            .filter_map(|i| self.object_item(i, field))
            .collect()
    }

    /// The item of an array if it is an object; otherwise it is reported.
    pub fn object_item<'n>(&mut self, item: &'n Node, field: &str) -> Option<&'n Node> {
        if item.as_object().is_some() {
            return Some(item);
        }
        self.problem(
            &item.span,
            format!(
                "each item of `{field}` must be an object, not {}",
                item.describe()
            ),
        );
        None
    }

    /// An optional CIDR block of one family (`v6`: IPv6), normalized to its network.
    pub fn optional_cidr(&mut self, object: &Node, field: &str, v6: bool) -> Field<IpNet> {
        let expected = if v6 {
            "an IPv6 CIDR block such as \"2001:db8::/56\""
        } else {
            "an IPv4 CIDR block such as \"10.0.0.0/16\""
        };
        self.field(object, field, expected, |v| {
            let net = v.as_str()?.trim().parse::<IpNet>().ok()?;
            (matches!(net, IpNet::V6(_)) == v6).then(|| net.trunc())
        })
    }

    /// An optional CIDR block of either family (prefix list entries).
    pub fn optional_cidr_any(&mut self, object: &Node, field: &str) -> Field<IpNet> {
        self.field(
            object,
            field,
            "a CIDR block such as \"10.0.0.0/16\"",
            cidr_of,
        )
    }

    /// The `Name` tag of an object's tag list (`Tags`; network interfaces: `TagSet`).
    pub fn name_tag(&mut self, object: &Node, list: &str) -> Option<String> {
        let Field::Ok(tags) = self.optional_array(object, list, "{\"Key\", \"Value\"} objects")
        else {
            return None;
        };
        let mut name = None;
        for tag in self.objects(tags, list) {
            let key = self.required_str(tag, "tag", "Key");
            let value = self.optional_str(tag, "Value");
            if key.as_deref() == Some("Name") {
                if let Field::Ok(v) = value {
                    name = Some(v);
                }
            }
        }
        name.filter(|n| !n.is_empty())
    }

    /// The IPv6 blocks in use of `Ipv6CidrBlockAssociationSet`: those whose state is
    /// `associated` or `associating` (or that have no state).
    pub fn ipv6_blocks(&mut self, object: &Node) -> Field<Vec<IpNet>> {
        let field = "Ipv6CidrBlockAssociationSet";
        let items = match self.optional_array(object, field, "IPv6 CIDR block associations") {
            Field::Ok(items) => items,
            Field::Absent => return Field::Absent,
            Field::Bad => return Field::Bad,
        };
        let mut blocks = Vec::new();
        let mut bad = false;
        for a in self.objects(items, field) {
            let state = a
                .get("Ipv6CidrBlockState")
                .and_then(|s| s.get("State"))
                .and_then(Node::as_str);
            let in_use = matches!(state, None | Some("associated" | "associating"));
            match self.optional_cidr(a, "Ipv6CidrBlock", true) {
                Field::Ok(net) if in_use => blocks.push(net),
                Field::Bad => bad = true,
                _ => {}
            }
        }
        if bad {
            Field::Bad
        } else {
            Field::Ok(blocks)
        }
    }
}

/// A JSON string holding a CIDR block of either family, truncated to its network.
pub fn cidr_of(v: &Node) -> Option<IpNet> {
    v.as_str()?.trim().parse::<IpNet>().ok().map(|n| n.trunc())
}
