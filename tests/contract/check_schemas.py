#!/usr/bin/env python3
"""The JSON Schemas of docs/schemas/ (docs/FORMATS.md) against the code.

1. Each schema agrees with its table in proto/wire.h and proto/provisioning.h
   (printed by proto_dump): the same members, the same integer ranges and
   string lengths, the same required members, the same event kinds; for the
   provisioning and enrollment records, each member's schema takes the
   table's values at its limits and refuses those one past. A schema edited
   alone, or a table changed without its schema, fails here.
2. What both sides produce validates: the device's bodies, the collector's
   answers and refusals, the provisioning and enrollment records, and an
   enrollment record written by a real `sparkflash provision --enroll-out`
   with every field at its maximum, which a real `spark-collector admin
   enroll --from` takes and shows back.
3. Each schema refuses a value one past its table's limit (so it is not
   vacuous), and so do both programs: sparkflash refuses each option one past
   its field's limit and spark-collector each enrollment file member, naming
   it.
4. docs/FORMATS.md's byte layouts (firmware image header, boot record) are
   the tables the packer and parser are made of.

usage: check_schemas.py PROTO_DUMP SPARKFLASH SPARK_COLLECTOR SCHEMA_DIR FORMATS_MD
"""
import copy
import json
import os
import re
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


def agree_values(label, sch, table):
    """A record's schema against a table with values at and past its limits:
    the same members, required as the table says, and each member's schema
    taking the values at the limits and refusing those past them."""
    props, required = sch["properties"], sch.get("required", [])
    names = [f["name"] for f in table]
    check(f"{label}: the table's members", sorted(props) == sorted(names),
          f"schema {sorted(props)}, table {sorted(names)}")
    for f in table:
        p = props.get(f["name"])
        if p is None:
            continue
        want_req = not f["optional"]
        check(f"{label}.{f['name']}: required={want_req}", (f["name"] in required) == want_req)
        v = jsonschema.Draft202012Validator(p)
        for k in ("min_value", "max_value"):
            if f[k] is not None:
                check(f"{label}.{f['name']}: takes {k} {str(f[k])[:24]}", v.is_valid(f[k]))
        for k in ("below_min", "above_max"):
            if f[k] is not None:
                check(f"{label}.{f['name']}: refuses {k} {str(f[k])[:24]}", not v.is_valid(f[k]))


def flag(name):
    return name.replace("_", "-")


def run(*args):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=60)


