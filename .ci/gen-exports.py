#!/usr/bin/env python3
"""Grows the real AWS CLI exports of fixtures/exports/* into one large snapshot.

Usage: .ci/gen-exports.py OUT_DIR MEGABYTES

The templates are the objects of every scenario's export files (the aws CLI's
output against moto, see fixtures/exports/README.md), one file per command as the
CLI prints it (`--output json`: four-space indent). Each copy of a scenario gets
fresh ids (the hex of `vpc-...`, `sg-...`, `acl-...` ... and the IAM unique ids),
fresh IAM names and log group names, consistently across files, so references
(subnet -> VPC, association -> NACL, interface -> groups, flow log -> role) stay
intact, and scenarios never share an id (moto's default VPC). Every region is written as us-east-1 so
the directory is one snapshot. Copies are added until the files reach the size.
"""

import hashlib
import json
import os
import re
import shutil
import sys
import tempfile

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "exports")

# File -> its top-level list keys.
FILES = {
    "describe-vpcs.json": ["Vpcs"],
    "describe-subnets.json": ["Subnets"],
    "describe-network-acls.json": ["NetworkAcls"],
    "describe-security-groups.json": ["SecurityGroups"],
    "describe-route-tables.json": ["RouteTables"],
    "describe-network-interfaces.json": ["NetworkInterfaces"],
    "describe-instances.json": ["Reservations"],
    "describe-flow-logs.json": ["FlowLogs"],
    "describe-internet-gateways.json": ["InternetGateways"],
    "describe-nat-gateways.json": ["NatGateways"],
    "describe-managed-prefix-lists.json": ["PrefixLists"],
    "describe-log-groups.json": ["logGroups"],
    "get-account-authorization-details.json": [
        "UserDetailList", "GroupDetailList", "RoleDetailList", "Policies",
    ],
}

EC2_ID = re.compile(
    r"\b(vpc|subnet|acl|aclassoc|sg|sgr|rtb|rtbassoc|eni|eni-attach|i|r|igw|nat|fl|pl"
    r"|eipalloc|eipassoc|vol|ami|vpc-cidr-assoc|subnet-cidr-assoc)-([0-9a-f]{8,17})\b"
)
IAM_ID = re.compile(r"\b(AROA|AIDA|AGPA|ANPA|AIPA)([A-Z0-9]{16,17})\b")
REGION = re.compile(
    r"\b(us|eu|ap|sa|ca|me|af|il|mx)-(north|south|east|west|central|northeast|northwest"
    r"|southeast|southwest)-[0-9](?![0-9])"
)


def templates():
    """Per scenario: per file, per list key, the scenario's objects."""
    out = []
    for scenario in sorted(os.listdir(FIXTURES)):
        d = os.path.join(FIXTURES, scenario)
        if not os.path.isdir(d):
            continue
        files = {}
        for name, keys in FILES.items():
            p = os.path.join(d, name)
            doc = {}
            if os.path.exists(p):
                with open(p) as f:
                    doc = json.load(f)
            files[name] = {k: doc.get(k, []) for k in keys}
        out.append(files)
    return out


def names(tpl):
    """IAM and log group names, which must differ per copy."""
    iam, groups = set(), set()
    for files in tpl:
        auth = files["get-account-authorization-details.json"]
        for k, field in (("UserDetailList", "UserName"), ("GroupDetailList", "GroupName"),
                         ("RoleDetailList", "RoleName"), ("Policies", "PolicyName")):
            for o in auth[k]:
                # Managed policies carry their name only in the ARN.
                iam.add(o.get(field) or o["Arn"].rsplit("/", 1)[-1])
        for o in files["describe-log-groups.json"]["logGroups"]:
            groups.add(o["logGroupName"])
    return iam, groups


def render(obj):
    """One list item as the aws CLI prints it, indented for its place in the list."""
    text = json.dumps(obj, indent=4)
    return "\n".join("        " + line for line in text.split("\n"))


