#!/usr/bin/env python3
"""test_labs - the grader's own tests (make test-labs).

For every chapter with a lab (book/labs/*.lab), or the chapter numbers
given as arguments:
  - the lab file resolves: every function exists, every section is a
    heading of the chapter's book file;
  - the generated lab compiles warning-free with gcc and with clang;
  - out of the box it grades to at most 10% of its points;
  - the reference chapter grades to full marks;
  - the reference with one task's stub restored loses exactly that
    task's points, for every task.
And, on chapter 01 (the quickest), that the grader survives what
students hand in: a workspace that does not compile scores 0 with the
compiler's first error and no traceback; a VMM that crashes in one task
costs that task's points only; FORMAT=json prints results.json alone on
stdout.

Grading runs the chapter's real tests, so this takes a while the first
time; book/tools/lab.py keeps results by the hash of the sources and
tests (build/labs/cache/), so a second run is quick.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "book" / "tools"))
import lab as L  # noqa: E402

MAX_OUT_OF_THE_BOX = 0.10

failures = []


def check(ok, what, detail=""):
    print(f"{'ok  ' if ok else 'FAIL'} {what}" + (f": {detail}" if detail and not ok else ""),
          flush=True)
    if not ok:
        failures.append(what)
    return ok


def write_tree(tree, directory):
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in tree.items():
        (directory / name).write_text(text, encoding="utf-8")


def compiles(directory, cc, out):
    p = subprocess.run(["make", "--no-print-directory", "-C", str(directory), f"O={out}",
                        f"CC={cc}"], capture_output=True, text=True)
    return p.returncode == 0, L.first_error(p.stdout + p.stderr)


def summary(rows):
    return ", ".join(f"{t.name} {earned}/{maximum}" for t, _, earned, maximum, _ in rows)


def score(rows):
    return sum(r[2] for r in rows), sum(r[3] for r in rows)


def test_chapter(number, tmp):
    lab = L.Lab(number)
    started = time.monotonic()
    problems = L.command_check([lab])
    check(not problems, f"{number}: the lab file resolves", "; ".join(problems))
    reference = L.read_tree(lab.reference)

    workspace = tmp / f"{number}-lab"
    write_tree(L.stubbed_tree(lab, reference, lab.tasks), workspace)
    for cc in ("gcc", "clang"):
        ok, error = compiles(workspace, cc, tmp / f"{number}-{cc}")
        check(ok, f"{number}: the lab compiles with {cc}, warnings as errors", error)

    _, rows = L.grade(lab, workspace)
    got, maximum = score(rows)
    check(maximum > 0 and got <= MAX_OUT_OF_THE_BOX * maximum,
          f"{number}: the lab out of the box grades {got}/{maximum} (at most 10%)",
          summary(rows))

    _, ref_rows = L.grade(lab, lab.reference)
    ref_got, ref_max = score(ref_rows)
    check(ref_max > 0 and ref_got == ref_max,
          f"{number}: the reference chapter grades {ref_got}/{ref_max}",
          "; ".join(f"{t.name}: {m}" for t, s, _, _, m in ref_rows if s == "fail"))
    ref_state = {t.name: s for t, s, _, _, _ in ref_rows}

    for task in lab.tasks:
        one = tmp / f"{number}-ref-but-{task.name}"
        write_tree(L.stubbed_tree(lab, reference, [task]), one)
        _, rows = L.grade(lab, one)
        got, _ = score(rows)
        expected = ref_got - (task.points if ref_state[task.name] == "pass" else 0)
        wrong = [t.name for t, state, _, _, _ in rows
                 if (state == "pass") != (t is not task and ref_state[t.name] == "pass")]
        check(got == expected and not wrong,
              f"{number}: the reference with {task.name}'s stub grades {got} "
              f"(loses exactly its {task.points})",
              f"expected {expected}; wrong: {', '.join(wrong)}; {summary(rows)}")
    print(f"     {number}: {time.monotonic() - started:.0f} s", flush=True)


def replace_body(tree, file, func, body):
    return L.replace_bodies(dict(tree), [(file, func, lambda d, lines: body)])


def test_robustness(tmp):
    """On chapter 01: a build failure, a crash, results.json."""
    lab = L.Lab("01")
    reference = L.read_tree(lab.reference)
    env = dict(os.environ)

    broken = tmp / "01-broken"
    write_tree(replace_body(reference, "console.c", "console_read",
                            ["\treturn UART_LSR_THRE +;"]), broken)
    p = subprocess.run([sys.executable, str(ROOT / "book" / "tools" / "lab.py"), "grade",
                        "01", "--dir", str(broken)], capture_output=True, text=True, env=env)
    out = p.stdout + p.stderr
    check(p.returncode == 1 and "Traceback" not in out and "  0/" in out
          and "console.c" in out and "error" in out,
          "01: a workspace that does not compile scores 0 with the compiler's first error",
          out[-600:])

    _, ref_rows = L.grade(lab, lab.reference)
    ref_got, ref_max = score(ref_rows)
    console = next(t for t in lab.tasks if t.name == "console")

    crashing = tmp / "01-crashing"
    write_tree(replace_body(reference, "console.c", "console_write",
                            ["\t(void)port;", "\t(void)value;",
                             "\t*(volatile int *)0 = 0; /* a student's bug */"]), crashing)
    _, rows = L.grade(lab, crashing)
    ref_state = {t.name: state for t, state, _, _, _ in ref_rows}
    lost = [t.name for t, state, _, _, _ in rows if state != ref_state[t.name]]
    check(lost == ["console"], "01: a VMM that crashes in console_write loses the "
          "console task's points only", summary(rows))

    p = subprocess.run(["make", "--no-print-directory", "grade-01", "FORMAT=json",
                        f"DIR={crashing}"], capture_output=True, text=True, cwd=ROOT)
    try:
        result = json.loads(p.stdout)
        ok = (result["max_score"] == ref_max and result["score"] == ref_got - console.points
              and all({"name", "score", "max_score", "output"} <= set(t)
                      for t in result["tests"]) and len(result["tests"]) == len(lab.tasks))
        detail = p.stdout[:400]
    except (ValueError, KeyError, TypeError) as e:
        ok, detail = False, f"{e}: {p.stdout[:400]}"
    check(ok and p.returncode != 0,
          "01: FORMAT=json prints results.json alone on stdout "
          f"({ref_got - console.points} of {ref_max})", detail)


def main(argv):
    numbers = argv or [p.name[:2] for p in sorted(L.LABS_DIR.glob("*.lab"))]
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kvmbook-test-labs-") as tmp:
        tmp = Path(tmp)
        for number in numbers:
            test_chapter(number, tmp)
        if "01" in numbers:
            test_robustness(tmp)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"test-labs: {len(failures)} failed, {time.monotonic() - started:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
