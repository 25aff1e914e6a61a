#!/usr/bin/env python3
"""test_faults.py - faults from the host side, under a running guest.

    tests/faults/test_faults.py [--vmm-dir DIR] [--guests DIR] [--seed N]
                                [FAULT...]

The integration cases give the VMM bad input; these tests take away, in
the middle of a run, what the VMM relies on, and check that it keeps the
machine contract (book/appendix-a-machine.md). Each FAULT runs on every
chapter that has the code it exercises (default: all four):

  fullfs    chapters 5-6: the disk's file is on a full file system (a
            small tmpfs). The guest (guests/fault-fullfs.asm) rewrites an
            allocated sector (ok), writes a hole (IOERR: ENOSPC), FLUSHes,
            reads back and says it is still running; status 0, the file
            unchanged in size. The tmpfs is mounted in a mount namespace
            of its own: `unshare -m` as root, `unshare -rm` (a user
            namespace too) otherwise; as root without namespaces, with a
            plain mount. Skipped, saying why, only if none of them works.
  truncate  chapters 5-6: the disk's file is truncated while the guest
            waits (guests/fault-truncate.asm prints "ready" and waits for
            a byte on COM1, which this test sends once the file is cut):
            reads past the new end, or across it, complete with IOERR,
            not zeros, and the VMM neither crashes nor dies of SIGBUS.
  stdout    chapters 1-6: the VMM's stdout goes away while the guest
            prints (guests/fault-stdout.asm, 16 KiB): a pipe whose reader
            closes after the first line (so the VMM's writes fail with
            EPIPE), and /dev/full (ENOSPC). The output is dropped and the
            guest runs to its end: status 42, nothing on stderr. From
            chapter 5, also the VMM started with a disk and stdout,
            stderr or stdin closed (`vmm ... >&-`), where the disk's
            file must not take the closed fd (open(2) hands out the
            lowest free one). stdout closed: status 42, the file byte
            for byte unchanged (the guest's output did not land in it);
            stderr closed, with --stats: the same (nor did the report).
            stdin closed: the VMM's fd 0 is /dev/null, and the guest
            (guests/fault-truncate.asm, which waits at "ready" for a
            byte) gets no input from the disk; SIGTERM ends it, status
            143 with the stop report.
  signals   chapters 4-6: SIGHUP, SIGINT and SIGTERM at any moment, the
            VMM on a pty (pty(7)) as at a terminal. Each signal is sent at
            fixed delays from the start (before, during and after the
            VMM's set-up), at random delays after the guest is up, as a
            burst (one every half millisecond until the VMM is gone: a
            signal during the VMM's teardown), and as the terminal itself
            sends it (Ctrl-C typed; a hangup: the pty's master closed).
            The guest is guests/fault-flush.asm with a disk (chapters
            5-6: it writes sectors 1-4, FLUSHes, prints "flushed", then
            keeps writing other sectors), or 04-echo (chapter 4, which
            has no disk; "ready" typed, "READY" echoed). Each run checks:
            the status is 128 + the signal with the stop report on stderr
            (or, for a signal that came before the VMM installed its
            handlers, a plain death by that signal); the terminal's
            settings afterwards equal those before (and were raw while
            the guest ran); and whenever "flushed" appeared, the disk
            holds sectors 1-4 as written.

Every run has a timeout, and its stderr must not hold a sanitizer's
report (the VMMs under test are normally the AddressSanitizer builds,
build/asan/). The random delays come from --seed (printed first), so a
failure can be repeated. Without a usable /dev/kvm every fault is
skipped, saying so.

Output: one PASS, FAIL or SKIP line per fault, chapter and variant, then
a summary. Exit status 0 when nothing failed, 1 otherwise.
Standard library only.
"""
import argparse
import errno
import fcntl
import os
import random
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import termios
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FAULTS = ("fullfs", "truncate", "stdout", "signals")
# The first chapter with the code each fault exercises, and its guests.
FIRST_CHAPTER = {"fullfs": 5, "truncate": 5, "stdout": 1, "signals": 4}
GUESTS = {"fullfs": ["fault-fullfs"], "truncate": ["fault-truncate"],
          "stdout": ["fault-stdout", "fault-truncate"], "signals": ["fault-flush", "04-echo"]}

