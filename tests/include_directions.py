#!/usr/bin/env python3
"""Fails on an #include that goes against docs/architecture.md's "Which folder may include which".

Usage: include_directions.py SOURCE_ROOT. Prints every offending include (file:line -> target)
and every listed exception that no longer occurs, and exits 1 if there is any.
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
doc = (root / "docs" / "architecture.md").read_text(encoding="utf-8")
section = doc.split("## Which folder may include which", 1)[1]
rules_text, exceptions_text = section.split("Exceptions (to be removed):", 1)


def table_rows(text):
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 2 and not set(cells[0]) <= set("-") and cells[0] != "folder" \
                and cells[0] != "from":
            yield cells


def names(cell):
    return re.findall(r"`([^`]+)`", cell)


allowed = {}
for cells in table_rows(rules_text):
    folder = names(cells[0])[0]
    allowed[folder] = "*" if "every folder" in cells[1] else set(names(cells[1])) | {folder}
exceptions = {(names(c[0])[0], names(c[1])[0]) for c in table_rows(exceptions_text)}
folders = sorted(allowed, key=len, reverse=True)


def folder_of(path):
    text = path.as_posix()
    for folder in folders:
        if text == folder or text.startswith(folder + "/"):
            return folder
    return None


include = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
problems, used = [], set()
for path in sorted(root.rglob("*")):
    rel = path.relative_to(root)
    if path.suffix not in (".h", ".cpp", ".cc") or rel.parts[0].startswith(("build", ".")) \
            or "node_modules" in rel.parts:
        continue
    source = folder_of(rel)
    if source is None:
        problems.append(f"{rel}: folder not in the table")
        continue
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        m = include.match(line)
        if not m or "/" not in m.group(1):
            continue
        target = folder_of(pathlib.PurePosixPath(m.group(1)))
        if target is None or allowed[source] == "*" or target in allowed[source]:
            continue
        if (source, target) in exceptions:
            used.add((source, target))
            continue
        problems.append(f"{rel}:{number}: {source} may not include {m.group(1)} ({target})")
for source, target in sorted(exceptions - used):
    problems.append(f"exception {source} -> {target} no longer occurs: remove it from docs/architecture.md")
for problem in problems:
    print(problem)
sys.exit(1 if problems else 0)
