#!/usr/bin/env python3
"""Runs one command in a pseudo-terminal and measures it as a person's SSH session would see it.

Prints one JSON object: CPU seconds of the process and its reaped children over the measuring window
(from /proc/PID/stat utime+stime+cutime+cstime), bytes the terminal received in that window, time to the
first frame (first output containing --marker), key-press-to-output latencies, peak RSS (VmHWM) and
resident-set samples. Used by scripts/bench; standard library only.
"""
import argparse
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

    def pump(self, timeout, marker=None):
        """Reads whatever arrives within `timeout` s; returns the time of the first read, or None."""
        ready, _, _ = select.select([self.master], [], [], max(timeout, 0))
        if not ready:
            return None
        at = time.monotonic()
        try:
            data = os.read(self.master, 65536)
        except OSError:
            data = b""
        if not data:
            raise EOFError
        self.bytes += len(data)
        if self.capture:
            self.capture.write(b"\n@%.3f %d\n" % (at - self.start, len(data)) + data)
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
    try:
        s.run_for(a.warmup, marker)
        cpu0, bytes0, t0 = cpu_seconds(pid), s.bytes, time.monotonic()
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
        if s.capture:
            s.capture.close()
            s.capture = None
        result.update(
            cpu_s=cpu_seconds(pid) - cpu0, bytes=s.bytes - bytes0, window_s=window,
            first_frame_s=s.first_frame, rss_samples=samples, hwm_kb=status_kb(pid, "VmHWM"),
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