SECTOR = 512
DISK_SECTORS = 64
DISK_LABEL = b"kvmbook test disk\n"
RUN_TIMEOUT_S = 30  # a run takes well under a second; this is a hang
SANITIZER_MARKS = ("Sanitizer:", "runtime error:")

# Chapters by number, as their folders are named.
CHAPTERS = sorted(d for d in os.listdir(os.path.join(ROOT, "chapters"))
                  if d[:2].isdigit() and os.path.isdir(os.path.join(ROOT, "chapters", d)))


def chapters_from(first):
    return [c for c in CHAPTERS if int(c[:2]) >= first]


class Results:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0

    def report(self, verdict, name, detail=""):
        print("%s %s%s" % (verdict, name, ": " + detail if detail else ""), flush=True)
        if verdict == "PASS":
            self.passed += 1
        elif verdict == "FAIL":
            self.failed += 1
        else:
            self.skipped += 1

    def check(self, name, problems):
        """PASS when `problems` (a list of strings) is empty, else FAIL
        with them."""
        if problems:
            self.report("FAIL", name, "; ".join(problems))
        else:
            self.report("PASS", name)


def sanitizer_report(err):
    return any(mark in err for mark in SANITIZER_MARKS)


def status_text(returncode):
    if returncode is None:
        return "still running"
    if returncode < 0:
        return "killed by %s" % signal.Signals(-returncode).name
    return "status %d" % returncode


def make_disk(path, sectors=DISK_SECTORS):
    """A disk as the integration tests make one: zero, sparse, but for a
    label at the start of sector 0."""
    with open(path, "wb") as f:
        f.truncate(sectors * SECTOR)
        f.write(DISK_LABEL)


def read_at(path, offset, size):
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read(size)


def read_until(fd, marker, timeout, got=b""):
    """Reads fd until `marker` is in what was read (or end of file, or
    the timeout); returns everything read."""
    deadline = time.monotonic() + timeout
    while marker not in got:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            break
        try:
            chunk = os.read(fd, 4096)
        except OSError as e:
            if e.errno == errno.EIO:  # a pty whose slave side is all closed
                break
            raise
        if not chunk:
            break
        got += chunk
    return got


def finish(proc, timeout=RUN_TIMEOUT_S):
    """Waits for proc (killing it at the timeout); returns the rest of
    its stdout (when a pipe), its stderr as text, and whether it timed
    out."""
    try:
        out, err = proc.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        timed_out = True
    return out or b"", (err or b"").decode(errors="replace"), timed_out


def closing(fd):
    """A preexec_fn that closes fd in the child, as `>&-` does."""
    return lambda: os.close(fd)


def common_problems(err, timed_out):
    problems = []
    if timed_out:
        problems.append("timed out after %d s" % RUN_TIMEOUT_S)
    if sanitizer_report(err):
        problems.append("sanitizer report: " + err.strip()[-800:])
    return problems


