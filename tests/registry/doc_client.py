#!/usr/bin/env python3
"""A second kiosk, written from Borne's documentation alone.

Reads only docs/protocol.md, docs/openapi.yaml, docs/borne-registry.8, docs/formats.md,
docs/tokens.md and README.md (never src/ nor the other tests): sets a registry up as they say
(event import, roster import, keys, kiosk add), runs `borne-registry serve` on 127.0.0.1, enrols
over HTTP, pulls the roster page by page, posts its status, pushes check-ins with every field
and checks every documented answer: stored, duplicate, each per-record refusal, the whole-batch
refusals, the cursor reset, the 401/404/405/413/415/429 errors, and the credits report.

Exits 0 when the registry behaves as documented, 1 with a message naming the deviation
otherwise (the ctest registration skips, with exit 77, where python3 is missing). Standard library only; loopback only.
"""

import argparse
import csv
import gzip
import http.client
import io
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

WALKIN_BASE = 0xC0000000
EVENT = 4201
OTHER_EVENT = 4202


class Deviation(Exception):
    """The registry did not do what the docs say."""


def check(cond, what):
    if not cond:
        raise Deviation(what)


class Registry:
    """The borne-registry binary, its database and its server process."""

    def __init__(self, binary, workdir):
        self.binary = binary
        self.db = os.path.join(workdir, "registry.db")
        self.proc = None
        self.port = None
        self.log = None

    def run(self, *args, ok=(0,)):
        p = subprocess.run([self.binary, "--db", self.db, *args], capture_output=True,
                           timeout=30)
        # Decoded by hand: universal newlines would hide the reports' CRLF line ends.
        p.stdout = p.stdout.decode("utf-8")
        p.stderr = p.stderr.decode("utf-8", "replace")
        check(p.returncode in ok, "borne-registry %s: exit %d (expected %s): %s" %
              (" ".join(args), p.returncode, ok, p.stderr.strip()))
        return p

    def serve(self, *extra):
        # borne-registry(8): port 0 takes a free one; "listening ADDRESS:PORT http" once ready.
        # Its log goes to a file: a pipe nobody reads would block the server once full.
        self.log = open(self.db + ".log", "w+")
        self.proc = subprocess.Popen([self.binary, "--db", self.db, "serve", "--listen",
                                      "127.0.0.1:0", *extra], stdout=subprocess.PIPE,
                                     stderr=self.log, text=True)
        deadline = time.monotonic() + 10
        line = ""
        while time.monotonic() < deadline:
            r, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if r:
                line = self.proc.stdout.readline()
                break
            if self.proc.poll() is not None:
                raise Deviation("serve exited early: %s" % self.log_tail())
        m = re.fullmatch(r"listening 127\.0\.0\.1:(\d+) http\n", line)
        check(m is not None, "serve did not print 'listening 127.0.0.1:PORT http' (got %r)"
              % line)
        self.port = int(m.group(1))
        check(self.port > 0, "serve printed port 0")

    def log_tail(self):
        try:
            with open(self.db + ".log") as f:
                return f.read()[-2000:]
        except OSError:
            return ""

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                rc = self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise Deviation("serve did not stop within 10 s of SIGTERM")
            check(rc == 0, "serve exited %d on SIGTERM (borne-registry(8): exits 0)" % rc)
        if self.log:
            self.log.close()
            self.log = None


class Answer:
    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = headers
        self.raw = raw
        body = raw
        if headers.get("Content-Encoding", "").lower() == "gzip":
            body = gzip.decompress(raw)
        self.body = body
        try:
            self.json = json.loads(body.decode("utf-8")) if body else None
        except (ValueError, UnicodeDecodeError):
            self.json = None


class Client:
    def __init__(self, host, port):
        self.host = host
        self.port = port
        self.token = None

    def request(self, method, path, body=None, token="own", ctype="application/json",
                headers=None, length=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=15)
        try:
            hdrs = {}
            if token == "own":
                token = self.token
            if token is not None:
                hdrs["Authorization"] = "Bearer " + token
            if body is not None:
                if isinstance(body, str):
                    body = body.encode("utf-8")
                if not isinstance(body, (bytes, bytearray)):
                    body = json.dumps(body, ensure_ascii=False).encode("utf-8")
                if ctype is not None:
                    hdrs["Content-Type"] = ctype
            hdrs.update(headers or {})
            if length is not None:
                # Announce a size and send nothing: the answer must come from the headers alone.
                conn.putrequest(method, path)
                for k, v in hdrs.items():
                    conn.putheader(k, v)
                conn.putheader("Content-Length", str(length))
                conn.endheaders()
            else:
                conn.request(method, path, body=body, headers=hdrs)
            r = conn.getresponse()
            raw = r.read()
            return Answer(r.status, r.headers, raw)
        finally:
            conn.close()