def programs(d, s, sparkflash, collector, tmp):
    """sparkflash writes a record with every field at its maximum, the
    collector takes it; each refuses one past each limit, naming it."""
    prov = {f["name"]: f for f in d["tables"]["provisioning"]}
    enr_t = d["tables"]["enrollment"]
    key, img, enr, db = (os.path.join(tmp, n) for n in ("lic.pem", "max.img", "max.json", "c.db"))
    run(sparkflash, "keygen", "--out", key)
    helptext = run(sparkflash, "provision", "--help").stdout
    options = {n: f for n, f in prov.items() if re.search(rf"--{flag(n)}\b", helptext)}
    check("sparkflash provision: an option per field", len(options) >= 10, str(sorted(options)))
    # every option at its field's maximum (the key: a real one; the locale:
    # one the screens have, and as long as any)
    args = [sparkflash, "provision", "--image", img, "--create", "--enroll-out", enr,
            "--keep-devices"]
    for n, f in options.items():
        args += [f"--{flag(n)}", key + ".pub" if n == "licence_pubkey" else f["max_value"]]
    r = run(*args)
    check("sparkflash provision with every field at its maximum", r.returncode == 0, r.stderr)
    if r.returncode == 0:
        shown = json.loads(run(sparkflash, "show", "--image", img, "--json").stdout)["provisioning"]
        for n, f in options.items():
            if not f["secret"] and n != "licence_pubkey":
                check(f"sparkflash show --json: {n} as given", shown.get(n) == f["max_value"],
                      f"{shown.get(n)!r}")
        with open(enr, encoding="utf-8") as fh:
            body = json.load(fh)
        errs = list(jsonschema.Draft202012Validator(s["enrollment-record"]).iter_errors(body))
        check("sparkflash's longest enrollment-record validates", not errs,
              "; ".join(e.message for e in errs[:3]))
        r = run(collector, "admin", "--db", db, "enroll", "--from", enr)
        check("spark-collector enroll --from sparkflash's longest record", r.returncode == 0,
              r.stderr)
        r = run(collector, "admin", "--db", db, "show", "--serial", body["serial"], "--json")
        got = json.loads(r.stdout) if r.returncode == 0 else {}
        for f in enr_t:
            if not f["secret"]:
                check(f"spark-collector show: {f['name']} as enrolled",
                      got.get(f["name"]) == body.get(f["name"]),
                      f"{got.get(f['name'])!r} != {body.get(f['name'])!r}")
    # one past each limit: sparkflash refuses the option, naming it
    for n, f in options.items():
        for k in ("below_min", "above_max"):
            if f[k] is None:
                continue
            value = f[k]
            if n == "licence_pubkey":  # the option names a file holding it
                value = os.path.join(tmp, "past.pem")
                with open(value, "w", encoding="utf-8") as fh:
                    fh.write(f[k])
            a = list(args)
            a[a.index(f"--{flag(n)}") + 1] = str(value)
            a[a.index(img)] = os.path.join(tmp, "past.img")
            a[a.index(enr)] = os.path.join(tmp, "past.json")
            r = run(*a)
            check(f"sparkflash refuses --{flag(n)} {k}",
                  r.returncode == 1 and f"{flag(n)}:" in r.stderr, r.stderr.strip()[:200])
    # ... and the collector each enrollment member, naming it
    samples = [json.loads(x["body"]) for x in d["samples"] if x["schema"] == "enrollment-record"]
    for i, smp in enumerate(samples):
        path = os.path.join(tmp, f"limit{i}.json")
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(smp, fh)
        r = run(collector, "admin", "--db", db, "enroll", "--from", path)
        check(f"spark-collector takes the enrollment record at its {('min', 'max')[i]}",
              r.returncode == 0, r.stderr)
    for f in enr_t:
        for k in ("below_min", "above_max"):
            if f[k] is None:
                continue
            bad = copy.deepcopy(samples[-1])
            bad[f["name"]] = f[k]
            path = os.path.join(tmp, "past.json")
            with open(path, "w", encoding="utf-8") as fh:
                json.dump(bad, fh)
            r = run(collector, "admin", "--db", db, "enroll", "--from", path)
            check(f"spark-collector refuses {f['name']} {k}",
                  r.returncode == 1 and f"{f['name']}:" in r.stderr, r.stderr.strip()[:200])


def layouts(d, formats_md):
    """docs/FORMATS.md's layout tables: | offset | size | field | ... | rows
    under a heading naming the layout, equal to the descriptor tables."""
    with open(formats_md, encoding="utf-8") as fh:
        text = fh.read()
    for name, lay in d["layouts"].items():
        m = re.search(rf"<!-- layout {name} -->(.*?)<!-- /layout -->", text, re.S)
        check(f"docs/FORMATS.md has the {name} layout", m is not None)
        if m is None:
            continue
        rows = [[c.strip(" `") for c in line.strip().strip("|").split("|")]
                for line in m.group(1).splitlines() if re.match(r"\s*\|\s*\d", line)]
        doc = [(int(r[0]), int(r[1]), r[2]) for r in rows]
        want = [(f["at"], f["size"], f["name"]) for f in lay["fields"]]
        check(f"docs/FORMATS.md {name}: offsets, sizes, names as the table", doc == want,
              f"doc {doc} table {want}")
        end = 0
        for f in lay["fields"]:
            check(f"{name}.{f['name']} starts where the one before ends", f["at"] == end)
            end = f["at"] + f["size"]
        check(f"{name}: the fields cover its {lay['len']} bytes", end == lay["len"])


INSTANT = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"


