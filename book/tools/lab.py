#!/usr/bin/env python3
"""lab - student workspaces generated from the chapters, and their grader.

A lab is chapter NN with its key functions replaced by stubs. Each lab
is described by book/labs/NN-name.lab (INI, read with configparser):

    [lab]
    title = Real mode: a first VMM

    [memory-slot]                   one section per task
    title = The memory slot
    points = 20
    functions = memory.c:memory_register memory.c:guest_ptr
    section = guest-memory          an anchor in book/NN-name.md
    hint = ...
    unit = test_guest_ptr_bounds    unit test functions (tests/unit/)
    cases =                         integration case names, one a line
        hello
        exit code
    stub.guest_ptr = return NULL;   optional: the stub's return statement

Functions are found the way book/tools/bookquote.py finds the functions
the book quotes (its select_function, imported, not copied).

Subcommands (the Makefile's lab-NN, grade-NN and test-NN call them):
    lab NN [--dir DIR] [--force]   write the workspace (default labs/NN-name)
    grade NN [--dir DIR] [--format table|json]
    test NN                        a chapter's unit and integration tests
    check                          every lab file resolves (for make test-labs)

Grading. The workspace is built with its own Makefile (plain, so a
warning counts as an error, as in the chapters) and with ASan/UBSan; the
chapter's unit tests are compiled against its sources and the
integration cases run on its sanitized vmm, on this chapter alone (the
compatibility matrix: earlier chapters' guests too). A task earns its
points when every one of its tests passes and at least one ran: a case
this KVM skips counts neither way, and a task whose every test is
skipped here is "not gradable on this KVM" and leaves the maximum.

A task that fails in the whole workspace is graded once more in
isolation: the workspace with every OTHER task's functions put back to
the reference chapter's. So a broken memory slot costs the memory
slot's points, not every task's whose guests cannot run without it;
and a workspace that is the reference with one stub restored loses
exactly that task's points.

A crash, a hang (the harness's per-case timeouts, check's per-test
timeout) or a sanitizer report fails the test it happens in. A build
failure of the workspace scores 0, with the compiler's first error.

Builds and results are kept in build/labs/cache/, keyed by a hash of
the sources and of the tests, so grading the same tree twice is fast.

Environment (the Makefile sets them): SANITIZE, STRICT, CHECK_CFLAGS,
CHECK_LIBS. Standard library only.
"""

import argparse
import configparser
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bookquote  # noqa: E402  (the book's function finder)

ROOT = Path(__file__).resolve().parent.parent.parent
LABS_DIR = ROOT / "book" / "labs"
CACHE_DIR = ROOT / "build" / "labs" / "cache"
INTEGRATION = ROOT / "build" / "tests" / "integration"
GUESTS = ROOT / "build" / "guests"
LINUX = ROOT / "build" / "linux"

SOURCE_GLOBS = ("*.c", "*.h", "Makefile")
UNIT_TIMEOUT_S = 300
INTEGRATION_TIMEOUT_S = 1800
BUILD_TIMEOUT_S = 600
# Change it when the way a tree is built or tested changes: the cache
# then starts afresh.
CACHE_VERSION = "1"
# EX_USAGE, EX_DATAERR, EX_NOINPUT, EX_SOFTWARE, EX_CANTCREAT (sysexits.h)
EX_USAGE, EX_DATAERR, EX_NOINPUT, EX_SOFTWARE, EX_CANTCREAT = 64, 65, 66, 70, 73

DEFAULT_SANITIZE = ("-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer "
                    "-fno-sanitize-recover=all")
DEFAULT_STRICT = "-std=gnu11 -Wall -Wextra -Werror"

SANITIZER_RE = re.compile(r"(ERROR: AddressSanitizer.*|ERROR: LeakSanitizer.*|"
                          r"\S+:\d+:\d+: runtime error: .*)")


class LabError(Exception):
    """A problem with a lab file or a command line; the message says what."""

    def __init__(self, message, status=EX_DATAERR):
        super().__init__(message)
        self.status = status


def say(message):
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# Lab definitions


