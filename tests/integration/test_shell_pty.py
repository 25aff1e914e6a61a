#!/usr/bin/env python3
"""test_shell_pty.py - chapter 6's Linux shell, driven through a real pty.

    tests/integration/test_shell_pty.py [--vmm PATH] [--transcript FILE]

The integration case "Linux runs a shell on the console, fed from stdin"
pipes its input: raw mode, echo and the terminal's restoration are never
exercised there. This test is the reader at a terminal instead. It opens
a pseudo-terminal (pty(7)), starts the VMM on it exactly as `make
run-linux` does (on nested KVM through scripts/nested-kvm.sh
--interactive when scripts/kvm-check.sh --linux says so, else directly),
and, playing the terminal, waits for the guest's prompt, types
`uname -r`, `cat /proc/cpuinfo | head -3` and a write to the virtio disk,
answers the shell's cursor position queries (ESC[6n) as a terminal does,
types `exit`, and checks that:
- the answers are right (the kernel's version is the one built into
  build/linux/kernel/lib/modules, cpuinfo names a "processor");
- the VMM (and nested-kvm.sh) exit with status 0;
- the terminal's settings afterwards are those it had before;
- no input is left over for the shell that started the VMM: a reply to
  a cursor position query that arrives after QEMU has gone (this test
  sends one then, on purpose) is dropped, not left in the pty's input
  queue, and no reply is ever echoed;
- the disk image holds the line written to it.

Exit status 0 when every check passed, 1 otherwise (with the transcript's
end). --transcript FILE keeps the session (escape sequences shown as
^[) after a success. Standard library only.
"""
import argparse
import errno
import fcntl
import os
import re
import secrets
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LINUX = "build/linux"
# As the Makefile's run-linux target boots it.
CMDLINE = "console=ttyS0 reboot=k panic=-1 kvmbook.shell"
PROMPT = "kvmbook:/# "  # guests/linux/init: PS1='kvmbook:\w# '
CURSOR_QUERY = b"\x1b[6n"  # ECMA-48 DSR 6: "where is the cursor?"
CURSOR_REPLY = b"\x1b[24;12R"  # CPR: row 24, column 12
ROWS, COLS = 24, 80

# Generous: on nested KVM under TCG the prompt came after 35-60 s.
PROMPT_TIMEOUT_S = 400
COMMAND_TIMEOUT_S = 120
EXIT_TIMEOUT_S = 180
NESTED_TIMEOUT_S = 900  # nested-kvm.sh's own limit, behind ours

CSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


class Failure(Exception):
    pass


def log(msg):
    print("shell-pty: " + msg, flush=True)


def kernel_version():
    mods = os.listdir(os.path.join(ROOT, LINUX, "kernel/lib/modules"))
    if len(mods) != 1:
        raise Failure("expected one kernel in %s/kernel/lib/modules, found %r" % (LINUX, mods))
    return mods[0]


def use_nested():
    """scripts/kvm-check.sh --linux: 0 direct, 1 nested (it says why)."""
    status = subprocess.call([os.path.join(ROOT, "scripts/kvm-check.sh"), "--linux"])
    if status not in (0, 1):
        raise Failure("kvm-check.sh --linux exited %d" % status)
    return status == 1


def vmm_args(vmm, disk):
    return [vmm, "--kernel", LINUX + "/vmlinuz", "--initrd", LINUX + "/initramfs.cpio.gz",
            "--disk", disk, "--rng", "--append", CMDLINE]


