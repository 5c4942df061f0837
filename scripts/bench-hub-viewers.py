#!/usr/bin/env python3
"""Attaches N viewers to a callboard hub's Unix socket and counts what each receives.

Each viewer speaks the hub protocol as a board does: a `hello` frame (4-byte big-endian length, then JSON),
then it reads frames until the window ends. Prints one JSON object: viewers attached and refused, bytes and
frames received in the measuring window (after --warmup), per viewer and in all. Used by scripts/bench;
standard library only.
"""
import argparse
import asyncio
import json
import struct
import sys
import time


async def viewer(path, stats, start, end):
    try:
        reader, writer = await asyncio.open_unix_connection(path)
    except OSError as e:
        stats["failed"] += 1
        stats["errors"].append(str(e))
        return
    hello = json.dumps({"type": "hello", "version": 1, "client": "bench-hub-viewers"}).encode()
    writer.write(struct.pack(">I", len(hello)) + hello)
    await writer.drain()
    first = True
    try:
        while time.time() < end:
            timeout = end - time.time()
            head = await asyncio.wait_for(reader.readexactly(4), timeout)
            (length,) = struct.unpack(">I", head)
            body = await asyncio.wait_for(reader.readexactly(length), max(end - time.time(), 1))
            if first:
                first = False
                kind = json.loads(body).get("type")
                if kind != "welcome":
                    stats["refused"] += 1
                    stats["errors"].append(body[:200].decode("utf-8", "replace"))
                    return
                stats["attached"] += 1
            if time.time() >= start:
                stats["bytes"] += 4 + length
                stats["frames"] += 1
    except (asyncio.TimeoutError, asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--socket", required=True)
    p.add_argument("--viewers", type=int, required=True)
    p.add_argument("--warmup", type=float, default=10)
    p.add_argument("--secs", type=float, default=60)
    a = p.parse_args()
    stats = {"attached": 0, "refused": 0, "failed": 0, "bytes": 0, "frames": 0, "errors": []}
    t0 = time.time()
    start, end = t0 + a.warmup, t0 + a.warmup + a.secs
    await asyncio.gather(*(viewer(a.socket, stats, start, end) for _ in range(a.viewers)))
    stats["errors"] = stats["errors"][:5]
    stats["window_s"] = a.secs
    stats["window_unix"] = [start, end]
    per = max(stats["attached"], 1)
    stats["bytes_per_viewer_per_min"] = stats["bytes"] / per / a.secs * 60
    json.dump(stats, sys.stdout)


asyncio.run(main())