class Task:
    def __init__(self, chapter, name, section):
        self.name = name
        self.title = section.get("title", name)
        try:
            self.points = int(section.get("points", "0"))
        except ValueError:
            raise LabError(f"{chapter}.lab [{name}]: points is not a number")
        self.functions = []  # (file, function)
        for item in section.get("functions", "").split():
            file, sep, func = item.partition(":")
            if not sep or not file or not func:
                raise LabError(f"{chapter}.lab [{name}]: '{item}' is not FILE:FUNCTION")
            self.functions.append((file, func))
        self.section = section.get("section", "").strip()
        self.hint = " ".join(section.get("hint", "").split())
        self.what = " ".join(section.get("what", "").split())
        self.unit = section.get("unit", "").split()
        self.cases = [line.strip() for line in section.get("cases", "").splitlines()
                      if line.strip()]
        self.stubs = {key[len("stub."):]: value.strip()
                      for key, value in section.items() if key.startswith("stub.")}
        if not self.functions or self.points <= 0 or not (self.unit or self.cases):
            raise LabError(f"{chapter}.lab [{name}]: a task needs functions, "
                           "points > 0, and unit tests or cases")

    def link(self, chapter):
        return f"book/{chapter}.md#{self.section}"


class Lab:
    def __init__(self, number):
        matches = sorted(p for p in (ROOT / "chapters").glob(f"{number}-*")
                         if p.is_dir())
        if not re.fullmatch(r"\d\d", number) or len(matches) != 1:
            raise LabError(f"no chapter {number} (chapters/{number}-*)", EX_USAGE)
        self.number = number
        self.chapter = matches[0].name
        self.reference = matches[0]
        path = LABS_DIR / f"{self.chapter}.lab"
        if not path.exists():
            raise LabError(f"no lab file {path.relative_to(ROOT)}", EX_NOINPUT)
        parser = configparser.ConfigParser(interpolation=None)
        parser.optionxform = str
        parser.read(path, encoding="utf-8")
        self.title = parser.get("lab", "title", fallback=self.chapter)
        self.intro = " ".join(parser.get("lab", "intro", fallback="").split())
        self.run = parser.get("lab", "run", fallback="").strip()
        self.tasks = [Task(self.chapter, name, parser[name])
                      for name in parser.sections() if name != "lab"]
        if not self.tasks:
            raise LabError(f"{path.relative_to(ROOT)} names no task")

    @property
    def max_points(self):
        return sum(t.points for t in self.tasks)


# --------------------------------------------------------------------------
# Finding and replacing functions (bookquote's finder)


class Definition:
    """Where a function's definition is in a file's lines: the name line,
    the line holding its opening brace, and its closing brace line."""

    def __init__(self, lines, name):
        selected = bookquote.select_function(lines, name)  # QuoteError if absent
        start = next(i for i in range(len(lines) - len(selected) + 1)
                     if lines[i:i + len(selected)] == selected)
        self.end = start + len(selected) - 1
        name_re = re.compile(r"(?<![\w$])" + re.escape(name) + r"\s*\(")
        self.name_line = next(i for i in range(start, self.end + 1)
                              if bookquote.is_top_level_code(lines[i])
                              and name_re.search(lines[i]))
        self.open = next(i for i in range(self.name_line, self.end + 1)
                         if bookquote.code_part(lines[i]).endswith("{"))
        head = "\n".join(lines[bookquote.return_type_start(lines, self.name_line):
                               self.open + 1])
        head = bookquote.code_part(head.replace("\n", " "))
        match = name_re.search(head)
        self.return_type = head[:match.start()].strip()
        self.params = parameter_names(head[match.end():head.rindex(")")])
        self.body = lines[self.open + 1:self.end]


def parameter_names(text):
    """The names in a C parameter list (its text between the parentheses)."""
    names, depth, current = [], 0, ""
    for ch in text + ",":
        if ch == "," and depth == 0:
            words = re.findall(r"[A-Za-z_]\w*", current.split("[")[0])
            if words and current.strip() != "void" and words[-1] != "void":
                names.append(words[-1])
            current = ""
            continue
        depth += ch in "(["
        depth -= ch in ")]"
        current += ch
    return names


def file_statics(lines):
    """Names declared `static` at file scope: functions and variables."""
    decl_re = re.compile(r"^static\b[^=(\[;]*?\b([A-Za-z_]\w*)\s*[(\[=;]")
    return {m.group(1) for line in lines if (m := decl_re.match(line))}


def default_return(return_type):
    words = return_type.replace("static", "").replace("inline", "").split()
    if words == ["void"]:
        return None
    if "*" in return_type:
        return "return NULL;"
    if words == ["bool"]:
        return "return false;"
    if any(w.startswith("uint") or w in ("unsigned", "size_t") for w in words):
        return "return 0;"
    return "return -1;"


