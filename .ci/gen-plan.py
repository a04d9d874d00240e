#!/usr/bin/env python3
"""Writes a large Terraform plan JSON (`terraform show -json` of a saved plan) for benchmarks.

Usage: gen-plan.py SIZE_MB OUT.json

The plan is built from real plans, not from invented shapes: every scenario in TEMPLATES has a
plan.json and a state.json in fixtures/plans/ that real Terraform wrote after applying the
scenario to moto. Each scenario becomes a local module (`./modules/<scenario>`) that the root
module calls with `for_each` under several call names, as an estate's root module calls its
network modules; the scenario's root variables become the call's arguments, its own module
calls become nested ones. Per module instance the generator copies the scenario's
planned_values, resource_changes and relevant_attributes with every address put under the
instance (`module.nacl_module_for_each_007["env-0003"].module.tier["web"]...`), and, for every
other instance, the scenario's state as prior_state (an estate where part exists already).
The configuration section holds each module once, as Terraform writes it, whatever the count
of instances. Instances are added until the file (one line, as Terraform writes it) reaches SIZE_MB.
"""

import json
import os
import sys

TEMPLATES = [
    "nacl_module_for_each",
    "sg_module_count_for_each",
    "reach_three_tier",
    "nacl_three_tier_clean",
    "nacl_standalone_rules",
    "sg_rule_resources",
    "sg_inline_blocks",
    "flow_subnets_count_for_each",
    "flow_subnet_coverage_one_missing",
    "route_module_count_main_table",
]
INSTANCES_PER_CALL = 16


def compact(value):
    """JSON as `terraform show -json` writes it: one line, no spaces."""
    return json.dumps(value, separators=(",", ":"))


def load_templates(root):
    out = []
    for name in TEMPLATES:
        base = os.path.join(root, "fixtures", "plans", name)
        with open(os.path.join(base, "plan.json")) as f:
            plan = json.load(f)
        with open(os.path.join(base, "state.json")) as f:
            state = json.load(f)
        # A rough size of one instance, to know when to stop.
        one = len(compact(plan["planned_values"]))
        one += len(compact(plan.get("resource_changes", [])))
        one += len(compact(state.get("values", {}))) // 2
        out.append((name, plan, state, one))
    return out


def rebase_module(module, prefix):
    """A planned_values / values module put under the module instance `prefix`."""
    out = {}
    if "resources" in module:
        out["resources"] = [dict(r, address=f"{prefix}.{r['address']}") for r in module["resources"]]
    address = module.get("address")
    out["address"] = f"{prefix}.{address}" if address else prefix
    if "child_modules" in module:
        out["child_modules"] = [rebase_module(c, prefix) for c in module["child_modules"]]
    return out


def rebase_change(change, prefix):
    c = dict(change)
    c["address"] = f"{prefix}.{change['address']}"
    inner = change.get("module_address")
    c["module_address"] = f"{prefix}.{inner}" if inner else prefix
    # Keep Terraform's key order: module_address follows address.
    order = ["address", "module_address"] + [k for k in change if k not in ("address", "module_address")]
    return {k: c[k] for k in order if k in c}


def module_call(name, plan):
    """The root module's call of the scenario's module, with for_each, as Terraform records it."""
    root = plan["configuration"]["root_module"]
    module = {k: v for k, v in root.items()}
    variables = plan.get("variables", {})
    expressions = {k: {"constant_value": v["value"]} for k, v in sorted(variables.items()) if "value" in v}
    return {
        "source": f"./modules/{name}",
        "expressions": expressions,
        "for_each_expression": {"references": [f"var.{name}_instances"]},
        "module": module,
    }


def build(templates, target):
    """The plan document with instances added until the estimated size reaches `target` bytes."""
    first = templates[0][1]

    child_modules = []
    prior_modules = []
    changes = []
    relevant = []
    calls = {}
    variables = {}
    size = 0
    call = 0
    while size < target:
        for name, plan, state, one in templates:
            if size >= target:
                break
            call_name = f"{name}_{call:03d}"
            calls[call_name] = module_call(name, plan)
            keys = []
            for i in range(INSTANCES_PER_CALL):
                if size >= target:
                    break
                key = f"env-{i:04d}"
                keys.append(key)
                prefix = f'module.{call_name}["{key}"]'
                child_modules.append(rebase_module(plan["planned_values"]["root_module"], prefix))
                changes.extend(rebase_change(c, prefix) for c in plan.get("resource_changes", []))
                for a in plan.get("relevant_attributes", []):
                    relevant.append(dict(a, resource=f"{prefix}.{a['resource']}"))
                if i % 2 == 1 and "root_module" in state.get("values", {}):
                    prior_modules.append(rebase_module(state["values"]["root_module"], prefix))
                size += one
            variables[f"{name}_instances"] = {"value": {k: {} for k in keys}}
        call += 1

    document = {
        "format_version": first["format_version"],
        "terraform_version": first["terraform_version"],
        "variables": variables,
        "planned_values": {"root_module": {"child_modules": child_modules}},
        "resource_changes": changes,
        "prior_state": {
            "format_version": first["format_version"],
            "terraform_version": first["terraform_version"],
            "values": {"root_module": {"child_modules": prior_modules}},
        },
        "configuration": {
            "provider_config": first["configuration"]["provider_config"],
            "root_module": {
                "module_calls": calls,
                "variables": {n: {} for n in sorted(variables)},
            },
        },
        "relevant_attributes": relevant,
        "timestamp": first.get("timestamp", "2026-01-01T00:00:00Z"),
        "applyable": True,
        "complete": True,
        "errored": False,
    }
    return document, len(changes), len(child_modules), len(calls)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gen-plan.py SIZE_MB OUT.json")
    target = int(float(sys.argv[1]) * 1e6)
    out_path = sys.argv[2]
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    templates = load_templates(repo)
    # The per-instance estimate misses the call-level parts: measure a small plan once and
    # scale the target by what it missed.
    probe, *_ = build(templates, 1_000_000)
    scale = len(compact(probe)) / 1_000_000
    document, changes, child_modules, calls = build(templates, int(target / scale))
    with open(out_path, "w") as f:
        f.write(compact(document))
        f.write("\n")
    print(
        f"{out_path}: {os.path.getsize(out_path) / 1e6:.1f} MB, {changes} resources,"
        f" {child_modules} module instances of {calls} module calls"
    )


if __name__ == "__main__":
    main()
