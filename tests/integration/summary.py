#!/usr/bin/env python3
"""summary.py - where each integration run passed: direct KVM, nested KVM.

    summary.py [--direct FILE] [--nested FILE] [--skips-ok]

Reads the results files the integration runner writes (KVMBOOK_RESULTS;
tests/integration/results.c: one line per run of a case on a chapter,
VERDICT TAB CHAPTER TAB CASE TAB MESSAGE, VERDICT one of PASS FAIL SKIP)
for the run on this machine's KVM (--direct) and the run on nested KVM
(--nested). It prints a table, one row per case and one column per
chapter, then every failure, then the counts.

A run is good when it passed on one KVM or the other and failed on none.
The exit status is 1 when any run failed anywhere, when any run passed
nowhere (skipped on both, or missing from a file), or when a file is
unreadable or malformed; otherwise 0. --skips-ok: runs that passed
nowhere are counted but do not fail the summary (the user turned nested
KVM off).
"""
import argparse
import sys

VERDICTS = ("PASS", "FAIL", "SKIP")
KVMS = ("direct", "nested")
# A cell's letters: the direct and the nested result of one run.
LETTER = {"PASS": "P", "FAIL": "F", "SKIP": "S", None: "-"}


def read_results(path):
    """{(chapter, case): (verdict, message)} from one results file."""
    results = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 4 or fields[0] not in VERDICTS:
                raise ValueError(f"{path}:{number}: not VERDICT<TAB>CHAPTER<TAB>CASE<TAB>MESSAGE")
            verdict, chapter, case, message = fields
            if (chapter, case) in results:
                raise ValueError(f"{path}:{number}: a second line for {case!r} on {chapter}")
            results[(chapter, case)] = (verdict, message)
    return results


def outcome(verdicts):
    """failed, direct (passed there), nested (passed only there), or nowhere."""
    if "FAIL" in verdicts.values():
        return "failed"
    if verdicts.get("direct") == "PASS":
        return "direct"
    if verdicts.get("nested") == "PASS":
        return "nested"
    return "nowhere"


def print_table(runs, cases, chapters):
    width = max([len(c) for c in cases] + [len("case")])
    print("integration: each case on each chapter, as <direct KVM><nested KVM>:")
    print("  P passed, F failed, S skipped, - no result; blank: not run on that chapter")
    print("  " + "case".ljust(width) + "".join(f" {ch[:2]:>2}" for ch in chapters))
    for case in cases:
        cells = ""
        for ch in chapters:
            verdicts = runs.get((ch, case))
            cell = "".join(LETTER[verdicts.get(k)] for k in KVMS) if verdicts else ""
            cells += f" {cell:>2}"
        print(("  " + case.ljust(width) + cells).rstrip())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--direct", help="results of the run on this machine's KVM")
    parser.add_argument("--nested", help="results of the run on nested KVM")
    parser.add_argument("--skips-ok", action="store_true",
                        help="runs that passed nowhere do not fail the summary")
    args = parser.parse_args()
    files = {k: getattr(args, k) for k in KVMS if getattr(args, k)}
    if not files:
        parser.error("give --direct FILE, --nested FILE or both")

    runs, messages, cases, chapters = {}, {}, [], set()
    for kvm, path in files.items():
        try:
            results = read_results(path)
        except (OSError, ValueError) as e:
            print(f"summary: {e}", file=sys.stderr)
            return 1
        for (chapter, case), (verdict, message) in results.items():
            runs.setdefault((chapter, case), {})[kvm] = verdict
            messages[(chapter, case, kvm)] = message
            chapters.add(chapter)
            if case not in cases:
                cases.append(case)
    chapters = sorted(chapters)
    print_table(runs, cases, chapters)

    counts = {"direct": 0, "nested": 0, "nowhere": 0, "failed": 0}
    for (chapter, case), verdicts in sorted(runs.items()):
        result = outcome(verdicts)
        counts[result] += 1
        for kvm in KVMS:
            if verdicts.get(kvm) == "FAIL":
                print(f"FAIL: {case} on {chapter} ({kvm} KVM): "
                      f"{messages[(chapter, case, kvm)]}")
        if result == "nowhere":
            print(f"PASSED NOWHERE: {case} on {chapter} (skipped or not run on both KVMs)")
    print(f"integration: {len(runs)} runs: {counts['direct']} passed on direct KVM, "
          f"{counts['nested']} passed on nested KVM only, {counts['nowhere']} "
          f"skipped on both, {counts['failed']} failed")
    if counts["nowhere"] and args.skips_ok:
        print("integration: runs that passed nowhere are allowed (nested KVM is off)")
    bad = counts["failed"] or (counts["nowhere"] and not args.skips_ok)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