def wrap(text, width, prefix):
    out, line = [], ""
    for word in text.split():
        if line and len(prefix) + len(line) + 1 + len(word) > width:
            out.append(prefix + line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        out.append(prefix + line)
    return out


def stub_lines(lab, task, func, definition, statics):
    """The body of a stub: the task's comment, every parameter and
    every file-scope static the real body used marked as used (so the
    stub compiles warning-free), and a return of an error value."""
    graded = []
    if task.unit:
        graded.append("unit tests " + ", ".join(task.unit))
    if task.cases:
        graded.append("integration cases " + ", ".join(f'"{c}"' for c in task.cases))
    comment = ["\t/*", f"\t * LAB TASK {task.name} ({task.points} points): {task.title}"]
    if task.what:
        comment += ["\t *"] + wrap(task.what, 76, "\t * ")
    comment += ["\t *", f"\t * Read: {task.link(lab.chapter)}"]
    if task.hint:
        comment += wrap("Hint: " + task.hint, 76, "\t * ")
    comment += wrap("Graded by: " + "; ".join(graded) + ".", 76, "\t * ")
    comment += ["\t * Replace this stub with your code.", "\t */"]
    used = []
    body_text = "\n".join(bookquote.code_part(line) for line in definition.body)
    for ident in dict.fromkeys(re.findall(r"[A-Za-z_]\w*", body_text)):
        if ident in statics and ident != func and ident not in definition.params:
            used.append(ident)
    lines = comment + [f"\t(void){name};" for name in definition.params + used]
    ret = task.stubs.get(func, default_return(definition.return_type))
    if ret:
        lines.append("\t" + ret)
    return lines


def read_lines(path):
    return path.read_text(encoding="utf-8").split("\n")


def replace_bodies(tree, replacements):
    """In the source tree `tree` (a dict relpath -> text) replace function
    bodies: replacements is a list of (file, function, body_lines_fn),
    where body_lines_fn(definition, lines) gives the new body. Raises
    bookquote.QuoteError when a function is not found."""
    by_file = {}
    for file, func, make_body in replacements:
        by_file.setdefault(file, []).append((func, make_body))
    for file, items in by_file.items():
        if file not in tree:
            raise bookquote.QuoteError(f"no file {file}")
        lines = tree[file].split("\n")
        for func, make_body in items:
            definition = Definition(lines, func)
            lines[definition.open + 1:definition.end] = make_body(definition, lines)
        tree[file] = "\n".join(lines)
    return tree


def read_tree(directory):
    tree = {}
    for pattern in SOURCE_GLOBS:
        for path in sorted(Path(directory).glob(pattern)):
            if path.is_file():
                tree[path.name] = path.read_text(encoding="utf-8", errors="replace")
    return tree


def stubbed_tree(lab, tree, tasks):
    """tree with the functions of `tasks` replaced by their stubs."""
    def stub_maker(task, func):
        def make(definition, lines):
            return stub_lines(lab, task, func, definition, file_statics(lines))
        return make
    return replace_bodies(dict(tree), [(file, func, stub_maker(task, func))
                                       for task in tasks
                                       for file, func in task.functions])


# --------------------------------------------------------------------------
# make lab-NN


def github_anchor(heading):
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def book_anchors(chapter):
    path = ROOT / "book" / f"{chapter}.md"
    anchors, in_code = set(), False
    for line in read_lines(path) if path.exists() else []:
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and (m := re.match(r"^#{1,6}\s+(.*)", line)):
            anchors.add(github_anchor(m.group(1)))
    return anchors


def lab_readme(lab, directory):
    rel = os.path.relpath(Path(directory).resolve(), ROOT)
    if rel.startswith(".."):
        rel = str(Path(directory).resolve())
    dir_arg = "" if rel == f"labs/{lab.chapter}" else f" DIR={rel}"
    out = [f"# Lab {lab.number}: {lab.title}", ""]
    if lab.intro:
        out += wrap(lab.intro, 76, "") + [""]
    out += [
        f"This folder is chapter {lab.number}'s VMM (`chapters/{lab.chapter}` in",
        "the kvmbook repository) with the functions below replaced by stubs.",
        "Each stub compiles, does nothing useful, and says what to write, where",
        "the book teaches it and how it is graded. Build it as the chapter is",
        "built, and grade it from the repository's root:",
        "",
        "```sh",
    ]
    commands = [
        (f"make -C {rel}", "your ./vmm (warnings are errors)"),
        ("make guests", "the test guests, in build/guests/"),
    ] + ([(f"{rel}/vmm {lab.run}", "run a guest on it")] if lab.run else []) + [
        (f"make grade-{lab.number}{dir_arg}", "the table below, scored"),
        (f"make grade-{lab.number}{dir_arg} FORMAT=json", "the same as results.json"),
    ]
    width = max(len(c) for c, _ in commands)
    out += [f"{c:<{width}}  # {why}" for c, why in commands]
    out += [
        "```",
        "",
        "| task | points | function(s) | read |",
        "| --- | ---: | --- | --- |",
    ]
    for task in lab.tasks:
        funcs = ", ".join(f"`{f}` in `{file}`" for file, f in task.functions)
        book = os.path.relpath(ROOT / "book" / f"{lab.chapter}.md", Path(directory).resolve())
        out.append(f"| {task.name}: {task.title} | {task.points} | {funcs} | "
                   f"[{task.section}]({book}#{task.section}) |")
    out += ["", f"Total: {lab.max_points} points.", "", "## The tasks", ""]
    for task in lab.tasks:
        out += [f"### {task.name}: {task.title} ({task.points} points)", ""]
        if task.what:
            out += wrap(task.what, 76, "") + [""]
        if task.hint:
            out += wrap("Hint: " + task.hint, 76, "") + [""]
        graded = [f"unit test `{u}`" for u in task.unit] + \
                 [f"integration case \"{c}\"" for c in task.cases]
        out += wrap("Graded by: " + ", ".join(graded) + ".", 76, "") + [""]
    out += [
        "## How grading works",
        "",
        "The grader builds this folder with its Makefile (plain and with",
        "AddressSanitizer/UBSan), compiles the chapter's unit tests against",
        "your sources and runs the integration guests on your sanitized vmm.",
        "A task scores when all its tests pass. A crash, a hang or a",
        "sanitizer report fails the test it happens in. Each task is also",
        "tried with the other tasks' reference code, so one missing piece",
        "does not cost the points of the pieces that need it. Tests that",
        "this machine's KVM cannot run are skipped and count neither way.",
        "",
    ]
    return "\n".join(out)


def command_lab(lab, directory, force):
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()) and not force:
        raise LabError(f"{directory} already exists: not overwriting a student's "
                       "work (remove it, or add FORCE=1)", EX_CANTCREAT)
    tree = stubbed_tree(lab, read_tree(lab.reference), lab.tasks)
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in tree.items():
        (directory / name).write_text(text, encoding="utf-8")
    (directory / "LAB.md").write_text(lab_readme(lab, str(directory)), encoding="utf-8")
    say(f"wrote {directory}: lab {lab.number}, {len(lab.tasks)} tasks, "
        f"{lab.max_points} points (see {directory}/LAB.md)")


