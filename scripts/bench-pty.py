#!/usr/bin/env python3
"""Runs one command in a pseudo-terminal and measures it as a person's SSH session would see it.

Prints one JSON object: CPU seconds of the process and its reaped children over the measuring window
(from /proc/PID/stat utime+stime+cutime+cstime), bytes the terminal received in that window, time to the
first frame (first output containing --marker), key-press-to-output latencies, peak RSS (VmHWM) and
resident-set samples. With --probes it also keeps a screen (a small vt100 emulator: the board redraws only
changed cells, so a name can appear without being written whole) and records the Unix time each probe
call's name (`PROBE 0007`) first shows on it. Used by scripts/bench; standard library only.
"""
import argparse
import codecs
import re
import unicodedata
import fcntl
import json
import os
import select
import signal
import statistics
import struct
import subprocess
import sys
import termios
import time

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """utime+stime of the process plus those of the children it has waited for."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # Fields after the name: state is [0]; utime, stime, cutime, cstime are fields 14-17 of the line.
    return sum(int(x) for x in fields[11:15]) / TICKS


def status_kb(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


PROBE = re.compile(r"PROBE \d{4}")
# CSI (with private markers and intermediates), OSC (ended by BEL or ST), or a two-character escape.
ESCAPE = re.compile(r"\x1b(?:\[([?>=!]?)([0-9;:]*)[ -/]*([@-~])|\][^\x07\x1b]*(?:\x07|\x1b\\)|[^\[\]])")


class Screen:
    """What a terminal shows, from the bytes it receives: text, cursor moves and erases (colours ignored)."""

    def __init__(self, cols, rows):
        self.cols, self.rows = cols, rows
        self.grid = [[" "] * cols for _ in range(rows)]
        self.x = self.y = 0
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.pending = ""

    def feed(self, data):
        text = self.pending + self.decoder.decode(data)
        self.pending = ""
        i = 0
        while i < len(text):
            c = text[i]
            if c == "\x1b":
                m = ESCAPE.match(text, i)
                if m is None:
                    if len(text) - i < 64:  # an escape cut by the read: finish it with the next one
                        self.pending = text[i:]
                        return
                    i += 1
                    continue
                if m.group(3):
                    self.csi(m.group(1), m.group(2), m.group(3))
                i = m.end()
                continue
            i += 1
            if c == "\r":
                self.x = 0
            elif c == "\n":
                self.down()
            elif c == "\b":
                self.x = max(0, self.x - 1)
            elif c >= " ":
                self.put(c)

    def put(self, c):
        if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf"):
            return
        width = 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1
        if self.x + width > self.cols:
            self.x = 0
            self.down()
        row = self.grid[self.y]
        row[self.x] = c
        if width == 2:
            row[self.x + 1] = ""
        self.x += width

    def down(self):
        if self.y + 1 < self.rows:
            self.y += 1
        else:
            self.grid.pop(0)
            self.grid.append([" "] * self.cols)

    def csi(self, private, params, final):
        if private:
            return  # modes (cursor, alternate screen): nothing drawn
        args = [int(p) if p.isdigit() else 0 for p in params.split(";")] if params else []
        n = max(args[0] if args else 1, 1)
        clamp = lambda v, hi: max(0, min(v, hi - 1))
        if final == "A":
            self.y = clamp(self.y - n, self.rows)
        elif final == "B":
            self.y = clamp(self.y + n, self.rows)
        elif final == "C":
            self.x = clamp(self.x + n, self.cols)
        elif final == "D":
            self.x = clamp(self.x - n, self.cols)
        elif final == "G":
            self.x = clamp(n - 1, self.cols)
        elif final == "d":
            self.y = clamp(n - 1, self.rows)
        elif final in "Hf":
            self.y = clamp(n - 1, self.rows)
            self.x = clamp(max(args[1] if len(args) > 1 else 1, 1) - 1, self.cols)
        elif final in "JK":
            mode = args[0] if args else 0
            blank = lambda y, a, b: self.grid[y].__setitem__(slice(a, b), [" "] * (b - a))
            if final == "K":
                a, b = {0: (self.x, self.cols), 1: (0, self.x + 1)}.get(mode, (0, self.cols))
                blank(self.y, a, b)
            else:
                ys = {0: range(self.y + 1, self.rows), 1: range(0, self.y)}.get(mode, range(self.rows))
                for y in ys:
                    blank(y, 0, self.cols)
                if mode == 0:
                    blank(self.y, self.x, self.cols)
                elif mode == 1:
                    blank(self.y, 0, self.x + 1)

    def text(self):
        return "\n".join("".join(row) for row in self.grid)


class Session:
    def __init__(self, cmd, cols, rows, env):
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.start = time.monotonic()
        self.proc = subprocess.Popen(
            cmd, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True,
            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
        )
        os.close(slave)
        self.bytes = 0
        self.capture = None
        self.tail = b""
        self.first_frame = None
        self.screen = None
        self.probes = {}

    def pump(self, timeout, marker=None):
        """Reads whatever arrives within `timeout` s; returns the time of the first read, or None."""
        ready, _, _ = select.select([self.master], [], [], max(timeout, 0))
        if not ready:
            return None
        at, wall = time.monotonic(), time.time()
        try:
            data = os.read(self.master, 65536)
        except OSError:
            data = b""
        if not data:
            raise EOFError
        self.bytes += len(data)
        if self.capture:
            self.capture.write(b"\n@%.3f %d\n" % (at - self.start, len(data)) + data)
        if self.screen:
            self.screen.feed(data)
            for name in PROBE.findall(self.screen.text()):
                self.probes.setdefault(name, wall)
        if marker and self.first_frame is None:
            self.tail = (self.tail + data)[-4096:]
            if marker in self.tail:
                self.first_frame = at - self.start
        return at

    def run_for(self, secs, marker=None, on_tick=None):
        end = time.monotonic() + secs
        while (left := end - time.monotonic()) > 0:
            self.pump(min(left, 0.25), marker)
            if on_tick:
                on_tick()

    def type(self, text):
        """Types `text` a key at a time, as a person would."""
        for ch in text:
            os.write(self.master, ch.encode())
            self.run_for(0.02)

    def quiet(self, secs, limit):
        """Reads until nothing arrives for `secs` (at most `limit` s)."""
        end = time.monotonic() + limit
        while time.monotonic() < end:
            if self.pump(secs) is None:
                return

    def key_latency(self, key):
        """Sends `key` once the screen is quiet; seconds until the terminal receives output."""
        # The board redraws once a second: press half-way between two of those frames, so a clock frame
        # is not taken for the answer to the key.
        self.quiet(0.15, 3)
        tick = self.pump(1.5) or time.monotonic()
        self.quiet(0.05, 0.4)
        time.sleep(max(0, tick + 0.5 - time.monotonic()))
        sent = time.monotonic()
        os.write(self.master, key)
        got = self.pump(2)
        self.quiet(0.05, 1)
        return None if got is None else got - sent

    def stop(self, quit_key):
        if quit_key:
            os.write(self.master, quit_key)
        else:
            os.killpg(self.proc.pid, signal.SIGINT)
        deadline = time.monotonic() + 5
        pid = self.proc.pid
        # Reaped with wait4 (not Popen.poll) to get the rusage: peak RSS of the process and its children.
        done, _, usage = os.wait4(pid, os.WNOHANG)
        while not done and time.monotonic() < deadline:
            try:
                self.pump(0.1)
            except EOFError:
                time.sleep(0.05)
            done, _, usage = os.wait4(pid, os.WNOHANG)
        if not done:
            os.killpg(pid, signal.SIGKILL)
            _, _, usage = os.wait4(pid, 0)
        self.proc.returncode = -1
        os.close(self.master)
        return usage


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--cols", type=int, default=200)
    p.add_argument("--rows", type=int, default=50)
    p.add_argument("--warmup", type=float, default=0, help="seconds before the measuring window")
    p.add_argument("--secs", type=float, required=True, help="length of the measuring window")
    p.add_argument("--marker", default="", help="text whose first appearance is the first frame")
    p.add_argument("--keys", default="", help="keys to press one by one after the window, e.g. 'jk>'")
    p.add_argument("--key-rounds", type=int, default=5)
    p.add_argument("--quit", default="", help="key that quits (else SIGINT to the process group)")
    p.add_argument("--rss-every", type=float, default=0, help="sample VmRSS this often (s)")
    p.add_argument("--type", default="", help="text to type 1 s after start, e.g. '/PROBE\\r' (\\r is Enter)")
    p.add_argument("--probes", action="store_true",
                   help="record when each probe call's name (PROBE nnnn) first shows on screen (Unix time)")
    p.add_argument("--capture", help="write what the terminal receives in the window to this file, each read "
                   "after a line '@SECONDS BYTES'")
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    a = p.parse_args()
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    env = dict(os.environ, TERM=os.environ.get("TERM", "xterm-256color"), COLUMNS=str(a.cols), LINES=str(a.rows))
    s = Session(cmd, a.cols, a.rows, env)
    marker = a.marker.encode() if a.marker else None
    pid = s.proc.pid
    result = {"cmd": " ".join(cmd)}
    if a.probes:
        s.screen = Screen(a.cols, a.rows)
    try:
        if a.type:
            s.run_for(1, marker)
            s.type(a.type.replace("\\r", "\r"))
        s.run_for(max(a.warmup - (1 if a.type else 0), 0), marker)
        cpu0, bytes0, t0 = cpu_seconds(pid), s.bytes, time.monotonic()
        result["window_unix"] = [time.time()]
        if a.capture:
            s.capture = open(a.capture, "wb")
        samples = []
        next_sample = [t0]

        def sample():
            now = time.monotonic()
            if a.rss_every and now >= next_sample[0]:
                samples.append([round(now - t0, 2), status_kb(pid, "VmRSS")])
                next_sample[0] = now + a.rss_every

        s.run_for(a.secs, marker, sample)
        window = time.monotonic() - t0
        result["window_unix"].append(time.time())
        if s.capture:
            s.capture.close()
            s.capture = None
        result.update(
            cpu_s=cpu_seconds(pid) - cpu0, bytes=s.bytes - bytes0, window_s=window,
            first_frame_s=s.first_frame, rss_samples=samples, hwm_kb=status_kb(pid, "VmHWM"),
            probes_seen=s.probes,
        )
        latencies = {}
        for key in a.keys:
            got = [s.key_latency(key.encode()) for _ in range(a.key_rounds)]
            got = [x for x in got if x is not None]
            latencies[key] = statistics.median(got) if got else None
        result["key_s"] = latencies
    except EOFError:
        result["error"] = "the command exited early"
    usage = s.stop(a.quit.encode() if a.quit else None)
    result["maxrss_kb"] = usage.ru_maxrss
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