class Faults:
    def __init__(self, vmm_dir, guests, results, rng):
        self.vmm_dir = vmm_dir
        self.guests = guests
        self.results = results
        self.rng = rng
        self.tmp = tempfile.mkdtemp(prefix="kvmbook-faults-")

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def vmm(self, chapter):
        return os.path.join(self.vmm_dir, chapter, "vmm")

    def guest(self, name):
        return os.path.join(self.guests, name + ".bin")

    def image_args(self, chapter, guest, mode=None):
        """vmm [--mode MODE] ... GUEST: chapter 1 has no --mode."""
        args = ["--mode", mode] if mode and int(chapter[:2]) > 1 else []
        return args, self.guest(guest)

    # ---- stdout ----

    STDOUT_FIRST = b"fault-stdout: first line\n"
    STDOUT_STATUS = 42
    PIPE_PAGE = 4096  # the smallest pipe: the guest prints four times more

    def stdout_fault(self, chapter):
        mode_args, image = self.image_args(chapter, "fault-stdout", "real")
        argv = [self.vmm(chapter)] + mode_args + [image]
        name = "stdout %s" % chapter

        # A pipe whose reader reads the first line and goes away. With
        # one page of pipe, at most two pages of the guest's 16 KiB can
        # have left before that: the rest must meet EPIPE.
        r, w = os.pipe()
        fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, self.PIPE_PAGE)
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=w,
                                stderr=subprocess.PIPE)
        os.close(w)
        got = read_until(r, b"\n", RUN_TIMEOUT_S)
        os.close(r)
        _, err, timed_out = finish(proc)
        problems = common_problems(err, timed_out)
        if not got.startswith(self.STDOUT_FIRST):
            problems.append("the first line was %r" % got[:60])
        if proc.returncode != self.STDOUT_STATUS:
            problems.append("%s, expected status %d (the guest's end)"
                            % (status_text(proc.returncode), self.STDOUT_STATUS))
        if err:
            problems.append("stderr: %r" % err[-300:])
        self.results.check(name + ": the reader closes the pipe", problems)

        # A file that takes nothing: every write fails with ENOSPC.
        with open("/dev/full", "wb") as full:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=full,
                                    stderr=subprocess.PIPE)
            _, err, timed_out = finish(proc)
        problems = common_problems(err, timed_out)
        if proc.returncode != self.STDOUT_STATUS:
            problems.append("%s, expected status %d"
                            % (status_text(proc.returncode), self.STDOUT_STATUS))
        if err:
            problems.append("stderr: %r" % err[-300:])
        self.results.check(name + ": stdout is /dev/full", problems)
        if int(chapter[:2]) >= 5:
            self.closed_std_fd(chapter, mode_args, image)

    def closed_std_fd(self, chapter, mode_args, image):
        """The VMM started with fd 1, 2 or 0 closed, and a disk. Unless
        the VMM takes the fd first, open(2) gives the disk's file the
        closed fd (the lowest free one), and what goes to that stream
        goes into the disk, or comes out of it."""
        disk = os.path.join(self.tmp, "disk.img")
        name = "stdout %s" % chapter
        for closed, extra in ((1, []), (2, ["--stats"])):
            make_disk(disk)
            before = read_at(disk, 0, DISK_SECTORS * SECTOR)
            argv = [self.vmm(chapter)] + extra + mode_args + ["--disk", disk, image]
            proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL if closed == 2 else None,
                stderr=subprocess.PIPE if closed == 1 else None,
                preexec_fn=closing(closed))
            _, err, timed_out = finish(proc)
            problems = common_problems(err, timed_out)
            if proc.returncode != self.STDOUT_STATUS:
                problems.append("%s, expected status %d"
                                % (status_text(proc.returncode), self.STDOUT_STATUS))
            if err:
                problems.append("stderr: %r" % err[-300:])
            after = read_at(disk, 0, 2 * DISK_SECTORS * SECTOR)
            if after != before:
                problems.append("the disk changed (the guest never writes it): "
                                "it is %d bytes and begins %r" % (len(after), after[:40]))
            os.remove(disk)
            self.results.check("%s: fd %d closed, with a disk%s"
                               % (name, closed, " and --stats" if extra else ""), problems)

        # stdin closed: the VMM's fd 0 must be /dev/null, which the
        # terminal thread reads to its end at once; so the guest, waiting
        # at "ready" for a byte, waits until SIGTERM.
        make_disk(disk)
        proc = subprocess.Popen(
            [self.vmm(chapter), "--disk", disk, self.guest("fault-truncate")],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=closing(0))
        got = read_until(proc.stdout.fileno(), b"ready\n", RUN_TIMEOUT_S)
        problems = []
        try:
            stdin = os.readlink("/proc/%d/fd/0" % proc.pid)
        except OSError as e:
            stdin = "gone (%s)" % e.strerror
        if stdin != os.devnull:
            problems.append("the VMM's fd 0 is %s, expected %s" % (stdin, os.devnull))
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        rest, err, timed_out = finish(proc)
        out = got + rest
        problems += common_problems(err, timed_out)
        if out != self.TRUNCATE_BEFORE:
            problems.append("stdout %r, expected %r: the guest had input"
                            % (out, self.TRUNCATE_BEFORE))
        if not (proc.returncode == 128 + signal.SIGTERM
                and "vmm: stopped by %s after " % self.REPORT_NAMES[signal.SIGTERM] in err):
            problems.append("%s, expected status %d and the stop report; stderr: %r"
                            % (status_text(proc.returncode), 128 + signal.SIGTERM, err[-300:]))
        os.remove(disk)
        self.results.check("%s: fd 0 closed, with a disk" % name, problems)

    # ---- truncate ----

    TRUNCATE_SIZES = {
        # the file's new size: what the guest must print after "ready"
        8 * SECTOR + 100: b"read sector 40: ioerr\n"
                          b"read sectors 7-8: ioerr\n"
                          b"read sector 8: ioerr\n"
                          b"read sector 0: ok\n"
                          b"sector 0: kvmbook test disk\n",
        0: b"read sector 40: ioerr\n"
           b"read sectors 7-8: ioerr\n"
           b"read sector 8: ioerr\n"
           b"read sector 0: ioerr\n",
    }
    TRUNCATE_BEFORE = b"read sector 40: ok\nready\n"

    def truncate_fault(self, chapter):
        for size, after in self.TRUNCATE_SIZES.items():
            disk = os.path.join(self.tmp, "disk.img")
            make_disk(disk)
            proc = subprocess.Popen(
                [self.vmm(chapter), "--disk", disk, self.guest("fault-truncate")],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            got = read_until(proc.stdout.fileno(), b"ready\n", RUN_TIMEOUT_S)
            os.truncate(disk, size)
            try:
                proc.stdin.write(b"g")  # the guest's word to go on
                proc.stdin.close()
            except BrokenPipeError:
                pass
            proc.stdin = None  # closed: communicate must leave it alone
            rest, err, timed_out = finish(proc)
            out = got + rest
            problems = common_problems(err, timed_out)
            if out != self.TRUNCATE_BEFORE + after:
                problems.append("stdout %r, expected %r" % (out, self.TRUNCATE_BEFORE + after))
            if proc.returncode != 0:
                problems.append(status_text(proc.returncode) + ", expected status 0")
            if err:
                problems.append("stderr: %r" % err[-300:])
            if os.path.getsize(disk) != size:
                problems.append("the file is %d bytes now" % os.path.getsize(disk))
            os.remove(disk)
            self.results.check("truncate %s: the file cut to %d bytes under the guest"
                               % (chapter, size), problems)

    # ---- fullfs ----

    FULLFS_SIZE = "256k"
    FULLFS_OUT = (b"write sector 0: ok\n"
                  b"write sector 32: ioerr\n"
                  b"flush: ok\n"
                  b"read sector 0: ok\n"
                  b"sector 0: rewritten by fault-fullfs\n"
                  b"still running\n")
    FULLFS_SECTOR0 = b"rewritten by fault-fullfs\n"
    FULLFS_HOLE = 32

    def fullfs_fault(self, chapters):
        """Runs the fullfs checks in a mount namespace of their own, or
        with a plain mount as root; skips, saying why, otherwise."""
        mnt = os.path.join(self.tmp, "fullfs")
        os.mkdir(mnt)
        inner = [sys.executable, os.path.abspath(__file__), "--vmm-dir", self.vmm_dir,
                 "--guests", self.guests, "--inside-fullfs", mnt] + ["fullfs"]
        inner += ["--chapters", ",".join(chapters)]
        tried = []
        ways = [["unshare", "-m"]] if os.geteuid() == 0 else []
        ways.append(["unshare", "-r", "-m"])
        for way in ways:
            probe = subprocess.run(way + ["mount", "-t", "tmpfs", "-o", "size=64k",
                                          "tmpfs", mnt],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            if probe.returncode == 0:
                self.relay(subprocess.run(way + inner, stdout=subprocess.PIPE,
                                          stderr=subprocess.STDOUT))
                return
            tried.append("`%s mount -t tmpfs` said %r"
                         % (" ".join(way), probe.stdout.decode(errors="replace").strip()))
        if os.geteuid() == 0:
            mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=" + self.FULLFS_SIZE,
                                      "tmpfs", mnt], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
            if mounted.returncode == 0:
                try:
                    self.fullfs_inside(mnt, chapters)
                finally:
                    subprocess.run(["umount", mnt])
                return
            tried.append("a plain mount said %r" % mounted.stdout.decode(errors="replace").strip())
        else:
            tried.append("not root, so no plain mount")
        for chapter in chapters:
            self.results.report("SKIP", "fullfs %s" % chapter,
                                "cannot mount a small tmpfs: " + "; ".join(tried))

    def relay(self, run):
        """Passes on the inner run's result lines, counting them."""
        lines = run.stdout.decode(errors="replace").splitlines()
        for line in lines:
            verdict, _, rest = line.partition(" ")
            if verdict in ("PASS", "FAIL", "SKIP"):
                name, _, detail = rest.partition(": ")
                self.results.report(verdict, name, detail)
            else:
                print(line)
        if run.returncode != 0 and not any(l.startswith("FAIL") for l in lines):
            self.results.report("FAIL", "fullfs", "the namespaced run exited %d"
                                % run.returncode)

    def fill(self, mnt):
        """Fills the file system at mnt; True when a new block is then
        refused (ENOSPC), as the test needs."""
        fd = os.open(os.path.join(mnt, "filler"), os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            while True:
                os.write(fd, b"\0" * 4096)
        except OSError as e:
            if e.errno != errno.ENOSPC:
                raise
        finally:
            os.close(fd)
        fd = os.open(os.path.join(mnt, "probe"), os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            os.write(fd, b"x")
            return False
        except OSError as e:
            return e.errno == errno.ENOSPC
        finally:
            os.close(fd)

    def fullfs_inside(self, mnt, chapters):
        """The checks themselves, with a tmpfs of FULLFS_SIZE at mnt."""
        for chapter in chapters:
            name = "fullfs %s: writes to a full file system" % chapter
            for f in os.listdir(mnt):
                os.remove(os.path.join(mnt, f))
            disk = os.path.join(mnt, "disk.img")
            make_disk(disk)  # sector 0's block allocated, the rest a hole
            if not self.fill(mnt):
                self.results.report("FAIL", name, "the tmpfs did not fill up")
                continue
            proc = subprocess.Popen(
                [self.vmm(chapter), "--disk", disk, self.guest("fault-fullfs")],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            out, err, timed_out = finish(proc)
            problems = common_problems(err, timed_out)
            if out != self.FULLFS_OUT:
                problems.append("stdout %r, expected %r" % (out, self.FULLFS_OUT))
            if proc.returncode != 0:
                problems.append(status_text(proc.returncode) + ", expected status 0")
            if err:
                problems.append("stderr: %r" % err[-300:])
            if os.path.getsize(disk) != DISK_SECTORS * SECTOR:
                problems.append("the disk file is %d bytes now" % os.path.getsize(disk))
            if not read_at(disk, 0, SECTOR).startswith(self.FULLFS_SECTOR0):
                problems.append("sector 0 was not rewritten")
            if read_at(disk, self.FULLFS_HOLE * SECTOR, SECTOR) != bytes(SECTOR):
                problems.append("sector %d is not zero" % self.FULLFS_HOLE)
            self.results.check(name, problems)

    # ---- signals ----

    STOP_SIGNALS = (signal.SIGHUP, signal.SIGINT, signal.SIGTERM)
    REPORT_NAMES = {signal.SIGHUP: "SIGHUP (hangup)", signal.SIGINT: "SIGINT (Ctrl-C)",
                    signal.SIGTERM: "SIGTERM"}
    # From the start: before the VMM has its handlers, while it sets up,
    # and, on a fast machine, after the guest has begun.
    STARTUP_DELAYS_S = (0, 0.001, 0.003, 0.01, 0.03, 0.1)
    RANDOM_RUNS = 4
    RANDOM_DELAY_MAX_S = 0.05
    BURST_GAP_S = 0.0005
    PATTERN = bytes(ord("A") + i % 26 for i in range(4 * SECTOR))  # sectors 1-4

    def signal_guest(self, chapter, disk):
        """argv, the input to type once it runs, and the output that says
        the guest is up."""
        if disk:
            return ([self.vmm(chapter), "--disk", disk, self.guest("fault-flush")],
                    b"", b"flushed")
        return [self.vmm(chapter), self.guest("04-echo")], b"ready\r", b"READY"

    def signal_run(self, chapter, sig, when, delay=0.0):
        """One run on a pty. `when`: "startup" (the signal `delay` s after
        the start), "up" (`delay` s after the guest is up), "burst" (from
        then on, until the VMM is gone), "typed" (Ctrl-C typed at the
        terminal) or "hangup" (the terminal's master closed). Returns a
        list of problems."""
        has_disk = int(chapter[:2]) >= 5
        disk = os.path.join(self.tmp, "disk.img") if has_disk else None
        if disk:
            make_disk(disk)
        argv, typed, up = self.signal_guest(chapter, disk)
        master, slave = os.openpty()
        before = termios.tcgetattr(slave)

        def controlling_tty():  # in the child, after setsid
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=subprocess.PIPE,
                                start_new_session=True, preexec_fn=controlling_tty)
        problems = []
        out = b""
        raw_while_up = None
        if when == "startup":
            time.sleep(delay)
            proc.send_signal(sig)
        else:
            if typed:
                os.write(master, typed)
            out = read_until(master, up, RUN_TIMEOUT_S)
            if up not in out:
                problems.append("the guest never said %r; it printed %r" % (up, out[-200:]))
            lflag = termios.tcgetattr(slave)[3]
            raw_while_up = not (lflag & (termios.ICANON | termios.ECHO))
            time.sleep(delay)
            if when == "typed":
                os.write(master, b"\x03")  # Ctrl-C: the terminal sends SIGINT
            elif when == "hangup":
                os.close(master)
                master = None
            elif when == "burst":
                while proc.poll() is None:
                    try:
                        proc.send_signal(sig)
                    except ProcessLookupError:
                        break
                    time.sleep(self.BURST_GAP_S)
            else:
                proc.send_signal(sig)
        # Drain the terminal while the VMM ends.
        deadline = time.monotonic() + RUN_TIMEOUT_S
        while master is not None and proc.poll() is None and time.monotonic() < deadline:
            out = read_until(master, b"\0never\0", 0.05, out)
        _, err, timed_out = finish(proc)
        if master is not None:
            out = read_until(master, b"\0never\0", 0, out)
            after = termios.tcgetattr(slave)
        os.close(slave)
        if master is not None:
            os.close(master)
        problems += common_problems(err, timed_out)

        report = "vmm: stopped by %s after " % self.REPORT_NAMES[sig]
        stopped = proc.returncode == 128 + sig and report in err
        if when == "startup":
            # Before its handlers are in place, the signal simply kills it.
            if not stopped and proc.returncode != -sig:
                problems.append("%s, expected status %d and the stop report, or death by %s"
                                "; stderr: %r" % (status_text(proc.returncode), 128 + sig,
                                                 sig.name, err[-300:]))
        elif not stopped:
            problems.append("%s, expected status %d and the stop report; stderr: %r"
                            % (status_text(proc.returncode), 128 + sig, err[-300:]))
        if raw_while_up is False:
            problems.append("the terminal was not in raw mode while the guest ran")
        if when != "hangup" and after != before:
            problems.append("the terminal's settings were not restored: %r, before %r"
                            % (after, before))
        if disk:
            problems += self.disk_problems(disk, b"flushed" in out)
            os.remove(disk)
        return problems

    def disk_problems(self, disk, flushed):
        problems = []
        if os.path.getsize(disk) != DISK_SECTORS * SECTOR:
            problems.append("the disk file is %d bytes now" % os.path.getsize(disk))
        if flushed and read_at(disk, SECTOR, len(self.PATTERN)) != self.PATTERN:
            problems.append("'flushed' was printed, but sectors 1-4 do not hold the pattern")
        if read_at(disk, 5 * SECTOR, 3 * SECTOR) != bytes(3 * SECTOR):
            problems.append("sectors 5-7, never written, are not zero")
        return problems

    def signals_fault(self, chapter):
        for sig in self.STOP_SIGNALS:
            plan = [("startup", d) for d in self.STARTUP_DELAYS_S]
            plan += [("up", 0.0)]
            plan += [("up", self.rng.uniform(0, self.RANDOM_DELAY_MAX_S))
                     for _ in range(self.RANDOM_RUNS)]
            plan += [("burst", 0.0)]
            if sig == signal.SIGINT:
                plan.append(("typed", 0.0))
            if sig == signal.SIGHUP:
                plan.append(("hangup", 0.0))
            failures = []
            for when, delay in plan:
                problems = self.signal_run(chapter, sig, when, delay)
                if problems:
                    failures.append("%s %.4f s: %s" % (when, delay, "; ".join(problems)))
            self.results.check("signals %s %s: %d runs (%s)"
                               % (chapter, sig.name, len(plan),
                                  ", ".join(sorted(set(w for w, _ in plan)))), failures)


def kvm_usable():
    try:
        os.close(os.open("/dev/kvm", os.O_RDWR))
        return None
    except OSError as e:
        return "/dev/kvm is not usable here (%s)" % e.strerror


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vmm-dir", default="build/asan",
                    help="where the vmms are: DIR/NN-name/vmm (default build/asan)")
    ap.add_argument("--guests", default="build/guests",
                    help="where the guests are: DIR/NAME.bin (default build/guests)")
    ap.add_argument("--seed", type=int, help="the random delays' seed")
    ap.add_argument("--inside-fullfs", metavar="DIR", help=argparse.SUPPRESS)
    ap.add_argument("--chapters", help=argparse.SUPPRESS)
    ap.add_argument("faults", nargs="*", metavar="FAULT",
                    help="fullfs, truncate, stdout, signals (default: all)")
    args = ap.parse_args()
    for fault in args.faults:
        if fault not in FAULTS:
            ap.error("no fault %r (%s)" % (fault, ", ".join(FAULTS)))
    faults = args.faults or FAULTS
    vmm_dir = os.path.abspath(os.path.join(ROOT, args.vmm_dir))
    guests = os.path.abspath(os.path.join(ROOT, args.guests))
    seed = args.seed if args.seed is not None else random.randrange(1 << 32)
    results = Results()
    tests = Faults(vmm_dir, guests, results, random.Random(seed))
    try:
        if args.inside_fullfs:  # the inner run, in its mount namespace
            subprocess.run(["mount", "-t", "tmpfs", "-o", "size=" + Faults.FULLFS_SIZE,
                            "tmpfs", args.inside_fullfs], check=True)
            tests.fullfs_inside(args.inside_fullfs, args.chapters.split(","))
            return 1 if results.failed else 0
        print("faults: seed %d (--seed %d repeats these delays)" % (seed, seed), flush=True)
        why = kvm_usable()
        for fault in faults:
            if why:
                results.report("SKIP", fault, why)
                continue
            chapters = []
            for chapter in chapters_from(FIRST_CHAPTER[fault]):
                missing = [f for f in [tests.vmm(chapter)] + [tests.guest(g) for g in GUESTS[fault]]
                           if not os.path.exists(f)]
                if missing:
                    results.report("FAIL", "%s %s" % (fault, chapter),
                                   "missing %s (make test builds them)" % ", ".join(missing))
                else:
                    chapters.append(chapter)
            if fault == "fullfs":
                if chapters:
                    tests.fullfs_fault(chapters)
            else:
                for chapter in chapters:
                    getattr(tests, fault + "_fault")(chapter)
    finally:
        tests.close()
    print("faults: %d passed, %d failed, %d skipped"
          % (results.passed, results.failed, results.skipped))
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