def chunked(port, path, body, token):
    """POST with Transfer-Encoding: chunked (no Content-Length), as raw HTTP/1.1."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        conn.putrequest("POST", path)
        conn.putheader("Authorization", "Bearer " + token)
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Transfer-Encoding", "chunked")
        conn.endheaders()
        try:
            for i in range(0, len(body), 4096):
                c = body[i:i + 4096]
                conn.send(b"%x\r\n" % len(c) + c + b"\r\n")
            conn.send(b"0\r\n\r\n")
        except OSError:
            pass  # the registry may answer and cut before the end
        r = conn.getresponse()
        return Answer(r.status, r.headers, r.read())
    finally:
        conn.close()


def expect_error(ans, status, what):
    check(ans.status == status, "%s: HTTP %d, expected %d (body %r)" %
          (what, ans.status, status, ans.body[:200]))
    j = ans.json
    check(isinstance(j, dict) and isinstance(j.get("error"), str) and j["error"],
          "%s: error answer without an 'error' text (body %r)" % (what, ans.body[:200]))
    check(isinstance(j.get("server_time_ms"), int) and j["server_time_ms"] > 0,
          "%s: error answer without server_time_ms (body %r)" % (what, ans.body[:200]))
    return j


def iso(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms // 1000))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--registry", required=True, help="the borne-registry binary")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    args = ap.parse_args()
    if not os.access(args.registry, os.X_OK):
        print("doc_client: %s is not an executable (build borne-registry first)" %
              args.registry, file=sys.stderr)
        return 1
    work = tempfile.mkdtemp(prefix="borne-doc-client-")
    reg = Registry(args.registry, work)
    started = time.monotonic()
    try:
        run(reg, work)
    except Deviation as e:
        print("doc_client: DEVIATION FROM THE DOCS: %s" % e, file=sys.stderr)
        if reg.proc:
            print("doc_client: the registry's log ends with:\n%s" % reg.log_tail(),
                  file=sys.stderr)
        if reg.proc and reg.proc.poll() is None:
            reg.proc.terminate()
            try:
                reg.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                reg.proc.kill()
        return 1
    finally:
        if reg.proc and reg.proc.poll() is None:
            reg.proc.kill()
            reg.proc.wait()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print("doc_client: the registry behaves as documented (%.1f s)" %
          (time.monotonic() - started))
    return 0


def setup_files(work, now_s):
    # docs/formats.md: event JSON, roster CSV (; separator) and roster JSON.
    s_start = now_s - 3 * 3600
    s_end = s_start + 90 * 60
    ev = {"id": EVENT, "name": "Congrès de documentation", "timezone": "America/Montreal",
          "starts": iso((now_s - 86400) * 1000), "ends": iso((now_s + 86400) * 1000),
          "sessions": [
              {"id": 101, "code": "A1", "title": "Loi 25 : protéger les renseignements " * 3,
               "room": "Salle Richelieu", "starts": iso(s_start * 1000),
               "ends": iso(s_end * 1000), "credit_hours": 1.5},
              {"id": 102, "code": "A2", "title": "Gestion contractuelle municipale",
               "room": "Salle Chaudière", "starts": iso((s_end + 600) * 1000),
               "ends": iso((s_end + 600 + 3600) * 1000), "credit_hours": 1,
               "requires_registration": False}]}
    other = {"id": OTHER_EVENT, "name": "Autre événement", "starts": iso(s_start * 1000),
             "ends": iso((now_s + 86400) * 1000),
             "sessions": [{"id": 201, "title": "Ailleurs", "starts": iso(s_start * 1000),
                           "ends": iso(s_end * 1000)}]}
    paths = {}
    for name, obj in (("event.json", ev), ("other.json", other)):
        paths[name] = os.path.join(work, name)
        with open(paths[name], "w", encoding="utf-8") as f:
            json.dump(obj, f, ensure_ascii=False)
    org = "Municipalité régionale de comté de la Vallée-de-la-Gatineau, service du greffe"
    rows = ["id;prénom;nom;municipalité;membre;statut;séances;code;courriel",
            "1;Hélène;Tremblay;%s;oui;confirmé;A1 A2;OPQ-7KX2-HT;helene@example.org" % org,
            "2;François;Bélanger;\"%s; greffe\";non;confirmé;A1;OPQ-2;" % org,
            "3;Josée;Bouchard;%s;oui;confirmé;A1;OPQ-3;" % org,
            "4;Noël;Bérubé;%s;non;annulé;A1;OPQ-4;" % org,
            "5;Émilie;Côté;%s;oui;à vérifier;102;OPQ-5;" % org]
    paths["roster.csv"] = os.path.join(work, "roster.csv")
    with open(paths["roster.csv"], "w", encoding="utf-8") as f:
        f.write("\r\n".join(rows) + "\r\n")
    paths["other.json.roster"] = os.path.join(work, "other-roster.json")
    with open(paths["other.json.roster"], "w", encoding="utf-8") as f:
        json.dump({"participants": [{"id": 50, "name": "Quelqu'un d'ailleurs",
                                     "sessions": [201]}]}, f)
    for name, pid in (("walkin-range.json", WALKIN_BASE), ("below-range.json", WALKIN_BASE - 1)):
        paths[name] = os.path.join(work, name)
        with open(paths[name], "w", encoding="utf-8") as f:
            json.dump({"participants": [{"id": pid, "name": "Au bord"}]}, f)
    return paths, s_start, s_end


def parse_setup(text):
    parts = text.strip().split(" ")
    check(len(parts) in (3, 4) and parts[0] == "BORNE-SETUP/1",
          "kiosk add did not print 'BORNE-SETUP/1 URL TOKEN [PIN]' (got %r)" % text)
    check(re.fullmatch(r"[A-Za-z0-9_-]{16,127}", parts[2]) is not None,
          "enrolment token is not base64url of 16-127 characters")
    check(len(parts[2]) == 32, "enrolment token is not 24 bytes in base64url (32 chars)")
    m = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/?", parts[1])
    check(m is not None, "setup URL %r is not the one given" % parts[1])
    return int(m.group(1)), parts[2]


def enrol(cli, token, label):
    a = cli.request("POST", "/v1/enrol", {"enrolment_token": token, "kiosk": label,
                                         "version": "0.1.0"}, token=None)
    check(a.status == 200, "enrol: HTTP %d %r" % (a.status, a.body[:200]))
    j = a.json
    for k, t in (("api_token", str), ("kiosk", str), ("event_id", int), ("kiosk_number", int),
                 ("server_time_ms", int)):
        check(isinstance(j.get(k), t), "enrol answer lacks %s: %r" % (k, j))
    check(re.fullmatch(r"[A-Za-z0-9_-]{43}", j["api_token"]) is not None,
          "API token is not 32 bytes in base64url (43 chars)")
    check(j["event_id"] == EVENT, "enrol: event_id %r" % j["event_id"])
    check(j["kiosk_number"] >= 1, "enrol: kiosk_number < 1")
    return j


GZIPPED = []


def pull_all(cli, since, expect_reset=None):
    """Pulls pages until more is false; returns (pages, cursor, epoch)."""
    pages = []
    cursor = None
    epoch = None
    for _ in range(100):
        a = cli.request("GET", "/v1/roster?since=" + since, headers={"Accept-Encoding": "gzip"})
        check(a.status == 200, "roster since=%s: HTTP %d %r" % (since, a.status, a.body[:200]))
        if len(a.body) > 1024:
            check(a.headers.get("Content-Encoding", "").lower() == "gzip",
                  "roster answer of %d bytes not gzip-compressed though asked" % len(a.body))
            GZIPPED.append(len(a.body))
        j = a.json
        for k in ("server_time_ms", "cursor", "more", "epoch"):
            check(k in j, "roster answer lacks %s" % k)
        check(re.fullmatch(r"[0-9a-f]{16}", j["epoch"]) is not None,
              "epoch %r is not 16 hex digits" % j["epoch"])
        check(epoch is None or j["epoch"] == epoch, "epoch changed between pages")
        if expect_reset is not None and not pages:
            check(bool(j.get("reset")) == expect_reset,
                  "since=%s: reset is %r, expected %r" % (since, j.get("reset"), expect_reset))
        elif pages:
            check(not j.get("reset"), "a follow-up page says reset")
        pages.append(j)
        cursor, epoch = j["cursor"], j["epoch"]
        since = "%d.%s" % (cursor, epoch)
        if not j["more"]:
            return pages, cursor, epoch
    raise Deviation("roster pull never ended (more stays true)")


def rec(**kw):
    r = {"uuid": str(uuid.uuid4()), "event_id": EVENT, "participant_id": 1, "session_id": 101,
         "direction": "entry", "method": 1, "outcome": 0, "staff_id": "",
         "code_hash": "00112233445566778899aabbccddeeff", "wall_ms": 0, "wall_recorded_ms": 0,
         "mono_ms": 5000, "boot_id": str(uuid.uuid4()), "clock_trusted": True}
    r.update(kw)
    return r


def push(cli, records, raw_subst=None, token="own"):
    """Pushes records; raw_subst maps a placeholder string value to raw JSON text."""
    body = json.dumps({"checkins": records}, ensure_ascii=False)
    for ph, raw in (raw_subst or {}).items():
        body = body.replace('"%s"' % ph, raw)
    return cli.request("POST", "/v1/checkins", body, token=token)


def push_ok(cli, records, what, raw_subst=None):
    a = push(cli, records, raw_subst)
    check(a.status == 200, "%s: HTTP %d %r" % (what, a.status, a.body[:300]))
    j = a.json
    check(isinstance(j.get("server_time_ms"), int), "%s: no server_time_ms" % what)
    res = j.get("results")
    check(isinstance(res, list) and len(res) == len(records),
          "%s: %r results for %d records" % (what, None if res is None else len(res),
                                            len(records)))
    for r, got in zip(records, res):
        check(got.get("uuid") == r["uuid"], "%s: results not in the records' order" % what)
        if got.get("status") == "refused":
            check(isinstance(got.get("reason"), str) and len(got["reason"]) <= 63,
                  "%s: refusal without a reason" % what)
    return res


def expect_results(res, expected, what):
    for i, (got, exp) in enumerate(zip(res, expected)):
        status, reason = exp if isinstance(exp, tuple) else (exp, None)
        check(got.get("status") == status and (reason is None or got.get("reason") == reason),
              "%s, record %d: got %s %r, expected %s %r" %
              (what, i, got.get("status"), got.get("reason"), status, reason))


def run(reg, work):
    now_s = int(time.time())
    paths, s_start, s_end = setup_files(work, now_s)
    reg.run("event", "import", paths["event.json"])
    reg.run("event", "import", paths["other.json"])
    reg.run("roster", "import", str(EVENT), paths["roster.csv"])
    reg.run("roster", "import", str(OTHER_EVENT), paths["other.json.roster"])
    # borne-registry(8): ids in the walk-in range are refused, exit 3 (bad input data); the
    # id just below is a roster id like any other (imported into the other event).
    reg.run("roster", "import", str(OTHER_EVENT), paths["walkin-range.json"], ok=(3,))
    reg.run("roster", "import", str(OTHER_EVENT), paths["below-range.json"])
    st = os.stat(reg.db)
    check(st.st_mode & 0o077 == 0, "registry.db mode %o, documented 0600" % (st.st_mode & 0o777))
    reg.run("keys", "generate", "--out", os.path.join(work, "sig.key"), "--id", "7")
    issued = reg.run("token", "issue", "--key", os.path.join(work, "sig.key"), "--event",
                     str(EVENT)).stdout
    badges = {}
    for line in issued.splitlines():
        pid, code = line.split("\t")
        badges[int(pid)] = code
        check(code.startswith("BN1:") and len(code) == 130,
              "token issue printed a code that is not BN1: + 126 characters")
    check(set(badges) == {1, 2, 3, 4, 5}, "token issue: ids %r" % sorted(badges))

    reg.serve("--page", "2")
    base_url = "http://127.0.0.1:%d" % reg.port
    setup_a = reg.run("kiosk", "add", "--event", str(EVENT), "--url", base_url, "--name",
                      "porte-A").stdout
    setup_b = reg.run("kiosk", "add", "--event", str(EVENT), "--url", base_url).stdout
    reg.run("kiosk", "add", "--event", str(EVENT), "--url", base_url, "--name", "porte-A",
            ok=(1,))  # the name is taken among the event's kiosks in service
    reg.run("kiosk", "add", "--event", str(EVENT), "--url", "http://registre.example.org",
            ok=(3,))  # plain http only to the loopback
    reg.run("kiosk", "add", "--event", str(EVENT), "--url", "http://127.0.0.2:8080", ok=(3,))
    port, tok_a = parse_setup(setup_a)
    check(port == reg.port, "setup text names another port")
    _, tok_b = parse_setup(setup_b)
    cli = Client("127.0.0.1", port)
    failures = 0  # authentication failures (401, 403) spent from 127.0.0.1's budget

    # --- Enrolment ---------------------------------------------------------------------------
    a = cli.request("POST", "/v1/enrol", {"enrolment_token": tok_a, "extra": 1}, token=None)
    expect_error(a, 400, "enrol with an unknown field")
    a = cli.request("POST", "/v1/enrol", {"enrolment_token": "short"}, token=None)
    expect_error(a, 400, "enrol with a 5-character token")
    a = cli.request("POST", "/v1/enrol", {"enrolment_token": tok_a, "kiosk": "a\u0001b"},
                    token=None)
    expect_error(a, 400, "enrol with a control character in the label")
    a = cli.request("POST", "/v1/enrol", {"enrolment_token": tok_a, "version": "v" * 32},
                    token=None)
    expect_error(a, 400, "enrol with a 32-byte version")
    a = cli.request("GET", "/v1/enrol", token=None)
    expect_error(a, 405, "GET /v1/enrol")
    a = cli.request("POST", "/v1/enrol", "enrolment_token=x", token=None, ctype="text/plain")
    expect_error(a, 415, "enrol as text/plain")
    a = cli.request("POST", "/v1/enrol", token=None, length=16 * 1024 + 1,
                    headers={"Content-Type": "application/json"})
    expect_error(a, 413, "enrol announcing 16 KiB + 1")
    ea = enrol(cli, tok_a, "borne-doc-1")
    check(ea["kiosk"] == "porte-A", "enrol: kiosk %r, documented: the organiser's name "
          "(porte-A), never the kiosk's label" % ea["kiosk"])
    cli.token = ea["api_token"]
    num_a = ea["kiosk_number"]
    a = cli.request("POST", "/v1/enrol", {"enrolment_token": tok_a}, token=None)
    expect_error(a, 403, "enrolling again with a spent token")
    failures += 1
    a = cli.request("POST", "/v1/enrol", {"enrolment_token": "A" * 32}, token=None)
    j = expect_error(a, 403, "enrol with an unknown token")
    check("A" * 32 not in j["error"], "a 403 repeats the enrolment token")
    failures += 1
    cli_b = Client("127.0.0.1", port)
    eb = enrol(cli_b, tok_b, "porte-A")  # a label like A's name: must not rename kiosk B
    cli_b.token = eb["api_token"]
    num_b = eb["kiosk_number"]
    check(num_b != num_a, "two kiosks got the same kiosk_number")
    check(eb["kiosk"] == "kiosk-%d" % num_b,
          "unnamed kiosk is %r, documented kiosk-N (N = %d)" % (eb["kiosk"], num_b))
    lst = reg.run("kiosk", "list").stdout
    check("porte-A" in lst and "borne-doc-1" in lst, "kiosk list lacks the name or the label")

    # --- Status ------------------------------------------------------------------------------
    status = {"version": "0.1.0", "pending": 3, "checkins": 40,
              "last_scan_ms": now_s * 1000 - 60000, "clock": "trusted", "wall_ms": now_s * 1000}
    a = cli.request("POST", "/v1/status", status)
    check(a.status == 200, "status: HTTP %d %r" % (a.status, a.body[:200]))
    check(a.json.get("kiosk") == "porte-A" and a.json.get("event_id") == EVENT and
          a.json.get("kiosk_number") == num_a and isinstance(a.json.get("server_time_ms"), int),
          "status answer %r" % a.json)
    a = cli.request("POST", "/v1/status", status, ctype="application/json; charset=utf-8")
    check(a.status == 200, "status with a charset parameter: HTTP %d" % a.status)
    expect_error(cli.request("POST", "/v1/status", dict(status, colour="blue")), 400,
                 "status with an unknown field")
    expect_error(cli.request("POST", "/v1/status", dict(status, clock="sundial")), 400,
                 "status with a clock outside the enum")
    expect_error(cli.request("POST", "/v1/status", '{"pending": 1, "pending": 2}'), 400,
                 "status with a duplicate key")
    for k in ("pending", "checkins", "last_scan_ms", "clock", "wall_ms"):
        expect_error(cli.request("POST", "/v1/status",
                                 {x: v for x, v in status.items() if x != k}), 400,
                     "status without %s (openapi: required)" % k)
    expect_error(cli.request("POST", "/v1/status", dict(status, pending=-1)), 400,
                 "status with pending -1")
    expect_error(cli.request("POST", "/v1/status", dict(status, checkins=-1)), 400,
                 "status with checkins -1")
    expect_error(cli.request("POST", "/v1/status", dict(status, version="v" * 32)), 400,
                 "status with a 32-byte version")
    a = cli.request("POST", "/v1/status", {k: v for k, v in status.items() if k != "version"},
                    ctype="Application/JSON")
    check(a.status == 200, "status without version, Content-Type in capitals: HTTP %d" %
          a.status)
    expect_error(cli.request("POST", "/v1/status", b""), 400, "status with an empty body")
    expect_error(cli.request("POST", "/v1/status", b"\xef\xbb\xbf" + json.dumps(status).encode()),
                 400, "status with a byte order mark (not JSON)")
    expect_error(chunked(port, "/v1/status", json.dumps(status).encode() + b" " * (17 * 1024),
                         cli.token), 413, "a chunked 17 KiB status")
    j = expect_error(cli.request("POST", "/v1/status", '{\n  "pending": 1,\n  oops}'), 400,
                     "status that is not JSON")
    check("line" in j["error"] and "column" in j["error"],
          "a body that is not JSON: error %r does not say line and column" % j["error"])
    check("oops" not in j["error"], "the error repeats the content")
    lst = reg.run("kiosk", "list").stdout
    check("trusted" in lst, "kiosk list does not show the clock the kiosk reported")

    # --- Errors before the body ---------------------------------------------------------------
    for path in ("/v1/nothing", "/v1/", "/v1/roster/more"):
        expect_error(cli.request("GET", path, token=None), 404, "GET %s without a token" % path)
    # Paths outside /v1/ are the registrar's web console: a page without a session is sent to
    # the sign-in page (docs/protocol.md, "Order of checks").
    a = cli.request("GET", "/", token=None)
    check(a.status == 303, "GET / without a console session: HTTP %d, expected 303" % a.status)
    expect_error(cli.request("GET", "/v1/nothing"), 404, "GET /v1/nothing with a token")
    for tok, what in ((None, "no Authorization"), ("not-a-token!", "malformed token"),
                      ("A" * 43, "unknown token"), (cli.token[:-1] + "x", "altered token")):
        a = cli.request("GET", "/v1/roster?since=0", token=tok)
        j = expect_error(a, 401, "roster with %s" % what)
        check(tok is None or tok not in j["error"], "a 401 repeats the token")
        check(a.headers.get("WWW-Authenticate", "").startswith("Bearer"),
              "401 without WWW-Authenticate: Bearer")
        failures += 1
    a = cli.request("POST", "/v1/checkins", token=None, length=50 * 1024 * 1024,
                    headers={"Content-Type": "application/json"})
    expect_error(a, 401, "push without a token announcing 50 MiB")
    failures += 1
    expect_error(cli.request("PUT", "/v1/checkins", {"checkins": []}), 405, "PUT /v1/checkins")
    # Order of checks: 404, 401, 405, 415, 413 (enrolment: 405, 415, 413).
    expect_error(cli.request("DELETE", "/v1/status", token=None), 401,
                 "DELETE /v1/status without a token (token before method)")
    failures += 1
    expect_error(cli.request("PUT", "/v1/nothing", token=None), 404,
                 "PUT /v1/nothing without a token (path before token)")
    expect_error(cli.request("PUT", "/v1/checkins", "x", ctype="text/plain"), 405,
                 "PUT as text/plain (method before Content-Type)")
    expect_error(cli.request("POST", "/v1/checkins", length=50 * 1024 * 1024,
                             headers={"Content-Type": "text/plain"}), 415,
                 "text/plain announcing 50 MiB (Content-Type before size)")
    expect_error(cli.request("PUT", "/v1/enrol", "x", token=None, ctype="text/plain"), 405,
                 "PUT /v1/enrol as text/plain")
    expect_error(cli.request("POST", "/v1/enrol", token=None, length=50 * 1024 * 1024,
                             headers={"Content-Type": "text/plain"}), 415,
                 "enrol as text/plain announcing 50 MiB")
    expect_error(cli.request("GET", "/v1/checkins"), 405, "GET /v1/checkins")
    expect_error(cli.request("POST", "/v1/roster", {}), 405, "POST /v1/roster")
    expect_error(cli.request("DELETE", "/v1/status"), 405, "DELETE /v1/status")
    expect_error(cli.request("POST", "/v1/checkins", '{"checkins": []}', ctype="text/plain"),
                 415, "push as text/plain")
    expect_error(cli.request("POST", "/v1/checkins", '{"checkins": []}', ctype=None), 415,
                 "push without Content-Type")
    a = cli.request("POST", "/v1/checkins", length=4 * 1024 * 1024 + 1,
                    headers={"Content-Type": "application/json"})
    expect_error(a, 413, "push announcing 4 MiB + 1")
    check(a.headers.get("Connection", "").lower() == "close",
          "413 on a push without Connection: close")
    expect_error(cli.request("POST", "/v1/status", length=16 * 1024 + 1,
                             headers={"Content-Type": "application/json"}), 413,
                 "status announcing 16 KiB + 1")
    # A push over 16 KiB is allowed (its limit is 4 MiB, not the 16 KiB of other requests).
    big = json.dumps({"checkins": []}) + " " * (100 * 1024)
    a = cli.request("POST", "/v1/checkins", big)
    check(a.status == 200, "a 100 KiB push (blank padding): HTTP %d" % a.status)
    expect_error(cli.request("POST", "/v1/status", json.dumps(status) + " " * (17 * 1024)),
                 413, "a 17 KiB status")

    # --- Roster pull ---------------------------------------------------------------------------
    pages, cursor, epoch = pull_all(cli, "0", expect_reset=False)
    check(GZIPPED, "no roster page over 1 KiB came gzip-compressed")
    check(len(pages) >= 3, "5 participants with --page 2 came in %d pages" % len(pages))
    people = {}
    for p in pages:
        check(len(p.get("participants", [])) <= 2, "a page holds more than --page participants")
        for x in p.get("participants", []):
            people[x["id"]] = x
    first = pages[0]
    ev = first.get("event")
    check(isinstance(ev, dict) and ev.get("id") == EVENT and
          ev.get("timezone") == "America/Montreal", "first page's event %r" % ev)
    check(isinstance(ev.get("starts"), int) and ev["starts"] < now_s < ev["ends"],
          "event times are not Unix seconds around now")
    sess = {s["id"]: s for p in pages for s in p.get("sessions", [])}
    check(set(sess) == {101, 102}, "sessions pulled %r (201 is another event's)" % sorted(sess))
    s101 = sess[101]
    check(s101["starts"] == s_start and s101["ends"] == s_end and
          s101["credit_minutes"] == 90 and s101["credit_rule"] == "threshold:800" and
          s101["open_before_s"] == 1800 and s101["close_after_s"] == 1800 and
          s101["requires_registration"] is True and s101["code"] == "A1",
          "session 101 pulled as %r" % s101)
    check(sess[102]["requires_registration"] is False and sess[102]["open_before_s"] == 1800,
          "session 102 pulled as %r" % sess[102])
    check(set(people) == {1, 2, 3, 4, 5}, "participants pulled %r" % sorted(people))
    p1 = people[1]
    check(p1["name"] == "Hélène Tremblay" and p1["member"] is True and p1["status"] == 1 and
          p1["code"] == "OPQ-7KX2-HT" and sorted(p1["sessions"]) == [101, 102],
          "participant 1 pulled as %r" % p1)
    check(people[4]["status"] == 2 and people[5]["status"] == 3,
          "statuses: cancelled %r (2), needs attention %r (3)" %
          (people[4]["status"], people[5]["status"]))
    check(all(people[i].get("badge") == badges[i] for i in badges),
          "badge is not the signed token last issued")
    check("email" not in json.dumps(pages) and "example.org" not in json.dumps(pages),
          "the roster carries an e-mail")
    keys = [k for p in pages for k in p.get("keys", [])]
    check(any(k.get("key_id") == 7 and isinstance(k.get("public_key"), str) for k in keys),
          "key 7 not pulled")
    # Nothing changed: an empty page with the same cursor.
    pages2, cursor2, _ = pull_all(cli, "%d.%s" % (cursor, epoch), expect_reset=False)
    check(cursor2 == cursor and not pages2[0].get("participants") and
          "event" not in pages2[0], "a pull with nothing changed brought %r" % pages2[0])
    # since=N alone is still accepted.
    pull_all(cli, "%d" % cursor, expect_reset=False)
    # No since is 0 (openapi: default "0").
    nos = cli.request("GET", "/v1/roster")
    check(nos.status == 200 and nos.json.get("event") and nos.json.get("participants"),
          "GET /v1/roster without since is not the roster from 0")
    for bad in ("abc", "-1", "1.XYZ", "1." + "a" * 33, "1.", "1.AB", "", "1" * 19, "+1",
                "1.abc.d"):
        expect_error(cli.request("GET", "/v1/roster?since=" + bad), 400, "since=%s" % bad)
    # Cursor ahead, or another epoch: reset and the roster from 0.
    other_epoch = "0123456789abcdef" if epoch != "0123456789abcdef" else "fedcba9876543210"
    for since in ("%d.%s" % (cursor + 1000, epoch), "%d.%s" % (cursor, other_epoch),
                  "%d" % (cursor + 1000)):
        rp, rc, _ = pull_all(cli, since, expect_reset=True)
        got = {x["id"] for p in rp for x in p.get("participants", [])}
        check(got == {1, 2, 3, 4, 5} and "event" in rp[0],
              "reset from since=%s did not bring the roster from 0 (%r)" % (since, sorted(got)))
        check(rc == cursor, "reset: cursor %d, expected the registry's %d" % (rc, cursor))

    # --- Check-in push -------------------------------------------------------------------------
    t_in = s_start * 1000 + 60000
    t_out = s_end * 1000 - 60000
    wa = WALKIN_BASE + (num_a % 16384) * 65536 + 1
    wb = WALKIN_BASE + (num_b % 16384) * 65536 + 1
    far = now_s * 1000 + 48 * 3600 * 1000
    cases = [
        (rec(wall_ms=t_in, wall_recorded_ms=t_in, mono_ms=1000), "stored"),
        (rec(direction="exit", outcome=1, wall_ms=t_out, wall_recorded_ms=t_out, method=0,
             mono_ms=2000), "stored"),
        (rec(session_id=999), ("refused", "unknown session")),
        (rec(session_id=201), ("refused", "unknown session")),
        (rec(event_id=OTHER_EVENT), ("refused", "another event")),
        (rec(participant_id=999), ("refused", "unknown participant")),
        (rec(participant_id=50), ("refused", "unknown participant")),
        (rec(participant_id=wa), ("refused", "unknown participant")),
        (rec(mono_ms="@BIG@"), ("refused", "invalid mono_ms")),
        (rec(wall_ms="@HUGE@"), ("refused", "invalid wall_ms")),
        (rec(wall_ms=far, wall_recorded_ms=far), ("refused", "wall_ms in the future")),
        (rec(outcome=1), ("refused", "outcome does not match direction")),
        (rec(direction="exit", outcome=0), ("refused", "outcome does not match direction")),
        (rec(direction="exit", outcome=3), ("refused", "outcome does not match direction")),
        (rec(outcome=4), ("refused", "outcome does not match direction")),
        (rec(x=1), ("refused", 'unknown field "x"')),
        (rec(method=5), ("refused", "invalid method")),
        (rec(outcome=18), ("refused", "invalid outcome")),
        (rec(direction="exit", outcome=17), ("refused", "outcome does not match direction")),
        (rec(code_hash="XYZ"), ("refused", "invalid code_hash")),
        (rec(staff_id="a\u0007b"), ("refused", "invalid staff_id")),
        (rec(wall_ms=7258118400001, clock_trusted=False), ("refused", "invalid wall_ms")),
        (rec(wall_recorded_ms=-1), ("refused", "invalid wall_recorded_ms")),
        (rec(mono_ms=-1), ("refused", "invalid mono_ms")),
        (rec(boot_id="b" * 37), ("refused", "invalid boot_id")),
        (rec(direction="sideways"), ("refused", "invalid direction")),
        (rec(event_id=str(EVENT)), ("refused", "invalid event_id")),
        (rec(clock_trusted=1), ("refused", "invalid clock_trusted")),
        (rec(participant_id=4294967296), ("refused", "invalid participant_id")),
        (rec(staff_id="s\u0000"), ("refused", "invalid staff_id")),
        (rec(staff_id="s" * 64), ("refused", "invalid staff_id")),
        # Numbers inside strings are text; an escaped backslash ends no string early.
        (rec(participant_id=5, session_id=102, outcome=6, staff_id='x"1e400 9223372036854775808'),
         "stored"),
        (rec(staff_id="\\", mono_ms="@HUGE@"), ("refused", "invalid mono_ms")),
        (rec(staff_id='\\"', wall_ms="@BIG@"), ("refused", "invalid wall_ms")),
        (rec(participant_id=wa + 3, walk_in={"name": "Gros", "sessions": ["@BIG@"]}),
         ("refused", "invalid walk_in")),
        (rec(event_id=0), ("refused", "invalid event_id")),
        (rec(wall_ms="@FRAC@"), ("refused", "invalid wall_ms")),
        (rec(wall_ms="@EXP@"), ("refused", "invalid wall_ms")),
        (rec(wall_ms="@NEG@"), ("refused", "invalid wall_ms")),
        ({k: v for k, v in rec().items() if k != "mono_ms"}, ("refused", "invalid mono_ms")),
        ({k: v for k, v in rec().items() if k != "direction"}, ("refused", "invalid direction")),
        (rec(participant_id=WALKIN_BASE + (num_a % 16384) * 65536, walk_in={"name": "Seq0"}),
         ("refused", "invalid walk_in")),
        (rec(participant_id=0, walk_in={"name": "Nobody"}), ("refused", "invalid walk_in")),
        (rec(participant_id=WALKIN_BASE + 7, walk_in={"name": "Never enrolled"}),
         ("refused", "walk-in id outside this kiosk's range")),
        # Untrusted time far ahead: stored, earns nothing (participant 2 has nothing else).
        (rec(participant_id=2, wall_ms=far, wall_recorded_ms=far, clock_trusted=False),
         "stored"),
        # The walk-in of this kiosk, with its minimal record: created and stored.
        (rec(participant_id=wa, method=3, wall_ms=t_in, wall_recorded_ms=t_in,
             walk_in={"name": "Marie-Ève Lapointe", "organisation": "Ville de Sherbrooke",
                      "sessions": [101]}), "stored"),
        (rec(participant_id=1, walk_in={"name": "X"}), ("refused", "invalid walk_in")),
        (rec(participant_id=wb, walk_in={"name": "Y"}),
         ("refused", "walk-in id outside this kiosk's range")),
        (rec(participant_id=wa + 1, walk_in={"name": ""}), ("refused", "invalid walk_in")),
        (rec(participant_id=wa + 1, walk_in={"name": "Z", "sessions": [101, 102]}),
         ("refused", "invalid walk_in")),
        (rec(participant_id=wa + 1, walk_in={"name": "Z", "email": "z@example.org"}),
         ("refused", "invalid walk_in")),
        # Refusals stored as sent (0 = unknown code / whole event), 0 time untrusted kept.
        (rec(participant_id=0, session_id=0, outcome=10, code_hash=None, wall_ms=0,
             wall_recorded_ms=0, clock_trusted=False), "stored"),
        (rec(participant_id=4, outcome=15, method=2, staff_id="staff-1"), "stored"),
        (rec(participant_id=5, session_id=102, direction="exit", outcome=5, method=4),
         "stored"),
        (rec(participant_id=5, session_id=102, direction="exit", outcome=16, walk_in=None),
         "stored"),
        ({k: v for k, v in rec(participant_id=5).items()
          if k not in ("staff_id", "code_hash", "boot_id")}, "stored"),
        (rec(participant_id=4, wall_ms=now_s * 1000 + 23 * 3600 * 1000), "stored"),
        # A walk-in registered for a session the event does not have: created, not registered.
        (rec(participant_id=wa + 2, session_id=0, walk_in={"name": "Sans séance",
                                                           "sessions": [999]}), "stored"),
        # Participant 3 checks in and out; deleted below, earns nothing afterwards.
        (rec(participant_id=3, wall_ms=t_in, wall_recorded_ms=t_in), "stored"),
        (rec(participant_id=3, direction="exit", outcome=2, wall_ms=t_out,
             wall_recorded_ms=t_out), "stored"),
    ]
    records = [c[0] for c in cases]
    subst = {"@BIG@": "9223372036854775808", "@HUGE@": "1e400", "@FRAC@": "1.5",
             "@EXP@": "1e3", "@NEG@": "-9223372036854775809"}
    res = push_ok(cli, records, "the mixed batch", subst)
    expect_results(res, [c[1] for c in cases], "the mixed batch")
    # The same batch again: what was stored is duplicate, what was refused is refused again,
    # except the walk-in id sent without its record: the walk-in was created since (later in
    # the first batch), so it is now a participant of the event and the record is stored.
    again = [("duplicate" if c[1] == "stored" else c[1]) for c in cases]
    again[7] = "stored"
    res = push_ok(cli, records, "the mixed batch again", subst)
    expect_results(res, again, "the mixed batch again")
    # Twice in one batch: stored then duplicate.
    r = rec(participant_id=5, session_id=102, direction="exit", outcome=6)
    expect_results(push_ok(cli, [r, dict(r)], "one record twice"), ["stored", "duplicate"],
                   "one record twice")
    # code_hash in upper case: accepted and held in lower case.
    rc = rec(participant_id=5, session_id=102, outcome=6,
             code_hash="00112233445566778899AABBCCDDEEFF")
    expect_results(push_ok(cli, [rc, dict(rc, code_hash=rc["code_hash"].lower()),
                                 dict(rc, code_hash=None)], "code_hash case"),
                   ["stored", "duplicate",
                    ("refused", "uuid already used with different content")], "code_hash case")
    # Walk-in edges: the last sequence, no session, 255-byte texts; 256 bytes is too long.
    wbase = WALKIN_BASE + (num_a % 16384) * 65536
    expect_results(push_ok(cli, [
        rec(participant_id=wbase + 65535, walk_in={"name": "Dernière", "sessions": []}),
        rec(participant_id=wbase + 3, walk_in={"name": "n" * 255, "organisation": "o" * 255}),
        rec(participant_id=wbase + 4, walk_in={"name": "é" * 128}),
        rec(participant_id=wbase + 5, walk_in={"organisation": "sans nom"})], "walk-in edges"),
        ["stored", "stored", ("refused", "invalid walk_in"), ("refused", "invalid walk_in")],
        "walk-in edges")
    expect_results(push_ok(cli, [], "an empty batch"), [], "an empty batch")
    # Another walk-in check-in of an existing walk-in, without its record: stored.
    expect_results(push_ok(cli, [rec(participant_id=wa, session_id=102, method=3)],
                           "walk-in's second check-in"), ["stored"], "walk-in's second check-in")
    # The same UUID with other content; a corrected untrusted time; another kiosk's UUID.
    r1 = records[0]
    expect_results(push_ok(cli, [dict(r1, participant_id=2)], "changed participant"),
                   [("refused", "uuid already used with different content")],
                   "same uuid, other participant")
    expect_results(push_ok(cli, [dict(r1, wall_ms=t_in + 1000)], "changed trusted time"),
                   [("refused", "uuid already used with different content")],
                   "same uuid, trusted time changed")
    ru = rec(participant_id=5, session_id=102, wall_ms=1000, wall_recorded_ms=1000,
             clock_trusted=False, outcome=14)
    expect_results(push_ok(cli, [ru], "untrusted"), ["stored"], "untrusted record")
    corrected = s_end * 1000 + 700000
    expect_results(push_ok(cli, [dict(ru, wall_ms=corrected, clock_trusted=True)],
                           "corrected"), ["duplicate"], "time corrected by the kiosk")
    expect_results(push_ok(cli_b, [r1], "kiosk B"),
                   [("refused", "uuid already used by another kiosk")], "another kiosk's uuid")
    rb = rec(participant_id=wb, method=3, wall_ms=t_in, wall_recorded_ms=t_in,
             walk_in={"name": "Luc Gagnon", "sessions": [101]})
    expect_results(push_ok(cli_b, [rb], "kiosk B walk-in"), ["stored"], "kiosk B's walk-in")
    # Refused whole: 400, nothing stored.
    fresh = rec(participant_id=1, session_id=102, outcome=0)
    whole = [
        ({"checkins": [fresh], "extra": 1}, "a top-level field other than checkins"),
        ({"checkins": [fresh, dict(rec(), uuid=str(uuid.uuid4()).upper())]}, "an upper-case uuid"),
        ({"checkins": [fresh, dict(rec(), uuid="not-a-uuid")]}, "a malformed uuid"),
        ({"checkins": [fresh, {k: v for k, v in rec().items() if k != "uuid"}]}, "no uuid"),
        ({"checkins": [fresh, 7]}, "a record that is not an object"),
        ([fresh], "a body that is an array"),
        ({}, "no checkins"),
        ({"checkins": {}}, "checkins not an array"),
    ]
    for body, what in whole:
        expect_error(cli.request("POST", "/v1/checkins", body), 400, "push with %s" % what)
    raw_fresh = json.dumps(fresh).encode()
    for body, what in (
            (b'{"checkins": [' + raw_fresh + b', {"uuid": "\xff"}]}', "invalid UTF-8"),
            (b'{"checkins": [' + raw_fresh + b']}\x00', "a raw NUL byte"),
            (b'{"checkins": [' + raw_fresh[:-1] + b', "staff_id": "\\ud800"}]}',
             "an escaped lone surrogate"),
            (b'{"checkins": [' + raw_fresh + b'], "checkins": []}', "a duplicate key"),
            (b'{"checkins": [' + raw_fresh.replace(b'"mono_ms": 5000', b'"mono_ms": 5000x') +
             b']}', "a number glued to letters")):
        expect_error(cli.request("POST", "/v1/checkins", body), 400, "push with %s" % what)
    many = {"checkins": [rec(participant_id=1, session_id=102) for _ in range(1001)]}
    a = cli.request("POST", "/v1/checkins", many)
    expect_error(a, 400, "push of 1001 records")
    expect_results(push_ok(cli, [fresh], "after the 400s"), ["stored"],
                   "a record of a batch refused whole (must not have been stored)")
    ok1000 = [rec(participant_id=1, session_id=102, outcome=5) for _ in range(1000)]
    a = cli.request("POST", "/v1/checkins", {"checkins": ok1000},
                    headers={"Accept-Encoding": "gzip"})
    check(a.status == 200 and a.headers.get("Content-Encoding", "").lower() == "gzip",
          "a push answer of %d bytes, asked with gzip: HTTP %d, Content-Encoding %r" %
          (len(a.body), a.status, a.headers.get("Content-Encoding")))
    res = a.json["results"]
    check(all(x["status"] == "stored" for x in res), "a batch of 1000 records not all stored")

    # --- Roster changes after the pushes --------------------------------------------------------
    reg.run("participant", "delete", str(EVENT), "3")
    reg.run("revoke", "--event", str(EVENT), "OPQ-2")
    pages3, cursor3, _ = pull_all(cli, "%d.%s" % (cursor, epoch), expect_reset=False)
    check(cursor3 > cursor, "cursor did not move after changes")
    deleted = [i for p in pages3 for i in p.get("deleted_participants", [])]
    check(3 in deleted, "participant delete did not reach the kiosk as a tombstone")
    added = {x["id"]: x for p in pages3 for x in p.get("participants", [])}
    check(wa in added and wb in added,
          "the walk-ins (this kiosk's and kiosk B's) were not pulled: %r" % sorted(added))
    check(added[wa]["name"] == "Marie-Ève Lapointe" and added[wa]["sessions"] == [101] and
          added[wa]["status"] == 1 and added[wa]["member"] is False,
          "walk-in pulled as %r" % added[wa])
    revoked = [h for p in pages3 for h in p.get("revoked", [])]
    check(len(revoked) == 1 and re.fullmatch(r"[0-9a-f]{32}", revoked[0]),
          "revocation pulled as %r" % revoked)
    # A check-in of the participant deleted since: still stored.
    expect_results(push_ok(cli, [rec(participant_id=3, session_id=102)], "deleted one"),
                   ["stored"], "a check-in of a participant deleted since")

    # --- Reports -------------------------------------------------------------------------------
    rep = reg.run("report", "credits", str(EVENT), "-")
    rows = list(csv.DictReader(io.StringIO(rep.stdout, newline="")))
    check(rep.stdout.startswith("participant_id,name,session_id,session_code,session,"
                                "minutes_attended,credit_hours,note,credit_minutes,anomalies,"
                                "review\r\n"),
          "credits report header %r" % rep.stdout.splitlines()[:1])
    credited = {int(r["participant_id"]) for r in rows}
    # 3 was deleted; walk-ins count like anyone else.
    registered = {1, 2, 4, 5, wa, wa + 2, wa - 1 + 3, wa - 1 + 65535, wb}
    check(credited <= registered, "credits for participants not in the roster: %r" %
          sorted(credited - registered))
    check(not credited & {999, 50, 3}, "credits for a refused or deleted participant")
    check(2 not in credited, "a time more than 24 h after its arrival earned credit")
    row1 = [r for r in rows if r["participant_id"] == "1" and r["session_id"] == "101"]
    check(len(row1) == 1 and row1[0]["minutes_attended"] == "88" and
          row1[0]["credit_hours"] == "1.50" and row1[0]["name"] == "Hélène Tremblay",
          "participant 1, session 101: %r (entry 1 min after the start, exit 1 min before "
          "the end: 88 minutes, 1.50 h)" % row1)
    check(any(r["participant_id"] == str(wa) and r["name"] == "Marie-Ève Lapointe"
              for r in rows), "the walk-in is not counted like anyone else")
    check("warning" in rep.stderr and "left out" in rep.stderr,
          "no warning about the check-ins left out: %r" % rep.stderr)
    chk = reg.run("report", "checkins", str(EVENT), "-").stdout
    check(chk.startswith("uuid,kiosk,participant_id,session_id,direction,method,outcome,"
                         "time_utc,time_recorded_utc,clock_trusted,synced\r\n"),
          "report checkins header %r (docs/formats.md)" % chk.splitlines()[:1])
    kiosks = {r["kiosk"] for r in csv.DictReader(io.StringIO(chk, newline=""))}
    check(kiosks == {"porte-A", "kiosk-%d" % num_b}, "report checkins names kiosks %r, "
          "documented: the organiser's names" % sorted(kiosks))
    check({r["synced"] for r in csv.DictReader(io.StringIO(chk, newline=""))} == {"yes"},
          "report checkins: synced is not always yes")
    for r in (records[0], ru, rb):
        check(r["uuid"] in chk, "report checkins lacks a stored record")
    for i, (r, exp) in enumerate(cases):
        if i == 7 or not isinstance(exp, tuple):
            continue
        check(r["uuid"] not in chk, "report checkins lists a refused record")
    check(iso(corrected) in chk, "the corrected time was not taken (%s not in report "
          "checkins)" % iso(corrected))
    reg.run("report", "attendance", str(EVENT), "-")

    # --- Re-imports: nothing to pull for what did not change; --replace keeps walk-ins --------
    _, cur, ep = pull_all(cli, "0", expect_reset=False)
    reg.run("roster", "import", str(EVENT), paths["roster.csv"], "--replace")
    pg, cur, _ = pull_all(cli, "%d.%s" % (cur, ep), expect_reset=False)
    back = {x["id"] for p in pg for x in p.get("participants", [])}
    check(back == {3}, "re-importing the same roster brought %r to pull; documented: only "
          "the deleted participant 3, back" % sorted(back))
    # Issuing again: the same badges change nothing; the walk-ins get their first one.
    reg.run("token", "issue", "--key", os.path.join(work, "sig.key"), "--event", str(EVENT))
    pg, cur2, _ = pull_all(cli, "%d.%s" % (cur, ep), expect_reset=False)
    got = {x["id"]: x for p in pg for x in p.get("participants", [])}
    walkins = {wa, wa + 2, wa - 1 + 65535, wb}
    check(set(got) == walkins and all(x["badge"].startswith("BN1:") for x in got.values()),
          "issuing the badges again brought %r to pull; documented: nothing for the same "
          "badges, the walk-ins %r for their new one" % (sorted(got), sorted(walkins)))
    with open(paths["roster.csv"], encoding="utf-8", newline="") as f:
        lines = [ln for ln in f.read().split("\r\n") if not ln.startswith("2;")]
    check(len(lines) == 6, "the roster file is not as written")
    with open(paths["roster.csv"], "w", encoding="utf-8", newline="") as f:
        f.write("\r\n".join(lines))
    reg.run("roster", "import", str(EVENT), paths["roster.csv"], "--replace")
    pg, _, _ = pull_all(cli, "%d.%s" % (cur2, ep), expect_reset=False)
    gone = [i for p in pg for i in p.get("deleted_participants", [])]
    check(gone == [2], "roster import --replace without participant 2 deleted %r "
          "(walk-ins must be kept)" % gone)

    # --- Revocation, failure budget ------------------------------------------------------------
    reg.run("kiosk", "revoke", str(num_b))
    expect_error(cli_b.request("GET", "/v1/roster?since=0"), 401, "a revoked kiosk")
    failures += 1
    got429 = None
    for i in range(60):  # 20 at most, plus what drained meanwhile (3 s each)
        a = cli.request("GET", "/v1/roster?since=0", token="B" * 43)
        if a.status == 429:
            got429 = a
            break
        expect_error(a, 401, "an unknown token (failure %d)" % (failures + 1))
        failures += 1
    check(got429 is not None, "no 429 after %d authentication failures" % failures)
    check(failures >= 20, "429 after only %d failures (documented: past 20)" % failures)
    expect_error(got429, 429, "past the failure budget")
    check(got429.headers.get("Retry-After") == "3", "429 with Retry-After %r, documented 3" %
          got429.headers.get("Retry-After"))
    expect_error(cli.request("POST", "/v1/enrol", {"enrolment_token": "C" * 32}, token=None),
                 429, "an enrolment failure past the budget")
    a = cli.request("POST", "/v1/status", status)
    check(a.status == 200, "a valid token over budget: HTTP %d (documented: always served)" %
          a.status)
    reg.stop()


if __name__ == "__main__":
    sys.exit(main())
