#!/usr/bin/env python3
"""The transfer floor: vcaudit's own SOAP requests, replayed with curl, answers discarded.

    floor.py CAPTURE_DIR URL CA_FILE [KEEP_DIR]

CAPTURE_DIR holds what a server recorded of one vcaudit collection (`-capture` of the vcsim
scenario or of bench/paged-server): NNNNN.req, every SOAP request body in the order sent, and
NNNNN.resp, the head of each answer. The requests are sent again, in the same order, over as few
curl processes as possible (one connection each, kept alive between requests, as vcaudit does),
with the session cookie from the replayed Login. Answers are thrown away, except the small ones
that name a new object (a container view, an event collector): its name in this session replaces
the recorded one in the requests that follow. What is left is the time the server and the wire
need to deliver what vcaudit asks for, with no client work at all.

With KEEP_DIR, every answer is kept there instead (NNNNN.xml), for the parse floor
(examples/xml_floor.rs); that run is not a timed one.
"""
import os
import re
import subprocess
import sys
import tempfile

NEW_OBJECT = re.compile(rb"<(CreateContainerView|CreateCollectorForEvents)Response")
RETURNVAL = re.compile(rb"<returnval[^>]*>([^<]+)</returnval>")


def main():
    capture, url, ca = sys.argv[1:4]
    keep = sys.argv[4] if len(sys.argv) > 4 else None
    names = sorted(n[:-4] for n in os.listdir(capture) if n.endswith(".req"))
    reqs = []
    for n in names:
        body = open(os.path.join(capture, n + ".req"), "rb").read()
        try:
            resp = open(os.path.join(capture, n + ".resp"), "rb").read()
        except FileNotFoundError:
            resp = b""
        old = None
        if NEW_OBJECT.search(resp):
            m = RETURNVAL.search(resp)
            old = m.group(1) if m else None
        reqs.append((body, old))
    with tempfile.TemporaryDirectory() as tmp:
        cookie = []  # the Cookie header once logged in
        mapping = {}
        batch = []  # (request file, output file)

        def flush():
            if not batch:
                return
            args = ["curl", "-sS", "--fail-with-body", "--cacert", ca]
            for i, (req, out) in enumerate(batch):
                if i:
                    args += ["--next", "--cacert", ca]
                args += cookie + [
                    "-o", out,
                    "-H", "Content-Type: text/xml; charset=utf-8",
                    "-H", 'SOAPAction: "urn:vim25/6.0"',
                    "--data-binary", "@" + req, url,
                ]
            r = subprocess.run(args)
            if r.returncode != 0:
                sys.exit(f"floor: curl failed ({r.returncode})")
            batch.clear()

        for i, (body, old) in enumerate(reqs):
            for a, b in mapping.items():
                body = body.replace(a, b)
            req = os.path.join(tmp, f"{i}.req")
            open(req, "wb").write(body)
            if b"<Login" in body:
                batch.append((req, os.devnull))
                flush_login(batch, ca, url, tmp, cookie)
                continue
            if old is None:
                batch.append((req, os.path.join(keep, f"{i:05}.xml") if keep else os.devnull))
                continue
            out = os.path.join(tmp, f"{i}.resp")
            batch.append((req, out))
            flush()
            m = RETURNVAL.search(open(out, "rb").read())
            if not m:
                sys.exit(f"floor: request {names[i]} named no object in this session")
            mapping[old] = m.group(1)
        flush()
    print(f"{len(reqs)} requests replayed")


def flush_login(batch, ca, url, tmp, cookie):
    """Sends what is batched, the Login last, and keeps its session cookie."""
    login_req, _ = batch.pop()
    head = os.path.join(tmp, "login.head")
    args = ["curl", "-sS", "--cacert", ca]
    for req, out in batch:
        args += cookie + ["-o", out, "-H", "Content-Type: text/xml; charset=utf-8",
                          "--data-binary", "@" + req, url, "--next", "--cacert", ca]
    args += ["-D", head, "-o", os.devnull, "-H", "Content-Type: text/xml; charset=utf-8",
             "--data-binary", "@" + login_req, url]
    if subprocess.run(args).returncode != 0:
        sys.exit("floor: curl failed at login")
    batch.clear()
    m = re.search(r"(?im)^set-cookie:\s*(vmware_soap_session=[^;\r\n]*)", open(head).read())
    if not m:
        sys.exit("floor: the replayed Login set no session cookie")
    cookie[:] = ["-H", "Cookie: " + m.group(1)]


if __name__ == "__main__":
    main()
