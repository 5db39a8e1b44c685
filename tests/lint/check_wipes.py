#!/usr/bin/env python3
"""Secrets are wiped with fw_zeroize(), never with a memset the compiler may drop.

Fails (exit 1, one line per place) on a memset(X, 0, ...) where X is named like
a secret (key, psk, secret, pem, password, seed, private) and X is not read
again before the next free() or return or the end of the function: a dead
store, which an optimising compiler is allowed to remove, leaving the secret
in memory. fw_zeroize() (fw/zeroize.h) cannot be removed.

    check_wipes.py ROOT [DIR...]     (default DIRs: firmware hal boards tools bench tests)
    check_wipes.py --self-test       the checker on examples that must and must not fail
"""
import os
import re
import sys

SECRET = re.compile(r"(?i)(key|psk|secret|pem|passw|seed|priv)")
MEMSET = re.compile(
    r"\bmemset\s*\(\s*&?\s*"
    r"(?P<expr>[A-Za-z_]\w*(?:\s*(?:\.|->)\s*[A-Za-z_]\w*|\[[^\]]*\])*)"
    r"\s*,\s*(?:0|'\\0')\s*,")
STOP = re.compile(r"\b(free|return)\b")


def strip(text):
    """Comments and string/char literals blanked out, line structure kept."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            if c == "'":
                out.append(text[i:j])  # a character literal: kept ('\\0' is a zero)
            else:
                out.append(c + " " * max(0, j - i - 2) + (c if j - i >= 2 else ""))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def last_name(expr):
    names = re.findall(r"[A-Za-z_]\w*", re.sub(r"\[[^\]]*\]", "", expr))
    return names[-1] if names else ""


def check_text(text):
    """[(line, expr)] of the dead memset wipes of secrets in C source `text`."""
    code = strip(text)
    found = []
    for m in MEMSET.finditer(code):
        expr = re.sub(r"\s+", "", m.group("expr"))
        if not SECRET.search(last_name(expr)):
            continue
        # The rest of the statement, then everything up to the next free /
        # return at any depth, or the end of the function (depth 0).
        end = code.find(";", m.end())
        if end < 0:
            continue
        depth = code.count("{", 0, m.start()) - code.count("}", 0, m.start())
        pos, region = end + 1, []
        while pos < len(code):
            nl = code.find("\n", pos)
            nl = len(code) if nl < 0 else nl
            line = code[pos:nl]
            depth += line.count("{") - line.count("}")
            region.append(line)
            if STOP.search(line) or depth <= 0:
                break
            pos = nl + 1
        body = "\n".join(region)
        body = re.sub(r"\bfree\s*\(\s*&?\s*" + re.escape(expr) + r"\s*\)", "", body)
        pattern = r"(?<![\w.>])" + re.escape(expr).replace(r"\-\>", r"\s*->\s*") + r"(?![\w])"
        if not re.search(pattern, body):
            found.append((code.count("\n", 0, m.start()) + 1, expr))
    return found


def self_test():
    bad = {
        "free": "void f(char *key) { g(key); memset(key, 0, 32); free(key); }",
        "return": "int f(void) { char psk[16]; g(psk); memset(psk, 0, sizeof psk); return 0; }",
        "end": "void f(void) { unsigned char seed[8]; g(seed); memset(seed, 0, 8);\n}",
        "member": "void f(d_t *d) { g(d); memset(d->psk, 0, sizeof d->psk);\n free(d); }",
        "address": "void f(void) { key_t key; g(&key); memset(&key, 0, sizeof key); }",
        "field-after": "int f(void) { dev_t d; g(&d); memset(d.psk, 0, 64);\n"
                       " if (x) { h(d.psk_identity); return 1; }\n return 0; }",
        "pem": "void f(void) { char pem[100]; g(pem); memset(pem, '\\0', sizeof pem); }",
    }
    good = {
        "init": "void f(void) { cfg_t psk; memset(&psk, 0, sizeof psk); psk.v = 1; g(&psk); }",
        "reused": "void f(void) { char pem[9]; g(pem); memset(pem, 0, 9); h(pem); }",
        "zeroize": "void f(char *key) { fw_zeroize(key, 32); free(key); }",
        "not-secret": "void f(char *buf) { memset(buf, 0, 8); free(buf); }",
        "fill": "void f(char *key) { memset(key, 0xff, 8); free(key); }",
        "comment": "void f(char *key) { /* memset(key, 0, 8); */ fw_zeroize(key, 8); }",
        "string": "void f(void) { puts(\"memset(key, 0, 8); free(key);\"); }",
    }
    ok = True
    for name, src in bad.items():
        if not check_text(src):
            print("self-test: missed", name)
            ok = False
    for name, src in good.items():
        if check_text(src):
            print("self-test: false alarm", name, check_text(src))
            ok = False
    print("self-test:", "ok" if ok else "FAILED", f"({len(bad)} bad, {len(good)} good)")
    return 0 if ok else 1


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    if len(argv) < 2:
        print(__doc__)
        return 2
    root = argv[1]
    dirs = argv[2:] or ["firmware", "hal", "boards", "tools", "bench", "tests"]
    n_files, problems = 0, []
    for d in dirs:
        for base, _, files in os.walk(os.path.join(root, d)):
            for f in sorted(files):
                if not f.endswith((".c", ".h")):
                    continue
                path = os.path.join(base, f)
                n_files += 1
                with open(path, encoding="utf-8", errors="replace") as fh:
                    for line, expr in check_text(fh.read()):
                        problems.append(f"{os.path.relpath(path, root)}:{line}: memset({expr}, 0, ...)"
                                        " wipes a secret the compiler may keep: use fw_zeroize()")
    for p in problems:
        print(p)
    print(f"lint_wipes: {n_files} files, {len(problems)} secret wipes by memset")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