def agree_support(label, obj, table):
    """An object of support-state.schema.json against its proto/support.h table:
    types (null where the table allows it), ranges, lengths, the words of
    the enumerated members, instants, required members, nothing more."""
    props, required = obj["properties"], obj["required"]
    for f in table:
        p, name = props.get(f["name"]), f"{label}.{f['name']}"
        if p is None:
            check(f"{name}: in the schema", False, "missing")
            continue
        null = ["null"] if f["nullable"] else []
        if f["type"] == "boolean":
            check(f"{name}: boolean", p.get("type") == "boolean", str(p))
        elif f["type"] == "integer":
            want = ["integer"] + null if null else "integer"
            check(f"{name}: integer {f['min']}..{f['max']}{' or null' if null else ''}",
                  p.get("type") == want and p.get("minimum") == f["min"] and
                  p.get("maximum") == f["max"], str(p))
        elif "words" in f:
            want = f["words"] + ([None] if null else [])
            check(f"{name}: one of {want}", p.get("enum") == want, str(p.get("enum")))
        else:
            want = ["string"] + null if null else "string"
            ok = p.get("type") == want and p.get("minLength") == f["min"] and \
                p.get("maxLength") == f["max"]
            if f["instant"]:
                ok = ok and p.get("pattern") == INSTANT
            check(f"{name}: string of {f['min']}..{f['max']}{' or null' if null else ''}"
                  f"{' (an instant)' if f['instant'] else ''}", ok, str(p))
        check(f"{name}: required={not f['optional']}", (f["name"] in required) != f["optional"])
    extra = set(props) - {f["name"] for f in table} - {"services"}
    check(f"{label}: no member the table lacks", not extra, str(sorted(extra)))


def check_support(d, sch):
    """Issue 12: the room's state document (GET /support/state)."""
    t = d["support"]
    agree_support("support-state", sch, t["state"])
    svc = sch["properties"]["services"]
    check("support-state.services: required, at most "
          f"{t['services_max']}", "services" in sch["required"] and
          svc.get("maxItems") == t["services_max"])
    agree_support("support-state.services[]", svc["items"], t["service"])
    check("support-state: an instant's pattern refuses a local time",
          not jsonschema.Draft202012Validator(
              {"type": "string", "pattern": INSTANT}).is_valid("2026-12-01T09:00:00+01:00"))
    docs = [json.loads(x["body"]) for x in d["samples"] if x["schema"] == "support-state"]
    check("support-state: the device made samples with and without a licence",
          len(docs) >= 2 and any(x["valid"] for x in docs) and not all(x["valid"] for x in docs))
    v = jsonschema.Draft202012Validator(sch)
    base = next(x for x in docs if x["valid"] and x["services"])
    for f in t["state"]:
        bad = copy.deepcopy(base)
        if f["type"] == "integer":
            bad[f["name"]] = f["max"] + 1
            what = "max + 1"
        elif "words" in f:
            bad[f["name"]] = "bogus"
            what = "an unknown word"
        elif f["type"] == "string":
            bad[f["name"]] = "x" * (f["max"] + 1)
            what = "one character too long"
        else:
            bad[f["name"]] = None
            what = "null"
        check(f"support-state refuses {f['name']} = {what}", not v.is_valid(bad))
        if not f["nullable"] and f["type"] != "boolean":
            bad[f["name"]] = None
            check(f"support-state refuses {f['name']} = null", not v.is_valid(bad))
    bad = copy.deepcopy(base)
    bad["services"] = base["services"] * (t["services_max"] // len(base["services"]) + 1)
    check(f"support-state refuses {len(bad['services'])} services", not v.is_valid(bad))
    check(f"support-state: the largest sample is within {t['body_max']} bytes",
          max(len(x["body"]) for x in d["samples"] if x["schema"] == "support-state") <=
          t["body_max"])


def main():
    dump, sparkflash, collector, schema_dir, formats_md = sys.argv[1:6]
    d = json.loads(subprocess.run([dump], check=True, capture_output=True, text=True).stdout)
    t = d["tables"]
    kinds = t["kinds"]
    s = {n: load(schema_dir, n) for n in ["usage-body", "events-body", "prov-report", "ack",
                                          "licence", "error", "provisioning-record",
                                          "enrollment-record", "support-state"]}

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
    agree_values("provisioning-record", s["provisioning-record"], t["provisioning"])
    agree_values("enrollment-record", s["enrollment-record"], t["enrollment"])

    # 2. what both sides produce validates
    for smp in d["samples"]:
        body = json.loads(smp["body"])
        errs = list(jsonschema.Draft202012Validator(s[smp["schema"]]).iter_errors(body))
        check(f"{smp['from']}'s {smp['schema']} body validates", not errs,
              "; ".join(e.message for e in errs[:3]))
        check(f"{smp['from']}'s {smp['schema']} body within {d['limits']['body']} bytes",
              len(smp["body"]) <= d["limits"]["body"])
    # 2, 3: the programs themselves
    with tempfile.TemporaryDirectory() as tmp:
        programs(d, s, sparkflash, collector, tmp)

    # 4. the byte layouts in docs/FORMATS.md
    layouts(d, formats_md)

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

    check_support(d, s["support-state"])

    print(f"check_schemas: {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