class Terminal:
    """The master side of a pty, played as a terminal would: it records
    all output, answers cursor position queries, and types."""

    def __init__(self):
        self.master, self.slave = os.openpty()
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.output = bytearray()
        self.scanned = 0  # output up to here searched for queries
        self.queries = 0

    def pump(self, timeout):
        """Reads what comes within `timeout` s: how many bytes, -1 at the
        end of output (when no slave descriptor is left open)."""
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return 0
        try:
            data = os.read(self.master, 4096)
        except OSError as e:  # EIO: every slave descriptor is closed
            if e.errno == errno.EIO:
                return -1
            raise
        if not data:
            return -1
        self.output += data
        while True:
            at = self.output.find(CURSOR_QUERY, self.scanned)
            if at < 0:
                break
            self.scanned = at + len(CURSOR_QUERY)
            self.queries += 1
            self.type(CURSOR_REPLY)
        self.scanned = max(self.scanned, len(self.output) - len(CURSOR_QUERY) + 1)
        return len(data)

    def type(self, data):
        os.write(self.master, data)

    def text(self):
        """The output without escape sequences and CRs. An index into it
        stays valid as output grows, up to a sequence still incomplete."""
        return CSI.sub(b"", bytes(self.output)).replace(b"\r", b"").decode(
            "utf-8", "replace")

    def wait_for(self, needle, start, timeout, child):
        """Waits until `needle` appears in text() at or after `start`;
        the index where it begins."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            at = self.text().find(needle, start)
            if at >= 0:
                return at
            if self.pump(0.2) < 0 or child.poll() is not None:
                self.pump(0.5)
                at = self.text().find(needle, start)
                if at >= 0:
                    return at
                raise Failure("the VMM ended (status %s) before %r appeared"
                              % (child.poll(), needle))
        raise Failure("no %r within %d s" % (needle, timeout))

    def transcript(self):
        raw = bytes(self.output).replace(b"\r", b"").replace(b"\x1b", b"^[")
        return raw.decode("utf-8", "replace")


def descendants_named(pid, name):
    """Processes under `pid` whose command name is `name` (from /proc)."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append((int(entry), comm))
    found, todo = [], [pid]
    while todo:
        for child, comm in children.get(todo.pop(), []):
            todo.append(child)
            if comm == name:
                found.append(child)
    return found