def command_check(labs):
    """Every task's functions exist, its section is a heading of the
    chapter's book file; returns the problems."""
    problems = []
    for lab in labs:
        tree = read_tree(lab.reference)
        anchors = book_anchors(lab.chapter)
        for task in lab.tasks:
            if task.section not in anchors:
                problems.append(f"{lab.chapter} [{task.name}]: no heading "
                                f"#{task.section} in book/{lab.chapter}.md")
            for file, func in task.functions:
                try:
                    Definition(tree.get(file, "").split("\n"), func)
                except bookquote.QuoteError as e:
                    problems.append(f"{lab.chapter} [{task.name}]: {file}: {e}")
    return problems


# --------------------------------------------------------------------------
# Building and running one source tree


def env_flags(name, default):
    return os.environ.get(name) or default


def check_flags():
    def pkg(arg):
        try:
            return subprocess.run(["pkg-config", arg, "check"], capture_output=True,
                                  text=True, check=True).stdout.split()
        except (OSError, subprocess.CalledProcessError):
            return []
    cflags = os.environ.get("CHECK_CFLAGS")
    libs = os.environ.get("CHECK_LIBS")
    return (cflags.split() if cflags is not None else pkg("--cflags"),
            libs.split() if libs is not None else pkg("--libs") or ["-lcheck"])


def unit_sources(chapter):
    """The chapter's unit test sources: tests/unit/test-NN-name.c and
    the files of tests/unit/NN-name/, as the Makefile's unit rule takes
    them."""
    single = ROOT / "tests" / "unit" / f"test-{chapter}.c"
    folder = ROOT / "tests" / "unit" / chapter
    return (([single] if single.exists() else [])
            + (sorted(folder.glob("*.c")) if folder.is_dir() else []))


def unit_headers(chapter):
    folder = ROOT / "tests" / "unit" / chapter
    return sorted(folder.glob("*.h")) if folder.is_dir() else []


def first_error(output):
    lines = output.splitlines()
    for line in lines:
        if re.search(r"\berror\b", line):
            return line.strip()
    return lines[-1].strip() if lines else "(no output)"


