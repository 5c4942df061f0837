#!/usr/bin/env python3
"""Bytes on the wire per poll: the requests callboard's poll makes (account active calls, view=Detailed,
perPage=1000, every page through navigation.nextPage), once asking for gzip as callboard does and once not.

Reads RC_SERVER_URL, RC_APP_CLIENT_ID, RC_APP_CLIENT_SECRET and RC_USER_JWT (plain http on loopback: the
simulator). Counts every byte each response put on the socket (status line, headers, chunk framing and
body as sent) and prints one JSON object: {"gzip": {...}, "identity": {...}}, each with bytes, pages,
records and the uncompressed JSON bytes. Used by scripts/bench; standard library only.
"""
import base64
import gzip
import json
import os
import socket
import sys
import urllib.parse

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def exchange(base, method, target, headers, body=b""):
    """One HTTP/1.1 request on a fresh connection; returns (raw bytes received, status, headers, body)."""
    lines = [f"{method} {target} HTTP/1.1", f"Host: {base.netloc}", "Connection: close",
             f"Content-Length: {len(body)}"] + [f"{k}: {v}" for k, v in headers.items()]
    with socket.create_connection((base.hostname, base.port or 80), timeout=60) as s:
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        raw = bytearray()
        while chunk := s.recv(1 << 20):
            raw += chunk
    head, _, payload = bytes(raw).partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    fields = {k.strip().lower(): v.strip() for k, v in (h.split(":", 1) for h in header_lines)}
    if fields.get("transfer-encoding") == "chunked":
        payload = dechunk(payload)
    if fields.get("content-encoding") == "gzip":
        payload = gzip.decompress(payload)
    return len(raw), int(status_line.split()[1]), fields, payload


def dechunk(data):
    out, pos = bytearray(), 0
    while True:
        end = data.index(b"\r\n", pos)
        size = int(data[pos:end].split(b";")[0], 16)
        if size == 0:
            return bytes(out)
        out += data[end + 2:end + 2 + size]
        pos = end + 2 + size + 2


def login(base):
    basic = base64.b64encode(f"{os.environ['RC_APP_CLIENT_ID']}:{os.environ['RC_APP_CLIENT_SECRET']}".encode())
    form = urllib.parse.urlencode({"grant_type": JWT_GRANT, "assertion": os.environ["RC_USER_JWT"]}).encode()
    _, status, _, body = exchange(base, "POST", "/restapi/oauth/token", {
        "Authorization": f"Basic {basic.decode()}",
        "Content-Type": "application/x-www-form-urlencoded"}, form)
    if status != 200:
        sys.exit(f"login failed with {status}: {body[:200]!r}")
    return json.loads(body)["access_token"]


def poll(base, token, encoding):
    """Every page of one account-scope poll; the totals."""
    target = "/restapi/v1.0/account/~/active-calls?view=Detailed&perPage=1000"
    totals = {"bytes": 0, "pages": 0, "records": 0, "json_bytes": 0}
    while target:
        wire, status, fields, body = exchange(base, "GET", target, {
            "Authorization": f"Bearer {token}", "Accept": "application/json", "Accept-Encoding": encoding})
        if status != 200:
            sys.exit(f"GET {target} answered {status}: {body[:200]!r}")
        page = json.loads(body)
        totals["bytes"] += wire
        totals["pages"] += 1
        totals["records"] += len(page["records"])
        totals["json_bytes"] += len(body)
        totals["encoding"] = fields.get("content-encoding", "identity")
        uri = ((page.get("navigation") or {}).get("nextPage") or {}).get("uri")
        target = urllib.parse.urlsplit(uri)._replace(scheme="", netloc="").geturl() if uri else None
    return totals


def main():
    base = urllib.parse.urlsplit(os.environ["RC_SERVER_URL"])
    if base.scheme != "http":
        sys.exit("bench-wire.py speaks plain http to the simulator on loopback only")
    token = login(base)
    print(json.dumps({encoding: poll(base, token, encoding) for encoding in ("gzip", "identity")}))


if __name__ == "__main__":
    main()