def alive(pid):
    """True while `pid` exists and is not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def strip_echo(text, command):
    """`text` after the shell's echo of `command` (the echo wraps at the
    terminal's width: the line breaks in it do not count); None if
    `text` does not start with that echo."""
    i = 0
    for char in command:
        while i < len(text) and text[i] == "\n" and char != "\n":
            i += 1
        if i >= len(text) or text[i] != char:
            return None
        i += 1
    return text[i:]


def run_command(term, child, command, expect_in_output=None):
    """At the prompt, types `command` and waits for the next prompt; the
    output lines. What follows a prompt may be an incomplete query, so
    the text is counted from the prompt, not from the end of output."""
    start = term.text().rindex(PROMPT) + len(PROMPT)
    term.type(command.encode() + b"\r")
    at = term.wait_for(PROMPT, start, COMMAND_TIMEOUT_S, child)
    text = term.text()[start:at]
    rest = strip_echo(text, command)
    if rest is None:
        raise Failure("the shell did not echo %r: %r" % (command, text))
    output = [line for line in rest.split("\n") if line]
    log("%s -> %r" % (command, output))
    if expect_in_output and not any(expect_in_output in line for line in output):
        raise Failure("%r: no %r in %r" % (command, expect_in_output, output))
    return output


def pending_input(fd, settings):
    """What the pty holds for its next reader. Non-canonical mode makes a
    partial line readable too; the caller has compared the settings."""
    raw = list(settings)
    raw[3] &= ~(termios.ICANON | termios.ECHO)
    raw[6] = list(raw[6])
    raw[6][termios.VMIN] = 0
    raw[6][termios.VTIME] = 0
    termios.tcsetattr(fd, termios.TCSANOW, raw)
    try:
        return os.read(fd, 4096)
    finally:
        termios.tcsetattr(fd, termios.TCSANOW, settings)


def session(args, work):
    version = kernel_version()
    nested = use_nested()
    nonce = "kvmbook-pty-" + secrets.token_hex(4)
    copy_out = None
    if nested:
        # Inside the nested machine the disk is a copy in its tmpfs; the
        # lines of it that hold our text come back out with --copy-out.
        copy_out = "build/test-results/shell-pty-%d.txt" % os.getpid()
        inner_disk = "/tmp/shell-pty-disk.img"
        script = ('cp %s/disk.img %s && "$@"; s=$?; strings %s | grep kvmbook-pty > %s; exit $s'
                  % (LINUX, inner_disk, inner_disk, copy_out))
        argv = ([os.path.join(ROOT, "scripts/nested-kvm.sh"), "--interactive",
                 "--copy-out", copy_out, "sh", "-c", script, "sh"]
                + vmm_args(args.vmm, inner_disk))
    else:
        disk = os.path.join(work, "disk.img")
        shutil.copyfile(os.path.join(ROOT, LINUX, "disk.img"), disk)
        argv = vmm_args(args.vmm, disk)
    log("%s KVM: %s" % ("nested" if nested else "direct", " ".join(argv)))

    term = Terminal()
    before = termios.tcgetattr(term.slave)
    env = dict(os.environ, TERM="vt100", KVMBOOK_NESTED_TIMEOUT=str(NESTED_TIMEOUT_S))
    started = time.monotonic()
    # A session of its own with the pty as its controlling terminal, as
    # a login shell's command would have: Ctrl-C, job control, SIGTTIN.
    child = subprocess.Popen(argv, cwd=ROOT, env=env, stdin=term.slave, stdout=term.slave,
                             stderr=term.slave, start_new_session=True,
                             preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
    try:
        term.wait_for(PROMPT, 0, PROMPT_TIMEOUT_S, child)
        log("prompt after %.0f s" % (time.monotonic() - started))
        qemu = descendants_named(child.pid, "qemu-system-x86") if nested else []
        if nested and len(qemu) != 1:
            raise Failure("expected one QEMU under nested-kvm.sh, found %r" % qemu)

        if run_command(term, child, "uname -r") != [version]:
            raise Failure("uname -r does not say %s" % version)
        run_command(term, child, "cat /proc/cpuinfo | head -3", "processor")
        # The answer, disk-42, is not in the echo of the command.
        run_command(term, child, "mount -t ext4 /dev/vda /mnt && echo %s > /mnt/pty.txt && "
                    "sync && umount /mnt && echo disk-$((40+2))" % nonce, "disk-42")

        exit_at = term.text().rindex(PROMPT)
        term.type(b"exit\r")
        deadline = time.monotonic() + EXIT_TIMEOUT_S
        late_reply_at = None
        while child.poll() is None:
            if time.monotonic() > deadline:
                raise Failure("the VMM did not end within %d s of exit" % EXIT_TIMEOUT_S)
            if qemu and late_reply_at is None and not alive(qemu[0]):
                # QEMU has gone; nested-kvm.sh is to drop what arrives now.
                late_reply_at = len(term.output)
                term.type(CURSOR_REPLY)
                log("QEMU ended; sent a late cursor position reply")
            term.pump(0.01)
        while term.pump(0.2) > 0:  # the rest of the output
            pass
        status = child.wait()
        log("the VMM ended with status %d, %.0f s after the start"
            % (status, time.monotonic() - started))
    except BaseException as e:
        e.tail = term.transcript()[-3000:]
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        raise
    finally:
        tail = term.transcript()[-3000:]

    problems = []
    if status != 0:
        problems.append("exit status %d, not 0" % status)
    if "kvmbook-init: done, rebooting" not in term.text()[exit_at:]:
        problems.append("no \"done, rebooting\" after exit")
    after = termios.tcgetattr(term.slave)
    if after != before:
        problems.append("the terminal's settings were not restored: %r, was %r" % (after, before))
    leftover = pending_input(term.slave, before)
    if leftover:
        problems.append("input left for the next program: %r" % leftover)
    if nested and late_reply_at is None:
        problems.append("QEMU's end was not seen, so no late reply was sent")
    if CURSOR_REPLY[1:] in term.output or b"^[[" in term.output:
        problems.append("a cursor position reply was echoed")
    if term.queries == 0:
        log("note: the shell sent no cursor position query")
    if nested:
        path = os.path.join(ROOT, copy_out)
        try:
            with open(path) as f:
                disk_text = f.read()
            os.unlink(path)
        except OSError as e:
            disk_text = ""
            problems.append("no disk text came back out: %s" % e)
    else:
        with open(os.path.join(work, "disk.img"), "rb") as f:
            disk_text = f.read().decode("latin-1")
    if nonce not in disk_text:
        problems.append("the disk image does not hold %r" % nonce)
    log("%d cursor position queries answered" % term.queries)
    return problems, term, tail


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vmm", default="chapters/06-linux-boot/vmm",
                        help="the VMM, relative to the repository (default %(default)s)")
    parser.add_argument("--transcript", help="keep the session's output here after a success")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="shell-pty-") as work:
        try:
            problems, term, tail = session(args, work)
        except Failure as e:
            print("shell-pty: the session's end:\n" + getattr(e, "tail", ""))
            print("shell-pty: FAIL: %s" % e)
            return 1
    if problems:
        print("shell-pty: the session's end:\n" + tail)
        for p in problems:
            print("shell-pty: FAIL: " + p)
        return 1
    if args.transcript:
        with open(args.transcript, "w") as f:
            f.write(term.transcript())
        log("transcript in " + args.transcript)
    log("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