def run(argv, timeout, **kwargs):
    """(returncode, output) of a command, never raising: a hang is killed
    at timeout (returncode None)."""
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, errors="replace", timeout=timeout,
                           start_new_session=True, **kwargs)
        return p.returncode, p.stdout
    except subprocess.TimeoutExpired as e:
        out = e.stdout or ""
        return None, (out if isinstance(out, str) else out.decode(errors="replace"))
    except OSError as e:
        return 127, str(e)


def fingerprint_tests(lab):
    """A hash of everything that decides the tests' outcome besides the
    sources under test."""
    h = hashlib.sha256()
    paths = unit_sources(lab.chapter) + unit_headers(lab.chapter)
    paths += sorted((ROOT / "tests" / "lib").glob("*"))
    paths += [INTEGRATION] + sorted(GUESTS.glob("*.bin"))
    for path in paths:
        if path.is_file():
            h.update(str(path.relative_to(ROOT)).encode())
            h.update(path.read_bytes())
    h.update(env_flags("SANITIZE", DEFAULT_SANITIZE).encode())
    h.update(CACHE_VERSION.encode())
    return h.hexdigest()


def tree_key(tree, tests_key):
    h = hashlib.sha256(tests_key.encode())
    for name in sorted(tree):
        h.update(name.encode() + b"\0" + tree[name].encode() + b"\0")
    return h.hexdigest()[:24]


def parse_unit_xml(path):
    """{test function: (result, message)}; a loop test's worst iteration."""
    results = {}
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return results
    for test in root.iter():
        if not test.tag.endswith("}test") and test.tag != "test":
            continue
        fields = {child.tag.split("}")[-1]: (child.text or "") for child in test}
        name = fields.get("id", "")
        result = "PASS" if test.get("result") == "success" else "FAIL"
        message = f"{fields.get('fn', '')}: {fields.get('message', '')}".strip(": ")
        if name not in results or results[name][0] == "PASS":
            results[name] = (result, message)
    return results


def sanitizer_line(output):
    m = SANITIZER_RE.search(output or "")
    return m.group(1).strip() if m else None


def run_unit(lab, src, out, lenient):
    sources = unit_sources(lab.chapter)
    if not sources:
        return {}, "no unit tests for this chapter"
    cflags, libs = check_flags()
    binary = out / "unit"
    chapter_c = [str(p) for p in sorted(src.glob("*.c")) if p.name != "main.c"]
    argv = (["gcc"] + env_flags("STRICT", DEFAULT_STRICT).split()
            + (["-Wno-error"] if lenient else []) + ["-pthread"]
            + env_flags("SANITIZE", DEFAULT_SANITIZE).split() + cflags
            + ["-I", str(src), "-I", str(ROOT / "tests" / "lib")]
            + ["-I", str(ROOT / "tests" / "unit" / lab.chapter)]
            + ["-o", str(binary)] + [str(s) for s in sources]
            + [str(ROOT / "tests" / "lib" / "suite_main.c")] + chapter_c + libs)
    code, output = run(argv, BUILD_TIMEOUT_S)
    if code != 0:
        return {}, "the unit tests do not compile against these sources: " + \
            first_error(output)
    xml = out / "unit.xml"
    env = dict(os.environ, CK_XML_LOG_FILE_NAME=str(xml))
    code, output = run([str(binary)], UNIT_TIMEOUT_S, env=env, cwd=ROOT)
    results = parse_unit_xml(xml)
    note = None
    if code is None:
        note = f"the unit tests did not finish in {UNIT_TIMEOUT_S} s"
    san = sanitizer_line(output)
    if san:
        results = {k: (r, f"{m} [{san}]" if r == "FAIL" else m)
                   for k, (r, m) in results.items()}
    return results, note


def parse_results_file(path):
    """{case name: (PASS|FAIL|SKIP, message)} from KVMBOOK_RESULTS."""
    results = {}
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return results
    for line in text.splitlines():
        parts = line.split("\t", 3)
        if len(parts) < 3:
            continue
        status, _chapter, name = parts[0], parts[1], parts[2]
        message = parts[3] if len(parts) > 3 else ""
        if name not in results or results[name][0] != "FAIL":
            results[name] = (status, message)
    return results