class Renamer:
    """Fresh ids and names for copy `u` of a scenario, the same in every file."""

    def __init__(self, iam_names, group_names):
        alt = lambda ns: "|".join(re.escape(n) for n in sorted(ns, key=len, reverse=True))
        # role/NAME, policy/NAME in ARNs and the bare "NAME" values.
        self.iam_re = re.compile(r'(?<=[/"])(' + alt(iam_names) + r')(?=")') if iam_names else None
        # log-group:NAME in ARNs and "logGroupName": "NAME".
        self.group_re = re.compile(r'(?<=[:"])(' + alt(group_names) + r')(?=[":])') if group_names else None
        # Short ids (8 hex digits, prefix lists) could collide: those drawn are kept.
        self.short = set()
        self.u = 0
        self.cache = {}

    def start(self, u):
        self.u = u
        self.cache = {}

    def _fresh(self, h, upper):
        if h in self.cache:
            return self.cache[h]
        attempt = 0
        while True:
            d = hashlib.sha1(f"{self.u}:{h}:{attempt}".encode()).hexdigest()[: len(h)]
            d = d.upper() if upper else d
            if len(h) > 12 or d not in self.short:
                break
            attempt += 1
        if len(h) <= 12:
            self.short.add(d)
        self.cache[h] = d
        return d

    def rewrite(self, text):
        text = EC2_ID.sub(lambda m: m.group(1) + "-" + self._fresh(m.group(2), False), text)
        text = IAM_ID.sub(lambda m: m.group(1) + self._fresh(m.group(2), True), text)
        if self.iam_re:
            text = self.iam_re.sub(lambda m: f"{m.group(1)}-{self.u}", text)
        if self.group_re:
            text = self.group_re.sub(lambda m: f"{m.group(1)}-{self.u}", text)
        return text


def main():
    out_dir, megabytes = sys.argv[1], float(sys.argv[2])
    target = int(megabytes * 1_000_000)
    tpl = templates()
    renamer = Renamer(*names(tpl))
    # Each scenario's items, rendered once; copies rewrite the text.
    rendered = [
        {name: {k: [REGION.sub("us-east-1", render(o)) for o in objs] for k, objs in lists.items()}
         for name, lists in files.items()}
        for files in tpl
    ]
    unit = sum(len(t) + 2 for files in rendered for lists in files.values()
               for items in lists.values() for t in items)
    copies = max(1, -(-target // unit))
    os.makedirs(out_dir, exist_ok=True)
    outs = {name: open(os.path.join(out_dir, name), "w") for name in FILES}
    first = {(name, k): True for name, keys in FILES.items() for k in keys}
    side = {(name, k): tempfile.TemporaryFile("w+") for name, keys in FILES.items() if len(keys) > 1 for k in keys}
    for name, keys in FILES.items():
        outs[name].write("{\n" + f'    "{keys[0]}": [')
    # Copy by copy, scenario by scenario: every file gets this scenario's objects.
    for c in range(copies):
        for si, files in enumerate(rendered):
            renamer.start(c * len(rendered) + si)
            for name, lists in files.items():
                keys = FILES[name]
                for k, items in lists.items():
                    for t in items:
                        text = renamer.rewrite(t)
                        sep = "\n" if first[(name, k)] else ",\n"
                        first[(name, k)] = False
                        # Files with several lists (IAM) gather each list aside first.
                        (outs[name] if len(keys) == 1 else side[(name, k)]).write(sep + text)
    for name, keys in FILES.items():
        f = outs[name]
        for n, k in enumerate(keys):
            if n:
                f.write(f'    "{k}": [')
            if len(keys) > 1:
                side[(name, k)].seek(0)
                shutil.copyfileobj(side[(name, k)], f)
            f.write("]" if first[(name, k)] else "\n    ]")
            f.write(",\n" if n + 1 < len(keys) else "\n}\n")
        f.close()
    total = sum(os.path.getsize(os.path.join(out_dir, n)) for n in FILES)
    print(f"{out_dir}: {len(FILES)} files, {total / 1e6:.1f} MB, {copies} copies of {len(rendered)} scenarios")


if __name__ == "__main__":
    main()
