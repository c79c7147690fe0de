#!/usr/bin/env python3
"""The Python baseline of benches/compare.sh, and its pattern translations.

    pyloop.py PATTERNS FILE...       count, per file, the lines that match any
                                     pattern: for every line, re.search with
                                     every pattern (the loop many CI log
                                     classifiers are), gzip read with gzip
    pyloop.py --to-ere PATTERNS      the patterns as POSIX ERE, for grep -E -f
    pyloop.py --to-rg PATTERNS       the patterns without group names, for
                                     rg -f (one regex set cannot repeat a name)

PATTERNS is the output of `stacklog rules patterns`: one Rust-regex pattern
a line. Prints `FILE:COUNT` lines like `grep -c`, and a summary on stderr.
"""

import gzip
import re
import sys
import time


def class_to_ere(pattern, i):
    """The bracket expression starting at pattern[i] == "[", as ERE, and the
    index after it. Escapes are not special inside a POSIX bracket, so \\d
    \\s \\w become [:digit:]-style names, escaped characters become plain,
    and a literal ] moves to the front, the one place POSIX allows it."""
    names = {"d": "0-9", "s": "[:space:]", "w": "[:alnum:]_"}
    i += 1
    negate = pattern.startswith("^", i)
    if negate:
        i += 1
    body, close = [], False
    if pattern.startswith("]", i):
        close, i = True, i + 1
    while pattern[i] != "]":
        c = pattern[i]
        if c == "\\":
            e = pattern[i + 1]
            if e == "x":
                ch = chr(int(pattern[i + 2:i + 4], 16))
                i += 4
            else:
                ch = names.get(e, "\t" if e == "t" else e)
                i += 2
            if ch == "]":
                close = True
            else:
                body.append(ch)
            continue
        if c == "[" and pattern.startswith("[:", i):
            end = pattern.index(":]", i) + 2
            body.append(pattern[i:end])
            i = end
            continue
        body.append(c)
        i += 1
    return "[" + ("^" if negate else "") + ("]" if close else "") + "".join(body) + "]", i + 1


def to_ere(pattern):
    """Rust regex -> GNU ERE with the same matching lines on these patterns:
    groups lose their names and the `?:`, \\d \\s \\w become POSIX classes,
    \\x27 and \\t become the character, lazy quantifiers become greedy (the
    same lines match), and a leading (?i) is dropped (ERE has no inline
    flags; one pattern uses it)."""
    out = []
    i, n = 0, len(pattern)
    if pattern.startswith("(?i)"):
        i = 4
    classes = {"d": "[0-9]", "s": "[[:space:]]", "S": "[^[:space:]]",
               "w": "[[:alnum:]_]", "W": "[^[:alnum:]_]"}
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            e = pattern[i + 1]
            if e == "x":
                ch = chr(int(pattern[i + 2:i + 4], 16))
                out.append("\\" + ch if ch in ".[]()*+?{}|^$\\" else ch)
                i += 4
                continue
            out.append(classes.get(e, "\t" if e == "t" else c + e))
            i += 2
            continue
        if c == "[":
            cls, i = class_to_ere(pattern, i)
            out.append(cls)
            continue
        if c == "(" and pattern.startswith("(?P<", i):
            i = pattern.index(">", i) + 1
            out.append("(")
            continue
        if c == "(" and pattern.startswith("(?:", i):
            i += 3
            out.append("(")
            continue
        if c == "?" and out and out[-1] in ("*", "+", "?", "}"):
            i += 1  # lazy -> greedy (an escaped \\* is one item "\\*")
            continue
        out.append(c)
        i += 1
    return "".join(out)


def to_rg(pattern):
    return re.sub(r"\(\?P<[^>]+>", "(", pattern)


def to_python(pattern):
    """Rust regex -> Python re: the syntax of these patterns is shared,
    except that Python wants a global (?i) only at the very start."""
    return pattern


def read_patterns(path):
    with open(path, encoding="utf-8") as f:
        return [p for p in f.read().splitlines() if p]


def open_log(path):
    f = open(path, "rb")
    magic = f.read(2)
    f.seek(0)
    if magic == b"\x1f\x8b":
        return gzip.open(f, "rb")
    return f


def main(argv):
    if len(argv) >= 2 and argv[0] in ("--to-ere", "--to-rg"):
        conv = to_ere if argv[0] == "--to-ere" else to_rg
        for p in read_patterns(argv[1]):
            print(conv(p))
        return 0
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    compiled, skipped = [], 0
    for p in read_patterns(argv[0]):
        try:
            compiled.append(re.compile(to_python(p)))
        except re.error:
            skipped += 1
    started = time.monotonic()
    total_bytes = total_lines = total_hits = 0
    out = sys.stdout
    for path in argv[1:]:
        hits = 0
        with open_log(path) as f:
            for raw in f:
                total_bytes += len(raw)
                total_lines += 1
                line = raw.decode("utf-8", "replace")
                for rx in compiled:
                    if rx.search(line):
                        hits += 1
                        break
        total_hits += hits
        out.write(f"{path}:{hits}\n")
    secs = time.monotonic() - started
    print(f"pyloop: {len(argv) - 1} files, {total_bytes} bytes, {total_lines} lines, "
          f"{total_hits} matching lines, {len(compiled)} patterns "
          f"({skipped} not valid in Python), {secs:.2f} s, "
          f"{total_bytes / 1e6 / max(secs, 1e-9):.2f} MB/s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