def run_integration(lab, vmm, out):
    if not INTEGRATION.exists():
        return {}, "no build/tests/integration (make build/tests/integration)"
    with tempfile.TemporaryDirectory(prefix="kvmbook-lab-") as tmp:
        chapter_dir = Path(tmp) / lab.chapter
        chapter_dir.mkdir()
        (chapter_dir / "vmm").symlink_to(vmm)
        results_file = out / "integration.results"
        results_file.unlink(missing_ok=True)
        env = dict(os.environ, KVMBOOK_VMM_DIR=tmp, KVMBOOK_GUESTS=str(GUESTS),
                   KVMBOOK_LINUX=str(LINUX), KVMBOOK_CHAPTERS=lab.number,
                   KVMBOOK_RESULTS=str(results_file))
        env.pop("KVMBOOK_ONLY_LINUX_BOOTS", None)
        code, output = run([str(INTEGRATION)], INTEGRATION_TIMEOUT_S, env=env, cwd=ROOT)
        (out / "integration.log").write_text(output, encoding="utf-8")
    results = parse_results_file(results_file)
    note = None
    if code is None:
        note = f"the integration tests did not finish in {INTEGRATION_TIMEOUT_S} s"
    elif not results:
        note = "the integration tests reported nothing: " + first_error(output)
    return results, note


def make_vmm(src, out, cflags):
    """Builds src's vmm into out with its own Makefile: the first error, or None."""
    code, output = run(["make", "--no-print-directory", "-C", str(src), f"O={out}",
                        "CC=gcc", "CFLAGS=" + cflags], BUILD_TIMEOUT_S)
    if code is None:
        return f"the build did not finish in {BUILD_TIMEOUT_S} s"
    return first_error(output) if code != 0 else None


def build_and_test(lab, tree, tests_key, plain=False):
    """Builds `tree` with ASan/UBSan and runs the chapter's tests on it.
    Returns a dict: strict_error (the first error of the build as the
    chapters build, warnings being errors), build_error (the build
    failed even without -Werror: nothing ran), plain_error (with
    plain: the first error of the ordinary -O2 build), unit, cases,
    notes. Cached by the tree's and the tests' contents."""
    out = CACHE_DIR / lab.chapter / tree_key(tree, tests_key)
    cached = out / "results.json"
    if cached.exists():
        result = json.loads(cached.read_text())
    else:
        if out.exists():
            shutil.rmtree(out)
        src = out / "src"
        src.mkdir(parents=True)
        for name, text in tree.items():
            (src / name).write_text(text, encoding="utf-8")
        result = {"strict_error": None, "build_error": None, "unit": {}, "cases": {},
                  "notes": []}
        sanitize = env_flags("SANITIZE", DEFAULT_SANITIZE)
        result["strict_error"] = make_vmm(src, out / "asan", sanitize)
        if result["strict_error"]:
            # A tree the grader made (a task alone) may leave a helper of
            # the student's unused: that must not stop the tests.
            result["build_error"] = make_vmm(src, out / "asan", sanitize + " -Wno-error")
        if result["build_error"] is None:
            result["unit"], note = run_unit(lab, src, out, bool(result["strict_error"]))
            if note:
                result["notes"].append(note)
            result["cases"], note = run_integration(lab, out / "asan" / "vmm", out)
            if note:
                result["notes"].append(note)
    if plain and "plain_error" not in result:
        result["plain_error"] = make_vmm(out / "src", out / "plain", "-O2 -g")
    cached.write_text(json.dumps(result, indent=1))
    return result


# --------------------------------------------------------------------------
# Scoring


def whole_build_error(result):
    """Why the student's workspace does not build as a chapter builds, or None."""
    return result.get("plain_error") or result["strict_error"] or result["build_error"]


def task_outcome(task, result):
    """(state, message): state is 'pass', 'fail' or 'skip' (every test
    skipped here)."""
    if result["build_error"]:
        return "fail", "build failed: " + result["build_error"]
    passed, skipped, failures = 0, [], []
    for name in task.unit:
        status, message = result["unit"].get(name, ("FAIL", "did not run"))
        if status == "PASS":
            passed += 1
        else:
            failures.append(f"unit test {name}: {message}")
    for name in task.cases:
        status, message = result["cases"].get(name, ("FAIL", "did not run"))
        if status == "PASS":
            passed += 1
        elif status == "SKIP":
            skipped.append(name)
        else:
            failures.append(f"case \"{name}\": {message}")
    if failures:
        notes = "; ".join(result["notes"])
        return "fail", failures[0] + (f" ({notes})" if notes else "")
    if passed == 0:
        return "skip", "every test of this task is skipped on this KVM: " + \
            ", ".join(skipped)
    return "pass", ""


