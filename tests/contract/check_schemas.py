#!/usr/bin/env python3
"""The JSON Schemas of docs/schemas/ (docs/FORMATS.md) against the code.

1. Each schema agrees with its table in proto/wire.h (printed by proto_dump):
   the same members, the same integer ranges and string lengths, the same
   required members, the same event kinds. A schema edited alone, or a table
   changed without its schema, fails here.
2. What both sides produce validates: the device's bodies, the collector's
   answers and refusals, the provisioning record, and an enrollment record
   written by a real `sparkflash provision --enroll-out`.
3. Each schema refuses a value one past its table's limit (so it is not
   vacuous).

usage: check_schemas.py PROTO_DUMP SPARKFLASH SCHEMA_DIR
"""
import copy
import json
import os
import subprocess
import sys
import tempfile

import jsonschema

failures = 0


def check(label, ok, detail=""):
    global failures
    print(("ok   " if ok else "FAIL ") + label + ("" if ok else ": " + detail))
    if not ok:
        failures += 1


def load(schema_dir, name):
    with open(os.path.join(schema_dir, name + ".schema.json"), encoding="utf-8") as f:
        s = json.load(f)
    jsonschema.Draft202012Validator.check_schema(s)
    return s


def agree(label, props, required, table, kinds, extra_required=()):
    """props/required of a schema object against a table's fields."""
    names = {f["name"] for f in table}
    for f in table:
        p = props.get(f["name"])
        if p is None:
            check(f"{label}.{f['name']}: in the schema", False, "missing")
            continue
        if f["type"] == "integer":
            ok = p.get("type") == "integer" and p.get("minimum") == f["min"] and \
                p.get("maximum") == f["max"]
            check(f"{label}.{f['name']}: integer {f['min']}..{f['max']}", ok,
                  f"schema says {p.get('type')} {p.get('minimum')}..{p.get('maximum')}")
        elif f["type"] == "string":
            ok = p.get("type") == "string" and p.get("minLength") == f["min"] and \
                p.get("maxLength") == f["max"]
            check(f"{label}.{f['name']}: string of {f['min']}..{f['max']}", ok,
                  f"schema says {p.get('minLength')}..{p.get('maxLength')}")
        elif f["type"] == "kind":
            check(f"{label}.{f['name']}: the event kinds", p.get("enum") == kinds,
                  f"schema says {p.get('enum')}")
        want_req = not f["optional"]
        check(f"{label}.{f['name']}: required={want_req}", (f["name"] in required) == want_req)
    extra = set(props) - names - {"id"} - set(extra_required)
    check(f"{label}: no member the table lacks", not extra, str(sorted(extra)))


def main():
    dump, sparkflash, schema_dir = sys.argv[1:4]
    d = json.loads(subprocess.run([dump], check=True, capture_output=True, text=True).stdout)
    t = d["tables"]
    kinds = t["kinds"]
    s = {n: load(schema_dir, n) for n in ["usage-body", "events-body", "prov-report", "ack",
                                          "licence", "error", "provisioning-record",
                                          "enrollment-record"]}

    # 1. schemas agree with the tables
    for name, arr, table in [("usage-body", "records", "usage"), ("events-body", "events", "event")]:
        sch = s[name]
        agree(name, sch["properties"], sch["required"], t["batch"], kinds, (arr,))
        check(f"{name}: '{arr}' required", arr in sch["required"])
        a = sch["properties"][arr]
        check(f"{name}.{arr}: 1..{d['limits']['batch']} items",
              a["minItems"] == 1 and a["maxItems"] == d["limits"]["batch"])
        items = a["items"]
        agree(f"{name}.{arr}[]", items["properties"], items["required"], t[table], kinds)
        idp = items["properties"]["id"]
        check(f"{name}.{arr}[].id: 1..{d['limits']['id']}, required",
              idp["minimum"] == 1 and idp["maximum"] == d["limits"]["id"] and
              "id" in items["required"])
    agree("prov-report", s["prov-report"]["properties"], s["prov-report"]["required"],
          t["prov_report"], kinds)
    agree("licence", s["licence"]["properties"], s["licence"]["required"], t["licence"], kinds)

    # 2. what both sides produce validates
    for smp in d["samples"]:
        body = json.loads(smp["body"])
        errs = list(jsonschema.Draft202012Validator(s[smp["schema"]]).iter_errors(body))
        check(f"{smp['from']}'s {smp['schema']} body validates", not errs,
              "; ".join(e.message for e in errs[:3]))
        check(f"{smp['from']}'s {smp['schema']} body within {d['limits']['body']} bytes",
              len(smp["body"]) <= d["limits"]["body"])
    with tempfile.TemporaryDirectory() as tmp:
        img, enr, key = (os.path.join(tmp, n) for n in ("dev.img", "enroll.json", "lic.pem"))
        subprocess.run([sparkflash, "keygen", "--out", key], check=True, capture_output=True)
        r = subprocess.run([sparkflash, "provision", "--image", img, "--create", "--serial",
                            "FOC2240Y1ZZ", "--model", "Spark Room Kit", "--trial", "D1000001",
                            "--server", "coaps://127.0.0.1:5684", "--licence-pubkey",
                            key + ".pub", "--region", "US", "--locale", "en", "--keep-devices",
                            "--enroll-out", enr], capture_output=True, text=True)
        check("sparkflash provision --enroll-out", r.returncode == 0, r.stderr)
        if r.returncode == 0:
            with open(enr, encoding="utf-8") as f:
                body = json.load(f)
            errs = list(jsonschema.Draft202012Validator(s["enrollment-record"]).iter_errors(body))
            check("sparkflash's enrollment-record validates", not errs,
                  "; ".join(e.message for e in errs[:3]))

    # 3. one past a limit is refused by the schema
    usage = next(json.loads(x["body"]) for x in d["samples"]
                 if x["schema"] == "usage-body" and '"gen"' in x["body"])
    for f in t["usage"]:
        bad = copy.deepcopy(usage)
        bad["records"][0][f["name"]] = f["max"] + 1
        check(f"usage-body refuses {f['name']} = max + 1",
              not jsonschema.Draft202012Validator(s["usage-body"]).is_valid(bad))
    ev = next(json.loads(x["body"]) for x in d["samples"] if x["schema"] == "events-body")
    bad = copy.deepcopy(ev)
    bad["events"][0]["detail"] = "x" * (d["limits"]["detail"] + 1)
    check("events-body refuses a detail one byte too long",
          not jsonschema.Draft202012Validator(s["events-body"]).is_valid(bad))
    bad["events"][0]["detail"] = ""
    bad["events"][0]["kind"] = "no_such_kind"
    check("events-body refuses an unknown kind",
          not jsonschema.Draft202012Validator(s["events-body"]).is_valid(bad))

    print(f"check_schemas: {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
