#!/usr/bin/env python3
"""Shape rules of scripts/checksrc that a grep cannot keep.

 - a C or JavaScript function is at most MAX_FUNC lines (the lines from its
   name to its closing brace);
 - a source file (.c, .h, .js) is at most MAX_FILE lines;
 - an #include points down the layer order
       util <- crypto <- store <- core <- api/http <- cli/main/tools
   (a file may include its own layer or any layer below it; api and http
   are one layer), and http/ and api/ never include store/ (they reach
   storage through core).

A file whose first 5 lines contain "checksrc: generated" is exempt from the
length rules (generated tables). Prints FILE:LINE: rule for each violation
and exits 1 when there is any.
"""
import os
import re
import sys

MAX_FUNC = 80
MAX_FILE = 800

LAYERS = {"util": 0, "crypto": 1, "store": 2, "core": 3, "http": 4, "api": 4,
          "cli": 5, "tools": 5}
ROOTS = ["src", "web"]
# Layers that must not reach past the one below: the transport and the API
# see storage only through core.
NO_SKIP = {"http": {"store"}, "api": {"store"}}


def layer_of(path):
    parts = path.split(os.sep)
    if len(parts) < 2 or parts[0] != "src":
        return None
    if len(parts) == 2:         # src/main.c
        return 5
    return LAYERS.get(parts[1])


def generated(lines):
    return any("checksrc: generated" in l for l in lines[:5])


C_FUNC_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\s*\(")


def c_functions(lines):
    """BSD style: the name starts a line at column 0, '{' alone at column 0
    opens the body and '}' at column 0 closes it."""
    out = []
    name_at = None
    start = None
    for i, l in enumerate(lines):
        if start is None:
            if C_FUNC_NAME.match(l):
                name_at = i
            elif l.startswith("{") and name_at is not None:
                start = name_at
            elif l.strip() == "" or l.startswith(("#", "/*", " *")):
                name_at = None
        elif l.startswith("}"):
            name = lines[start].split("(")[0].strip()
            out.append((name, start + 1, i - start + 1))
            start = None
            name_at = None
    return out


JS_FUNC = re.compile(
    r"(?:^|[\s(,=:])(?:async\s+)?function\s*\*?\s*([A-Za-z0-9_$]*)\s*\(|"
    r"(?:const|let|var)\s+([A-Za-z0-9_$]+)\s*=\s*(?:async\s*)?\([^)]*\)\s*=>\s*\{")


def js_functions(lines):
    """Counts each function from its header line to the line where the
    brace depth falls back to the depth before its body opened. Strings,
    template literals and comments are skipped well enough for our code."""
    out = []
    stack = []      # (name, start line, depth at open)
    depth = 0
    pending = None  # function header seen, '{' not yet
    in_block_comment = False
    for i, raw in enumerate(lines):
        l = raw
        m = JS_FUNC.search(l)
        if m and not in_block_comment:
            pending = (m.group(1) or m.group(2) or "<anonymous>", i)
        j = 0
        quote = None
        while j < len(l):
            ch = l[j]
            nxt = l[j + 1] if j + 1 < len(l) else ""
            if in_block_comment:
                if ch == "*" and nxt == "/":
                    in_block_comment = False
                    j += 1
            elif quote:
                if ch == "\\":
                    j += 1
                elif ch == quote:
                    quote = None
            elif ch == "/" and nxt == "/":
                break
            elif ch == "/" and nxt == "*":
                in_block_comment = True
                j += 1
            elif ch in "'\"`":
                quote = ch
            elif ch == "{":
                if pending is not None:
                    stack.append((pending[0], pending[1], depth))
                    pending = None
                depth += 1
            elif ch == "}":
                depth -= 1
                if stack and stack[-1][2] == depth:
                    name, start, _ = stack.pop()
                    out.append((name, start + 1, i - start + 1))
            j += 1
    return out


INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/')


def main():
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    bad = 0
    files = []
    for root in ROOTS:
        for d, _, fs in os.walk(root):
            if "node_modules" in d:
                continue
            for f in fs:
                if f.endswith((".c", ".h", ".js")):
                    files.append(os.path.join(d, f))
    for path in sorted(files):
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = fh.read().split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        gen = generated(lines)
        if not gen and len(lines) > MAX_FILE:
            print(f"{path}:1: file has {len(lines)} lines (max {MAX_FILE})")
            bad += 1
        if not gen:
            funcs = js_functions(lines) if path.endswith(".js") else \
                c_functions(lines) if path.endswith(".c") else []
            for name, line, n in funcs:
                if n > MAX_FUNC:
                    print(f"{path}:{line}: function {name} has {n} lines "
                          f"(max {MAX_FUNC})")
                    bad += 1
        own = layer_of(path)
        if own is None or path.endswith(".js"):
            continue
        for i, l in enumerate(lines):
            m = INCLUDE.match(l)
            if not m:
                continue
            inc = LAYERS.get(m.group(1))
            top = path.split(os.sep)[1] if path.count(os.sep) > 1 else ""
            if inc is not None and (inc > own or
                                    m.group(1) in NO_SKIP.get(top, ())):
                print(f"{path}:{i + 1}: include of {m.group(1)}/ points "
                      f"against the layer order")
                bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