def isolated_tree(lab, tree, reference, task):
    """tree with every task but `task` back to the reference's code, or
    None when that cannot be done (a function is missing)."""
    def ref_body(file, func):
        ref_def = Definition(reference[file].split("\n"), func)
        return lambda definition, lines: ref_def.body
    others = [(file, func, ref_body(file, func))
              for t in lab.tasks if t is not task for file, func in t.functions]
    try:
        return replace_bodies(dict(tree), others)
    except bookquote.QuoteError:
        return None


def grade(lab, directory):
    directory = Path(directory)
    if not directory.is_dir() or not (directory / "Makefile").exists():
        raise LabError(f"{directory} is not a workspace (no Makefile there); "
                       f"make lab-{lab.number} writes one", EX_NOINPUT)
    tests_key = fingerprint_tests(lab)
    tree = read_tree(directory)
    reference = read_tree(lab.reference)
    say(f"grading {directory} (lab {lab.number}): building and testing")
    whole = build_and_test(lab, tree, tests_key, plain=True)
    rows = []
    for task in lab.tasks:
        if whole_build_error(whole):
            rows.append((task, "fail", 0, task.points, "the workspace does not build"))
            continue
        state, message = task_outcome(task, whole)
        if state == "fail":
            alone = isolated_tree(lab, tree, reference, task)
            if alone is not None and alone != tree:
                say(f"  {task.name}: trying it with the other tasks' reference code")
                result = build_and_test(lab, alone, tests_key)
                alone_state, alone_message = task_outcome(task, result)
                if alone_state == "pass":
                    state, message = "pass", ("passes with the other tasks' reference "
                                              "code; in your whole VMM: " + message)
                elif alone_state == "skip":
                    state, message = "skip", alone_message
                elif not result["build_error"]:
                    message = alone_message  # its own failure, not a neighbour's
        earned = task.points if state == "pass" else 0
        maximum = 0 if state == "skip" else task.points
        rows.append((task, state, earned, maximum, message))
    return whole, rows


def print_table(lab, directory, whole, rows):
    width = max(len(f"{t.name}: {t.title}") for t in lab.tasks)
    print(f"Lab {lab.number} ({lab.chapter}): {directory}")
    if whole_build_error(whole):
        print(f"  the workspace does not build: {whole_build_error(whole)}")
    for task, state, earned, maximum, message in rows:
        label = f"{task.name}: {task.title}"
        if state == "skip":
            print(f"  {label:<{width}}   --/{task.points:<3} not gradable on this KVM")
        else:
            print(f"  {label:<{width}}  {earned:3}/{maximum:<3} "
                  f"{'ok' if state == 'pass' else 'FAIL'}")
        if message:
            for line in wrap(message, 100, "      ")[:6]:
                print(line)
    score = sum(r[2] for r in rows)
    maximum = sum(r[3] for r in rows)
    excluded = [r[0].name for r in rows if r[1] == "skip"]
    print(f"  {'total':<{width}}  {score:3}/{maximum}"
          + (f" (not gradable here: {', '.join(excluded)})" if excluded else ""))
    return score, maximum


def json_results(lab, whole, rows):
    tests = []
    for task, state, earned, maximum, message in rows:
        output = f"{task.title}. Read {task.link(lab.chapter)}."
        if state == "fail" and whole_build_error(whole):
            output += "\nThe workspace does not build: " + whole_build_error(whole)
        elif state == "fail":
            output += "\n" + message
        elif state == "skip":
            output += "\nNot gradable on this machine's KVM: " + message
        elif message:
            output += "\n" + message
        tests.append({"name": f"{task.name}: {task.title}", "score": earned,
                      "max_score": maximum, "output": output})
    result = {"score": sum(r[2] for r in rows), "max_score": sum(r[3] for r in rows),
              "tests": tests}
    if whole_build_error(whole):
        result["output"] = "The workspace does not build: " + whole_build_error(whole)
    return result


def command_grade(lab, directory, fmt):
    whole, rows = grade(lab, directory)
    if fmt == "json":
        result = json_results(lab, whole, rows)
        print(json.dumps(result, indent=1))
        score, maximum = result["score"], result["max_score"]
    else:
        score, maximum = print_table(lab, directory, whole, rows)
    return 0 if score == maximum and maximum > 0 else 1


# --------------------------------------------------------------------------
# make test-NN


def kvm_usable():
    return os.access("/dev/kvm", os.R_OK | os.W_OK)


def nested_ok():
    return (os.environ.get("KVMBOOK_NESTED", "1") != "0"
            and os.uname().machine == "x86_64")


def command_test(lab):
    """The chapter's unit tests and its integration cases (the earlier
    chapters' too), on the builds the Makefile made (build/asan/NN-name),
    as scripts/run-tests.sh runs the whole suite: on this machine's KVM,
    and again on nested KVM where this KVM cannot run every case (an
    emulation-backed KVM: kvm_pvm) or there is no usable /dev/kvm; then
    the merged summary, in which every case must pass somewhere."""
    failed = []
    unit = ROOT / "build" / "tests" / f"unit-{lab.chapter}"
    say(f"==> unit {lab.chapter}")
    if subprocess.run([str(unit)], cwd=ROOT).returncode != 0:
        failed.append("unit")
    results = ROOT / "build" / "labs" / "test-results"
    results.mkdir(parents=True, exist_ok=True)
    direct, nested = results / f"{lab.chapter}-direct.tsv", results / f"{lab.chapter}-nested.tsv"
    for stale in (direct, nested):
        stale.unlink(missing_ok=True)
    env = dict(os.environ, KVMBOOK_VMM_DIR="build/asan", KVMBOOK_GUESTS="build/guests",
               KVMBOOK_CHAPTERS=lab.number)
    env.pop("KVMBOOK_ONLY_LINUX_BOOTS", None)
    integration = [str(INTEGRATION)]
    summary = []
    pvm = Path("/sys/module/kvm_pvm").exists()
    if kvm_usable() or not nested_ok():
        say(f"==> integration on {lab.chapter}")
        if subprocess.run(integration, cwd=ROOT,
                          env=dict(env, KVMBOOK_RESULTS=str(direct))).returncode != 0:
            failed.append("integration")
        summary += ["--direct", str(direct)]
    skipped = direct.exists() and any(line.startswith("SKIP\t")
                                      for line in direct.read_text().splitlines())
    # Only the cases this KVM skipped need the (slow) nested run.
    if nested_ok() and ((pvm and skipped) or not kvm_usable()):
        why = ("this KVM emulates guest kernel code" if kvm_usable()
               else "no usable /dev/kvm here")
        say(f"==> integration on {lab.chapter} (nested KVM): {why}")
        started = time.monotonic()
        argv = [str(ROOT / "scripts" / "nested-kvm.sh"), "--copy-out",
                str(nested.relative_to(ROOT)), "env",
                f"KVMBOOK_RESULTS={nested.relative_to(ROOT)}",
                "KVMBOOK_VMM_DIR=build/asan", "KVMBOOK_GUESTS=build/guests",
                f"KVMBOOK_CHAPTERS={lab.number}", "build/tests/integration"]
        if subprocess.run(argv, cwd=ROOT).returncode != 0:
            failed.append("integration (nested KVM)")
        say(f"the nested KVM run took {time.monotonic() - started:.0f} s")
        summary += ["--nested", str(nested)]
    elif skipped or not kvm_usable():
        summary.append("--skips-ok")
    say("==> integration summary")
    if subprocess.run([sys.executable, str(ROOT / "tests" / "integration" / "summary.py")]
                      + summary, cwd=ROOT).returncode != 0:
        failed.append("integration summary")
    if failed:
        say(f"test-{lab.number}: FAILED: {', '.join(failed)}")
        return 1
    say(f"test-{lab.number}: all passed")
    return 0


# --------------------------------------------------------------------------


def all_labs():
    return [Lab(p.name[:2]) for p in sorted(LABS_DIR.glob("*.lab"))]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="lab.py", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("lab")
    p.add_argument("number")
    p.add_argument("--dir")
    p.add_argument("--force", action="store_true")
    p = sub.add_parser("grade")
    p.add_argument("number")
    p.add_argument("--dir")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p = sub.add_parser("test")
    p.add_argument("number")
    sub.add_parser("check")
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            problems = command_check(all_labs())
            for problem in problems:
                say(problem)
            return 1 if problems else 0
        lab = Lab(args.number)
        if args.command == "lab":
            command_lab(lab, args.dir or ROOT / "labs" / lab.chapter, args.force)
            return 0
        if args.command == "test":
            return command_test(lab)
        return command_grade(lab, args.dir or ROOT / "labs" / lab.chapter, args.format)
    except (LabError, bookquote.QuoteError) as e:
        failure, status = str(e), getattr(e, "status", EX_DATAERR)
    except Exception as e:  # a grader bug must not look like a student's traceback
        failure, status = f"internal error: {type(e).__name__}: {e}", EX_SOFTWARE
    say(f"lab: {failure}")
    if args.command == "grade" and args.format == "json":
        print(json.dumps({"score": 0, "max_score": 0, "output": failure, "tests": []}))
    return status


if __name__ == "__main__":
    sys.exit(main())
