#!/usr/bin/env python3
"""A hostile client of the registry's web console, written from the documentation alone.

Reads only docs/console.md, docs/borne-registry.8, docs/formats.md and README.md (never src/
nor the other tests): sets a registry up with the documented commands (event import, roster
import, keys, token issue, kiosk add, user add), runs `borne-registry serve` on 127.0.0.1 and
attacks every documented console route as an outsider, as a desk user and as a registrar:
cookies (none, forged, signed out, disabled user's, another user's), CSRF (missing, wrong,
another session's, cross-site Origin and Sec-Fetch-Site), the registrar's routes from the desk,
methods, path tricks, hostile form bodies, review query parameters, settings, sign-in (huge
password, open redirects, header injection).

Every answer must be the documented one, or at least: no 5xx, no stack or sanitizer text, no
hostile input reflected unescaped; what a refused request touched in the database is checked
read-only (sqlite3, mode=ro) and the server must still answer afterwards and have no sanitizer
report in its log.

Exits 0 when the console holds, 1 naming the first deviation (the ctest registration skips, with
exit 77, where python3 is missing). Standard library only; loopback only. While exploring:
HOSTILE_SOFT=1 lists every deviation instead of stopping at the first, HOSTILE_TRACE=1 prints
each request's status, --keep keeps the database and the server's log.
"""

import argparse
import html
import http.client
import json
import os
import re
import select
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse

EVENT = 4242
S_PAST = 4101  # ended an hour ago: its missing exit becomes a review case
S_NOW = 4102  # under way
P_HELENE = 11
P_XSS = 12
P_BOB = 13
PASSWORD = "correct horse battery"
HOSTILE = "<script>alert(1)</script>"

# Text that would betray an internal failure on a page.
LEAKS = ("Traceback", "AddressSanitizer", "runtime error:", "LeakSanitizer", "sqlite3_",
         "SQLITE_", "segfault", "Segmentation fault", "Assertion", "stack trace", "backtrace",
         "src/", ".c:")


class Deviation(Exception):
    """The console did not hold as the docs say."""


SOFT = os.environ.get("HOSTILE_SOFT") == "1"  # while exploring: list every deviation
FOUND = []
TRACE = os.environ.get("HOSTILE_TRACE") == "1"  # every request and its status


def check(cond, what):
    if not cond:
        if SOFT:
            FOUND.append(what)
            print("DEVIATION: %s" % what, file=sys.stderr)
            return
        raise Deviation(what)


class Answer:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        self.text = body.decode("utf-8", "replace")

    def header(self, name):
        return self.headers.get(name)

    def __repr__(self):
        return "HTTP %d %r" % (self.status, self.body[:160])


class Registry:
    """The borne-registry binary, its database and its server process."""

    def __init__(self, binary, workdir):
        self.binary = binary
        self.workdir = workdir
        self.db = os.path.join(workdir, "registry.db")
        self.logpath = self.db + ".log"
        self.proc = None
        self.port = None
        self.log = None

    def run(self, *args, ok=(0,), stdin=None):
        p = subprocess.run([self.binary, "--db", self.db, *args], capture_output=True,
                           timeout=60, input=stdin)
        out = p.stdout.decode("utf-8", "replace")
        err = p.stderr.decode("utf-8", "replace")
        check(p.returncode in ok, "borne-registry %s: exit %d (expected %s): %s" %
              (" ".join(args), p.returncode, ok, err.strip()))
        return out

    def serve(self, *extra):
        # borne-registry(8): port 0 takes a free one; "listening ADDRESS:PORT http" once ready.
        self.log = open(self.logpath, "w+")
        self.proc = subprocess.Popen([self.binary, "--db", self.db, "serve", "--listen",
                                      "127.0.0.1:0", *extra], stdout=subprocess.PIPE,
                                     stderr=self.log, text=True)
        deadline = time.monotonic() + 20
        line = ""
        while time.monotonic() < deadline:
            r, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if r:
                line = self.proc.stdout.readline()
                break
            if self.proc.poll() is not None:
                raise Deviation("serve exited early: %s" % self.log_text()[-2000:])
        m = re.fullmatch(r"listening 127\.0\.0\.1:(\d+) http\n", line)
        check(m is not None, "serve did not print 'listening 127.0.0.1:PORT http' (got %r)"
              % line)
        self.port = int(m.group(1))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log_text(self):
        try:
            with open(self.logpath, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def stop(self):
        rc = None
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                rc = self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise Deviation("serve did not stop within 20 s of SIGTERM")
        if self.log:
            self.log.close()
            self.log = None
        return rc


class Web:
    """Raw HTTP/1.1 over a socket: any method, any bytes in the path and headers."""

    def __init__(self, port):
        self.port = port
        self.origin = "http://127.0.0.1:%d" % port

    def request(self, method, path, body=None, headers=None, cookie=None, length=None,
                timeout=15):
        if isinstance(path, str):
            path = path.encode("utf-8")
        if isinstance(method, str):
            method = method.encode("ascii")
        if isinstance(body, str):
            body = body.encode("utf-8")
        hdrs = [(b"Host", ("127.0.0.1:%d" % self.port).encode())]
        for k, v in (headers or {}).items():
            hdrs.append((k.encode() if isinstance(k, str) else k,
                         v.encode("utf-8") if isinstance(v, str) else v))
        if cookie is not None:
            hdrs.append((b"Cookie", cookie.encode() if isinstance(cookie, str) else cookie))
        if length is not None:
            hdrs.append((b"Content-Length", str(length).encode()))
        elif body is not None:
            hdrs.append((b"Content-Length", str(len(body)).encode()))
        hdrs.append((b"Connection", b"close"))
        head = method + b" " + path + b" HTTP/1.1\r\n"
        head += b"".join(k + b": " + v + b"\r\n" for k, v in hdrs) + b"\r\n"
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        try:
            try:
                s.sendall(head + (body or b""))
            except OSError:
                pass  # the server may answer and close before the body is sent
            r = http.client.HTTPResponse(s, method=method.decode("ascii", "replace"))
            try:
                r.begin()
            except (http.client.RemoteDisconnected, ConnectionResetError):
                return Answer(0, {}, b"")
            try:
                data = r.read()
            except (http.client.IncompleteRead, ConnectionResetError) as e:
                data = getattr(e, "partial", b"")
            return Answer(r.status, r.headers, data)
        finally:
            s.close()

    def get(self, path, cookie=None, headers=None):
        return self.request("GET", path, cookie=cookie, headers=headers)

    def post(self, path, fields, cookie=None, origin="same", headers=None, ctype=None):
        if isinstance(fields, (bytes, str)):
            body = fields
        else:
            body = urllib.parse.urlencode(fields)
        hdrs = {"Content-Type": ctype or "application/x-www-form-urlencoded"}
        if ctype == "":
            del hdrs["Content-Type"]
        if origin == "same":
            hdrs["Origin"] = self.origin
            hdrs["Sec-Fetch-Site"] = "same-origin"
        hdrs.update(headers or {})
        return self.request("POST", path, body=body, headers=hdrs, cookie=cookie)


def forms(page):
    """The forms of a page: [(action, method, {name: value})], entities decoded."""
    out = []
    for m in re.finditer(r"<form\b([^>]*)>(.*?)</form>", page, re.S | re.I):
        attrs, inner = m.group(1), m.group(2)
        action = re.search(r'action="([^"]*)"', attrs)
        method = re.search(r'method="([^"]*)"', attrs, re.I)
        fields = {}
        for i in re.finditer(r"<(?:input|select|textarea)\b([^>]*)>", inner, re.I):
            name = re.search(r'name="([^"]*)"', i.group(1))
            value = re.search(r'value="([^"]*)"', i.group(1))
            if name:
                fields[html.unescape(name.group(1))] = html.unescape(value.group(1)) \
                    if value else ""
        out.append((html.unescape(action.group(1)) if action else "",
                    (method.group(1) if method else "get").lower(), fields))
    return out


class Console:
    """The checks every answer must pass, and the database's state read-only."""

    def __init__(self, reg, web):
        self.reg = reg
        self.web = web
        self.count = 0

    def sane(self, a, what, reflected=(), allow5xx=()):
        self.count += 1
        if TRACE:
            print("%d %s" % (a.status, what[:120]), file=sys.stderr)
        check(a.status != 0, "%s: no answer (connection closed)" % what)
        check(a.status < 500 or a.status in allow5xx, "%s: HTTP %d (%r)" %
              (what, a.status, a.body[:300]))
        ctype = a.header("Content-Type") or ""
        for leak in LEAKS if ctype.startswith(("text/html", "application/json")) else ():
            check(leak not in a.text, "%s: the answer shows %r: %r" % (what, leak, a.text[:300]))
        for r in reflected:
            if isinstance(r, str):
                r = r.encode("utf-8")
            check(r not in a.body, "%s: the answer reflects %r unescaped" % (what, r[:60]))
        for k, v in a.headers.items():
            check("\r" not in v and "\n" not in v, "%s: header %s holds a line break" % (what, k))
        # libmicrohttpd's own refusals (a line too long, bad syntax) come before the console's
        # code, and /v1/ is the kiosks' API: the console's headers are not theirs.
        if a.status >= 200 and a.status not in (400, 413, 414, 431) and self.is_console(what) \
                and "/v1/" not in what:
            # docs/console.md, "Headers on every console answer".
            csp = a.header("Content-Security-Policy") or ""
            check("default-src 'none'" in csp, "%s: no Content-Security-Policy (%r)" %
                  (what, csp))
            check(a.header("X-Frame-Options") == "DENY", "%s: no X-Frame-Options" % what)
            check(a.header("X-Content-Type-Options") == "nosniff", "%s: no nosniff" % what)
        return a

    @staticmethod
    def is_console(what):
        return not what.startswith("raw:")

    def expect(self, a, statuses, what, **kw):
        if isinstance(statuses, int):
            statuses = (statuses,)
        self.sane(a, what, **kw)
        check(a.status in statuses, "%s: HTTP %d, expected %s (%r)" %
              (what, a.status, statuses, a.body[:300]))
        return a

    def state(self):
        """What a refused request must not change: every table but the sessions, the sign-in
        audit rows and the failure counters, read through a read-only connection."""
        c = sqlite3.connect("file:%s?mode=ro" % self.reg.db, uri=True, timeout=10)
        try:
            out = {}
            tables = [r[0] for r in c.execute(
                "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
            for t in tables:
                if t in ("console_session",) or t.startswith("sqlite_"):
                    continue
                q = 'SELECT * FROM "%s"' % t
                if t == "console_audit":
                    cols = [r[1] for r in c.execute('PRAGMA table_info("console_audit")')]
                    act = next((x for x in ("action", "what") if x in cols), None)
                    if act:
                        q += " WHERE %s NOT IN ('signin', 'signout', 'sign-in', 'sign-out', " \
                             "'user.signin', 'user.signout', 'signin.fail')" % act
                rows = sorted(repr(r) for r in c.execute(q))
                out[t] = rows
            return out
        finally:
            c.close()

    def unchanged(self, before, what):
        after = self.state()
        for t in sorted(set(before) | set(after)):
            b, a = before.get(t, []), after.get(t, [])
            if b != a:
                added = [r for r in a if r not in b][:3]
                gone = [r for r in b if r not in a][:3]
                raise Deviation("%s changed table %s (added %s, removed %s)" %
                                (what, t, added, gone))

    def up(self, cookie, what):
        check(self.reg.alive(), "registry died after %s: %s" % (what, self.reg.log_text()[-3000:]))
        a = self.web.get("/events", cookie=cookie)
        check(a.status == 200, "after %s the console no longer answers /events (%r)" % (what, a))


def local(ts):
    return time.strftime("%Y-%m-%dT%H:%M", time.gmtime(ts))


def setup(reg, work, now):
    # docs/formats.md: event JSON in UTC, one session over, one under way.
    ev = {"id": EVENT, "name": "Congrès « hostile » " + HOSTILE, "timezone": "UTC",
          "starts": local(now - 86400), "ends": local(now + 86400),
          "sessions": [
              {"id": S_PAST, "code": "A1", "title": "Atelier passé", "room": "Salle 1",
               "starts": local(now - 3 * 3600), "ends": local(now - 2 * 3600),
               "credit_hours": 1},
              {"id": S_NOW, "code": "A2", "title": "Atelier en cours " + HOSTILE,
               "room": "Salle 2", "starts": local(now - 1800), "ends": local(now + 3600),
               "credit_hours": 1.5}]}
    with open(os.path.join(work, "event.json"), "w", encoding="utf-8") as f:
        json.dump(ev, f, ensure_ascii=False)
    with open(os.path.join(work, "roster.csv"), "w", encoding="utf-8") as f:
        f.write("id;prénom;nom;organisation;séances\n")
        f.write("%d;Hélène;Tremblay;Ville de Québec;A1 A2\n" % P_HELENE)
        f.write("%d;\"%s\";Injecté;\"\"\"><img src=x onerror=alert(2)>\";A1 A2\n" %
                (P_XSS, HOSTILE))
        f.write("%d;Bob;Côté;;A1\n" % P_BOB)
    reg.run("event", "import", os.path.join(work, "event.json"))
    reg.run("roster", "import", str(EVENT), os.path.join(work, "roster.csv"))
    key = os.path.join(work, "sig.key")
    reg.run("keys", "generate", "--out", key, "--id", "3")
    reg.run("token", "issue", "--key", key, "--event", str(EVENT))
    reg.run("kiosk", "add", "--event", str(EVENT), "--url", "http://127.0.0.1:9",
            "--name", "Porte <b>1</b>")
    for name, role in (("nadia", "registrar"), ("rita", "registrar"), ("accueil1", "desk"),
                       ("accueil2", "desk")):
        reg.run("user", "add", name, "--role", role, stdin=(PASSWORD + "\n").encode())
    return key


def signin(con, name, password=PASSWORD):
    web = con.web
    page = con.expect(web.get("/signin"), 200, "GET /signin")
    f = [x for x in forms(page.text) if x[1] == "post"]
    check(f, "the sign-in page has no POST form")
    action, _, fields = f[0]
    user_field = next((k for k in fields if "name" in k or "user" in k or "login" in k), None)
    pass_field = next((k for k in fields if "pass" in k), None)
    check(user_field and pass_field, "sign-in form fields not found: %s" % list(fields))
    fields[user_field] = name
    fields[pass_field] = password
    a = web.post(action or "/signin", fields)
    con.expect(a, 303, "sign-in of %s" % name)
    cookie = None
    for k, v in a.headers.items():
        if k.lower() == "set-cookie" and v.startswith("borne_session="):
            cookie = v.split(";")[0]
    check(cookie, "sign-in of %s set no borne_session cookie" % name)
    return cookie, (user_field, pass_field, action or "/signin", fields)


def csrf_of(page):
    """The CSRF field of a page's POST forms: (name, value)."""
    for _, method, fields in forms(page):
        if method != "post":
            continue
        for k, v in fields.items():
            if "csrf" in k.lower() or "token" in k.lower():
                return k, v
    raise Deviation("no CSRF field in the page's forms")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--registry", required=True)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="borne-hostile-")
    reg = Registry(args.registry, work)
    t0 = time.monotonic()
    ok = False
    try:
        now = int(time.time())
        key = setup(reg, work, now)
        reg.serve("--attest-key", key, "--auth-failures", "1000000")
        web = Web(reg.port)
        con = Console(reg, web)
        attack(con, reg, web, now)
        ok = True
    except Deviation as e:
        print("console_hostile: DEVIATION: %s" % e, file=sys.stderr)
    finally:
        rc = reg.stop()
        log = reg.log_text()
        for bad in ("AddressSanitizer", "runtime error:", "LeakSanitizer", "ERROR: "):
            if bad in log:
                print("console_hostile: the registry's log has %r:\n%s" % (bad, log[-4000:]),
                      file=sys.stderr)
                ok = False
        if ok and rc not in (0, None):
            print("console_hostile: serve exited %s on SIGTERM" % rc, file=sys.stderr)
            ok = False
        if args.keep or not ok:
            print("console_hostile: files kept in %s" % work, file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    if ok:
        print("console_hostile: %d hostile requests, console held (%.1f s)" %
              (con.count, time.monotonic() - t0))
    return 0 if ok else 1


def attack(con, reg, web, now):
    E = "/events/%d" % EVENT
    P = E + "/participants/%d" % P_HELENE
    reg_cookie, signin_form = signin(con, "nadia")
    rita_cookie, _ = signin(con, "rita")
    desk_cookie, _ = signin(con, "accueil1")
    desk2_cookie, _ = signin(con, "accueil2")

    # The pages as they should be, and their forms' CSRF tokens.
    ppage = con.expect(web.get(P, cookie=reg_cookie), 200, "participant page",
                       reflected=[HOSTILE])
    csrf_name, reg_csrf = csrf_of(ppage.text)
    dpage = con.expect(web.get(P, cookie=desk_cookie), 200, "participant page (desk)")
    _, desk_csrf = csrf_of(dpage.text)
    _, rita_csrf = csrf_of(con.expect(web.get(P, cookie=rita_cookie), 200, "page (rita)").text)
    check(reg_csrf != desk_csrf != rita_csrf, "two sessions share a CSRF token")
    scan_form = next((f for f in forms(ppage.text) if f[0].endswith("/scan")), None)
    check(scan_form, "no manual scan form on the participant page")
    badge_form = next((f for f in forms(ppage.text) if f[0].endswith("/badge")), None)
    check(badge_form, "no badge form on the participant page (serve has --attest-key)")

    # A legitimate manual entry in the past session (no exit: a review case), by the desk.
    entry_time = local(now - 3 * 3600 + 600)
    a = web.post(P + "/scan", {"session": S_PAST, "direction": "entry", "time": entry_time,
                               "reason": "badge oublié", csrf_name: desk_csrf},
                 cookie=desk_cookie)
    con.expect(a, 303, "manual entry by the desk")
    a = web.post(E + "/participants/%d/scan" % P_BOB,
                 {"session": S_PAST, "direction": "entry", "time": entry_time,
                  "reason": "badge oublié", csrf_name: desk_csrf}, cookie=desk_cookie)
    con.expect(a, 303, "manual entry by the desk (Bob)")
    a = web.post(E + "/participants/%d/scan" % P_BOB,
                 {"session": S_PAST, "direction": "exit", "time": local(now - 2 * 3600 - 600),
                  "reason": "badge oublié", csrf_name: desk_csrf}, cookie=desk_cookie)
    con.expect(a, 303, "manual exit by the desk (Bob)")
    review = con.expect(web.get(E + "/review", cookie=reg_cookie), 200, "review queue")
    cases = re.findall(r'id="case-(\d+-\d+)"', review.text)
    check(cases, "the review queue shows no case after a missing exit")
    case = "%d-%d" % (S_PAST, P_HELENE)
    check(case in cases, "case %s not in the queue (%s)" % (case, cases))
    rform = next((f for f in forms(review.text) if f[1] == "post"), None)
    check(rform, "no decision form for the registrar on the review page")
    credits = con.expect(web.get(E + "/credits", cookie=reg_cookie), 200, "credits page",
                         reflected=[HOSTILE])
    sform = next((f for f in forms(credits.text) if f[0].endswith("/settings")), None)
    check(sform, "no settings form on the registrar's credits page")

    GETS = ["/events", E, E + "/live.json", E + "/participants?q=hel", P,
            P + "/badge.pdf", E + "/attestations/%d.pdf" % P_BOB, E + "/credits",
            E + "/review", E + "/credits-excel.csv", E + "/credits.csv", E + "/credits.json",
            E + "/attestations.zip", "/audit"]
    REGISTRAR_GETS = [E + "/credits-excel.csv", E + "/credits.csv", E + "/credits.json",
                      E + "/attestations.zip", "/audit"]
    good_scan = {"session": S_PAST, "direction": "exit", "time": local(now - 2 * 3600 - 60),
                 "reason": "oubli"}
    POSTS = [(P + "/scan", good_scan), (P + "/badge", {"reason": "perdu"}),
             (E + "/settings", {"missing_exit": "full", "issuer": "Ordre X"}),
             (E + "/review", {"case": case, "decision": "accept", "reason": "vu"})]

    # 1. No session, forged, signed-out, disabled user's and malformed cookies.
    before = con.state()
    forged = "borne_session=" + "ab" * 32
    for cookie, label in ((None, "no cookie"), (forged, "forged cookie"),
                          ("borne_session=", "empty cookie"),
                          ("borne_session=" + "x" * 5000, "5000-byte cookie"),
                          ("borne_session=%00%ff", "binary cookie"),
                          ("borne_session=a; borne_session=b; borne_session=" + "c" * 64,
                           "three session cookies"),
                          ("borne_lang=<script>; borne_session=" + "0" * 64, "hostile lang")):
        for path in GETS:
            a = web.get(path, cookie=cookie)
            what = "GET %s with %s" % (path, label)
            if path.endswith(".json") and path.endswith("live.json"):
                con.expect(a, 401, what, reflected=["<script>"])
            else:
                con.expect(a, (303, 401), what, reflected=["<script>"])
                if a.status == 303:
                    loc = a.header("Location") or ""
                    check(loc.startswith("/signin?next="), "%s: 303 to %r" % (what, loc))
        for path, fields in POSTS:
            f = dict(fields)
            f[csrf_name] = reg_csrf
            a = web.post(path, f, cookie=cookie)
            # docs/console.md: a form posted without a valid session is refused (403).
            con.expect(a, 403, "POST %s with %s" % (path, label))
    con.unchanged(before, "requests without a valid session")
    con.up(reg_cookie, "requests without a valid session")

    # A signed-out session and a disabled user's session are dead at once.
    out_cookie, _ = signin(con, "rita")
    page = con.expect(web.get(E, cookie=out_cookie), 200, "rita's second session")
    signout = next((f for f in forms(page.text) if "signout" in f[0] or "logout" in f[0]), None)
    check(signout, "no sign-out form")
    sf = dict(signout[2])
    con.expect(web.post(signout[0], sf, cookie=out_cookie), 303, "sign-out")
    con.expect(web.get(E, cookie=out_cookie), 303, "page with a signed-out cookie")
    con.expect(web.get(E + "/live.json", cookie=out_cookie), 401, "JSON, signed-out cookie")
    reg.run("user", "add", "temp.user", "--role", "registrar", stdin=(PASSWORD + "\n").encode())
    temp_cookie, _ = signin(con, "temp.user")
    tpage = con.expect(web.get(P, cookie=temp_cookie), 200, "temp.user's page")
    _, temp_csrf = csrf_of(tpage.text)
    reg.run("user", "disable", "temp.user")
    before = con.state()
    con.expect(web.get(E, cookie=temp_cookie), 303, "page of a disabled user")
    con.expect(web.get("/audit", cookie=temp_cookie), 303, "audit of a disabled user")
    for path, fields in POSTS:
        f = dict(fields)
        f[csrf_name] = temp_csrf
        con.expect(web.post(path, f, cookie=temp_cookie), 403,
                   "POST %s by a disabled user" % path)
    con.expect(web.post(signin_form[2], {signin_form[0]: "temp.user",
                                         signin_form[1]: PASSWORD}), 401,
               "sign-in of a disabled user")
    con.unchanged(before, "a disabled user's requests")

    # 2. CSRF: missing, wrong, another session's, cross-site Origin / Sec-Fetch-Site.
    before = con.state()
    for path, fields in POSTS:
        for label, extra, hdrs in (
                ("no token", {}, None),
                ("empty token", {csrf_name: ""}, None),
                ("wrong token", {csrf_name: "0" * 64}, None),
                ("truncated token", {csrf_name: reg_csrf[:-1]}, None),
                ("token plus one", {csrf_name: reg_csrf + "0"}, None),
                ("rita's token", {csrf_name: rita_csrf}, None),
                ("desk's token", {csrf_name: desk_csrf}, None),
                ("cross-site Origin", {csrf_name: reg_csrf},
                 {"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}),
                ("Origin null", {csrf_name: reg_csrf}, {"Origin": "null"}),
                ("Sec-Fetch-Site cross-site", {csrf_name: reg_csrf},
                 {"Sec-Fetch-Site": "cross-site"}),
                ("Sec-Fetch-Site same-site", {csrf_name: reg_csrf},
                 {"Sec-Fetch-Site": "same-site"}),
                ("Origin another port", {csrf_name: reg_csrf},
                 {"Origin": "http://127.0.0.1:%d" % (web.port ^ 1)})):
            f = dict(fields)
            f.update(extra)
            a = web.post(path, f, cookie=reg_cookie, headers=hdrs)
            con.expect(a, 403, "POST %s with %s" % (path, label))
    # The sign-in form is origin-checked too.
    a = web.post(signin_form[2], {signin_form[0]: "nadia", signin_form[1]: PASSWORD},
                 headers={"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"})
    con.expect(a, 403, "cross-site sign-in")
    check(not any(k.lower() == "set-cookie" and "borne_session=" in v and
                  not v.startswith("borne_session=;") for k, v in a.headers.items()),
          "a cross-site sign-in set a session cookie")
    con.unchanged(before, "CSRF attempts")
    con.up(reg_cookie, "CSRF attempts")

    # 3. The desk on the registrar's routes.
    before = con.state()
    for path in REGISTRAR_GETS:
        con.expect(web.get(path, cookie=desk_cookie), 403, "desk GET %s" % path)
    con.expect(web.post(E + "/settings", {"missing_exit": "full", "issuer": "X",
                                          csrf_name: desk_csrf}, cookie=desk_cookie), 403,
               "desk POST settings")
    for decision in ("accept", "reject", "edit"):
        con.expect(web.post(E + "/review", {"case": case, "decision": decision,
                                            "reason": "desk", "entry": entry_time,
                                            "exit": local(now - 2 * 3600),
                                            csrf_name: desk_csrf}, cookie=desk_cookie),
                   403, "desk review %s" % decision)
    rv = con.expect(web.get(E + "/review", cookie=desk_cookie), 200, "desk review page")
    check(not [f for f in forms(rv.text) if f[1] == "post" and f[0].endswith("/review")],
          "the desk's review page has decision forms")
    cr = con.expect(web.get(E + "/credits", cookie=desk_cookie), 200, "desk credits page")
    check(not [f for f in forms(cr.text) if f[0].endswith("/settings")],
          "the desk's credits page has the settings form")
    check("credits.csv" not in cr.text and "attestations.zip" not in cr.text,
          "the desk's credits page links the registrar's downloads")
    con.unchanged(before, "the desk on registrar routes")

    # 4. Methods.
    before = con.state()
    for path in GETS + [p for p, _ in POSTS] + ["/signin", "/assets/console.css"]:
        for method in ("OPTIONS", "PUT", "DELETE", "PATCH", "TRACE", "FOO", "get"):
            a = web.request(method, path, cookie=reg_cookie, body=b"",
                            headers={"Origin": web.origin, "Sec-Fetch-Site": "same-origin"})
            con.expect(a, (400, 403, 404, 405, 501), "%s %s" % (method, path),
                       allow5xx=(501,))
            if a.status == 405:
                check(a.header("Allow"), "%s %s: 405 without Allow" % (method, path))
        a = web.request("HEAD", path, cookie=reg_cookie)
        con.expect(a, (200, 303, 404, 405), "HEAD %s" % path)
        check(a.body == b"", "HEAD %s answered a body" % path)
    for path, _ in POSTS:
        a = web.get(path, cookie=reg_cookie)
        if path.endswith("/review"):
            con.expect(a, 200, "GET review")
        else:
            con.expect(a, (404, 405), "GET %s (a POST route)" % path)
    for path in GETS:
        if path.endswith("/review"):
            continue
        a = web.post(path, {csrf_name: reg_csrf}, cookie=reg_cookie)
        con.expect(a, (403, 404, 405), "POST %s (a GET route)" % path)
    con.unchanged(before, "method confusion")
    con.up(reg_cookie, "method confusion")

    # 5. Path tricks, for the desk (must never reach the audit log) and the registrar.
    before = con.state()
    tricks = [E + "/../audit", E + "/%2e%2e/audit", E + "/%2E%2E/%2E%2E/audit",
              "/events/../audit", "//audit", "/./audit", "/audit/", "/audit/.", "/AUDIT",
              "/audit%00", "/audit%2f", "/audit?x=1", "/audit#x", "/audit;x",
              "/events/0%d" % EVENT, "/events/4294967296", "/events/%d" % (EVENT + 2 ** 32),
              "/events/18446744073709551616", "/events/-1", "/events/+%d" % EVENT,
              "/events/%20" + str(EVENT), "/events/%d/" % EVENT, "/events//%d" % EVENT,
              "//events/%d" % EVENT, "/events/%d%%00" % EVENT, "/events/%d%%00/credits.csv" %
              EVENT, "/events/0x10", "/events/1e3", "/events/%d.0" % EVENT,
              E + "/participants/%d/" % P_HELENE, E + "/participants/-%d" % P_HELENE,
              E + "/participants/4294967307", E + "/attestations/%d.pdf.pdf" % P_HELENE,
              E + "/attestations/.pdf", E + "/attestations/-1.pdf",
              E + "/attestations/99999999999999999999.pdf", E + "/credits.csv/",
              E + "/credits.csv%00.html", E + "/live.json?x=%ff", "/assets/../audit",
              "/assets/%2e%2e/audit", "/assets/console.css/../../audit", "/assets/",
              "/assets/console.css%00", "/assets/..%2fconsole.css", "/signin/../audit",
              "/v1/../audit", "/" + "a" * 3000, "/events/" + "9" * 4000,
              E + "/participants?q=" + "%e9" * 1000, E + "/participants?q=%00%01%ff",
              E + "/participants?q=" + urllib.parse.quote(HOSTILE),
              "/signin?next=" + urllib.parse.quote(HOSTILE)]
    raw_tricks = [b"/audit\xff", b"/events/\xc3\x28", b"/events/" + str(EVENT).encode() +
                  b"/participants?q=\xff\xfe", b"/\xe9v\xe9nements", b"/audit\x7f"]
    for who, cookie in (("desk", desk_cookie), ("registrar", reg_cookie)):
        for path in tricks + raw_tricks:
            a = web.get(path, cookie=cookie)
            what = "%s GET %r" % (who, path[:80])
            con.expect(a, (200, 303, 400, 403, 404, 405, 414, 431), what,
                       reflected=[HOSTILE, "<script>", "\xe9" * 3])
            if who == "desk" and a.status == 200:
                check("console_audit" not in a.text and 'id="audit' not in a.text,
                      "%s: the desk read the audit log" % what)
            if a.status == 200 and (b"/audit" in path if isinstance(path, bytes)
                                    else "/audit" in path):
                # Only a registrar reads the audit log, and only at /audit exactly.
                check(who == "registrar", "%s: 200" % what)
    for path in ["/" + "a" * 100000, "/events/1?" + "q" * 200000]:
        a = web.get(path, cookie=reg_cookie)
        con.sane(a, "GET a %d-byte path" % len(path), allow5xx=())
    # Answers must not depend on the rewritten path: an out-of-range event is unknown.
    for path in ("/events/4294967296", "/events/%d" % (EVENT + 2 ** 32), "/events/-1",
                 "/events/18446744073709551616", "/events/0", "/events/0%d" % EVENT,
                 "/audit%00", "/audit%00x", E + "/credits.csv%00.html", "/assets/console.css%00",
                 E + "%00/credits.csv",
                 "/events/00%d/credits" % EVENT, E + "/participants/0%d" % P_HELENE,
                 E + "/attestations/0%d.pdf" % P_BOB):
        a = web.get(path, cookie=reg_cookie)
        con.expect(a, (400, 404), "GET %s" % path)
    con.unchanged(before, "path tricks")
    con.up(reg_cookie, "path tricks")

    # 6. Hostile form bodies on the manual scan, the review decision and the settings.
    before = con.state()
    scan = dict(good_scan)
    scan[csrf_name] = reg_csrf

    def body_of(fields):
        return urllib.parse.urlencode(fields)

    bad_scans = [
        ("duplicated session", body_of(scan) + "&session=%d" % S_NOW),
        ("duplicated csrf (wrong first)", "%s=%s&" % (csrf_name, "0" * 64) + body_of(scan)),
        ("invalid percent-encoding", body_of(scan) + "&reason=%zz%4"),
        ("percent at the end", body_of(scan).replace("reason=oubli", "reason=oubli%")),
        ("non-UTF-8 reason", body_of(scan).replace("reason=oubli", "reason=%ff%fe%c3%28")),
        ("10,000-char reason", body_of(scan).replace("reason=oubli", "reason=" + "é" * 5000)),
        ("501-byte reason", body_of(scan).replace("reason=oubli", "reason=" + "r" * 501)),
        ("reason of spaces", body_of(scan).replace("reason=oubli", "reason=+++%09")),
        ("NUL in reason", body_of(scan).replace("reason=oubli", "reason=a%00b")),
        ("time 2026-02-30T25:61", body_of(scan).replace(
            "time=" + urllib.parse.quote(good_scan["time"]), "time=2026-02-30T25%3A61")),
        ("time far past", body_of(dict(scan, time="1900-01-01T00:00"))),
        ("time far future", body_of(dict(scan, time="9999-12-31T23:59"))),
        ("time year 0", body_of(dict(scan, time="0000-01-01T00:00"))),
        ("time negative", body_of(dict(scan, time="-2026-05-20T10:00"))),
        ("time with trailing junk", body_of(dict(scan, time=good_scan["time"] + "Z<b>"))),
        ("time huge", body_of(dict(scan, time="99999999999999999999-01-01T00:00"))),
        ("time empty", body_of(dict(scan, time=""))),
        ("session 0", body_of(dict(scan, session="0"))),
        ("session -1", body_of(dict(scan, session="-1"))),
        ("session 2^32+S", body_of(dict(scan, session=str(2 ** 32 + S_PAST)))),
        ("session text", body_of(dict(scan, session=HOSTILE))),
        ("direction sideways", body_of(dict(scan, direction="sideways"))),
        ("direction empty", body_of(dict(scan, direction=""))),
        ("future exit", body_of(dict(scan, time=local(now + 7200)))),
        ("exit before entry", body_of(dict(scan, time=local(now - 3 * 3600 + 60)))),
        ("no fields but the token", body_of({csrf_name: reg_csrf})),
        ("empty body", ""),
        ("only ampersands", "&&&&=&=="),
        ("a field without =", body_of(scan) + "&session"),
    ]
    for label, body in bad_scans:
        a = web.post(P + "/scan", body, cookie=reg_cookie)
        what = "scan with %s" % label
        expected = (400, 403) if "csrf" in label or "empty body" in label or \
            "ampersands" in label else 400
        con.expect(a, expected, what, reflected=[HOSTILE, "<b>"])
    # Content types and sizes.
    a = web.post(P + "/scan", body_of(scan), cookie=reg_cookie, ctype="")
    con.expect(a, (400, 403, 415), "scan without Content-Type")
    a = web.post(P + "/scan", body_of(scan), cookie=reg_cookie, ctype="text/plain")
    con.expect(a, (400, 403, 415), "scan as text/plain")
    a = web.post(P + "/scan", body_of(scan), cookie=reg_cookie, ctype="application/json")
    con.expect(a, (400, 403, 415), "scan as application/json")
    mp = "".join("--XyZ\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (k, v)
                 for k, v in scan.items()) + "--XyZ--\r\n"
    a = web.post(P + "/scan", mp, cookie=reg_cookie, ctype="multipart/form-data; boundary=XyZ")
    con.expect(a, (400, 403, 415), "scan as multipart")
    big = body_of(scan) + "&pad=" + "a" * (1 << 20)
    a = web.post(P + "/scan", big, cookie=reg_cookie)
    con.expect(a, 413, "scan with a 1 MB body")
    a = web.request("POST", P + "/scan", cookie=reg_cookie, length=100 * 1024 * 1024,
                    headers={"Content-Type": "application/x-www-form-urlencoded",
                             "Origin": web.origin, "Sec-Fetch-Site": "same-origin"})
    con.expect(a, 413, "scan announcing 100 MB and sending nothing")
    a = web.request("POST", P + "/scan", cookie=reg_cookie, length=-1,
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    con.expect(a, (400, 411, 413), "scan with Content-Length -1")
    a = web.request("POST", P + "/scan", cookie=reg_cookie, length=99999999999999999999999,
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    con.expect(a, (400, 413), "scan with a 23-digit Content-Length")
    # The badge: a hostile reason.
    for label, reason in (("empty", ""), ("501 bytes", "r" * 501), ("non-UTF-8", "%ff%fe")):
        body = "reason=%s&%s=%s" % (reason, csrf_name, reg_csrf)
        con.expect(web.post(P + "/badge", body, cookie=reg_cookie), 400,
                   "badge with a %s reason" % label)
    con.unchanged(before, "hostile scan bodies")
    con.up(reg_cookie, "hostile scan bodies")

    # Review decisions.
    before = con.state()
    dec = {"case": case, "decision": "edit", "reason": "corrigé", "entry": entry_time,
           "exit": local(now - 2 * 3600 - 300), csrf_name: reg_csrf}
    bad_decisions = [
        ("reversed entry and exit", dict(dec, entry=dec["exit"], exit=dec["entry"])),
        ("entry equal to exit", dict(dec, exit=dec["entry"])),
        ("time 2026-02-30T25:61", dict(dec, exit="2026-02-30T25:61")),
        ("far past", dict(dec, entry="1000-01-01T00:00")),
        ("far future", dict(dec, exit="9999-12-31T23:59")),
        ("edit without times", dict(dec, entry="", exit="")),
        ("edit without reason", dict(dec, reason="")),
        ("reject without reason", dict(dec, decision="reject", reason="")),
        ("decision unknown", dict(dec, decision="approve")),
        ("decision with a NUL", dict(dec, decision="accept\x00")),
        ("case of another session", dict(dec, case="%d-%d" % (S_NOW, P_HELENE))),
        ("case unknown", dict(dec, case="999999-999999")),
        ("case malformed", dict(dec, case="4101-")),
        ("case negative", dict(dec, case="-4101-11")),
        ("case overflow", dict(dec, case="%d-%d" % (S_PAST + 2 ** 32, P_HELENE))),
        ("case hostile", dict(dec, case=HOSTILE)),
        ("10,000-char reason", dict(dec, reason="x" * 10000)),
        ("non-UTF-8 reason", None),
        ("control characters", dict(dec, reason="a\x1b[31mb\x07")),
    ]
    for label, fields in bad_decisions:
        if fields is None:
            body = body_of(dict(dec, reason="R")).replace("reason=R", "reason=%ff%c0%af")
        else:
            body = body_of(fields)
        a = web.post(E + "/review", body, cookie=reg_cookie)
        con.expect(a, (400, 404), "decision with %s" % label, reflected=[HOSTILE, "\x1b"])
    a = web.post(E + "/review", body_of(dec) + "&decision=accept", cookie=reg_cookie)
    con.expect(a, (303, 400), "decision with two decisions")
    if a.status == 303:
        check(False, "a decision with two decision fields (edit and accept) was taken")
    con.unchanged(before, "hostile decisions")

    # Review query parameters: clamped or refused, never echoed.
    for q, ok in (("page=0", 200), ("page=-5", 200), ("page=99999", 200),
                  ("page=abc", 400), ("page=1.5", 400), ("page=", (200, 400)),
                  ("page=99999999999999999999999", (200, 400)), ("page=%00", 400),
                  ("page=1&page=2", (200, 400)), ("page=0x10", 400), ("page=1e3", 400),
                  ("page=+1", (200, 400)), ("page=%201", (200, 400)),
                  ("kind=" + urllib.parse.quote(HOSTILE), 400), ("kind=clock", 200),
                  ("kind=CLOCK", (200, 400)), ("kind=%ff", 400), ("kind=", (200, 400)),
                  ("session=abc", 400), ("session=999999", 400), ("session=-1", 400),
                  ("session=%d" % (S_PAST + 2 ** 32), 400), ("session=%d" % S_PAST, 200),
                  ("session=" + "9" * 30, 400), ("kind=missing-exit&session=%d" % S_NOW, 200),
                  ("x=%zz", (200, 400)), ("page=2%00", 400), ("kind=clock%00x", 400)):
        a = web.get(E + "/review?" + q, cookie=reg_cookie)
        con.expect(a, ok, "review ?%s" % q, reflected=[HOSTILE, "abc", "99999999999999999999999",
                                                        "0x10", "1e3"] if a.status == 400
                   else [HOSTILE])

    # 7. Settings: the issuer.
    before = con.state()
    base = {"missing_exit": "review", csrf_name: reg_csrf}
    for label, issuer in (("201 bytes", "i" * 201), ("201 bytes in é", "é" * 100 + "x"),
                          ("a line break", "Ordre\nX"), ("a CR", "Ordre\rX"),
                          ("a tab", "Ordre\tX"), ("a NUL", "Ordre\x00X"),
                          ("DEL", "Ordre\x7fX"), ("C1 control", "Ordre\u0085X"),
                          ("non-UTF-8", None), ("RTL override", "Ordre \u202efdp.exe"),
                          ("a lone surrogate", None)):
        if issuer is None:
            raw = "%ff%fe" if label == "non-UTF-8" else "%ed%a0%80"
            body = body_of(dict(base, issuer="I")).replace("issuer=I", "issuer=" + raw)
        else:
            body = body_of(dict(base, issuer=issuer))
        a = web.post(E + "/settings", body, cookie=reg_cookie)
        con.expect(a, 400, "settings with an issuer of %s" % label,
                   reflected=["i" * 201, "\u202e"])
    for label, body in (("missing_exit unknown", body_of(dict(base, missing_exit="all",
                                                               issuer="Ordre"))),
                        ("missing_exit hostile", body_of(dict(base, missing_exit=HOSTILE,
                                                               issuer="Ordre"))),
                        ("missing_exit absent", body_of({"issuer": "Ordre",
                                                         csrf_name: reg_csrf})),
                        ("two issuers", body_of(dict(base, issuer="A")) + "&issuer=B"),
                        ("two missing_exit", body_of(dict(base, issuer="A")) +
                         "&missing_exit=none")):
        a = web.post(E + "/settings", body, cookie=reg_cookie)
        con.expect(a, 400, "settings with %s" % label, reflected=[HOSTILE])
    con.unchanged(before, "refused settings")
    con.up(reg_cookie, "refused settings")
    # An issuer holding markup is text: stored, then escaped on every page.
    for issuer in (HOSTILE + " & « Ordre »", "é" * 100):
        a = web.post(E + "/settings", body_of(dict(base, issuer=issuer)), cookie=reg_cookie)
        con.expect(a, 303, "settings with issuer %r" % issuer[:20])
        page = con.expect(web.get(E + "/credits", cookie=reg_cookie), 200, "credits page",
                          reflected=[HOSTILE])
        if issuer.startswith("<"):
            check(html.escape(HOSTILE, quote=True) in page.text or "&lt;script&gt;" in
                  page.text, "the hostile issuer is not shown escaped on the credits page")
        a = web.get(E + "/attestations/%d.pdf" % P_BOB, cookie=reg_cookie)
        con.expect(a, 200, "attestation with issuer %r" % issuer[:20])
        check(a.body.startswith(b"%PDF-"), "the attestation is not a PDF")
    audit = con.expect(web.get("/audit", cookie=reg_cookie), 200, "audit log",
                       reflected=[HOSTILE])
    check("event.settings" in audit.text, "no event.settings row in the audit log")

    # 8. Sign-in: huge password, long name, open redirects, header injection.
    uf, pf, action, _ = signin_form
    before = con.state()
    a = web.post(action, {uf: "nadia", pf: "p" * (1 << 20)})
    con.expect(a, 413, "sign-in with a 1 MB password")
    for label, name, pw in (("257-byte password", "nadia", "p" * 257),
                            ("16,000-byte password", "nadia", "p" * 16000),
                            ("empty", "", ""), ("CR LF in name", "nadia\r\nSet-Cookie: x=1", PASSWORD),
                            ("NUL in name", "nadia\x00", PASSWORD),
                            ("hostile name", HOSTILE, PASSWORD),
                            ("non-UTF-8 name", None, PASSWORD)):
        if name is None:
            body = body_of({uf: "N", pf: pw}).replace(uf + "=N", uf + "=%ff%fe")
        else:
            body = body_of({uf: name, pf: pw})
        a = web.post(action, body)
        con.expect(a, (400, 401), "sign-in with %s" % label, reflected=[HOSTILE])
        check(not any(k.lower() == "set-cookie" and v.startswith("x=") for k, v in
                      a.headers.items()), "sign-in with %s: injected cookie" % label)
    con.unchanged(before, "refused sign-ins")
    con.up(reg_cookie, "refused sign-ins")
    NEXTS = ("//evil.example/", "/\\evil.example", "\\\\evil.example", "https://evil.example/",
             "https:evil.example", "http:/evil.example", "javascript:alert(1)",
             "/%2F%2Fevil.example", "/\t/evil.example", "/events\r\nSet-Cookie: x=1",
             "/events%0d%0aSet-Cookie:%20x=1", "/events\r\nLocation: //evil",
             " //evil.example", "\x00//evil", "/" + HOSTILE, "//", "///evil.example",
             "/.//evil.example", "/%5cevil.example", "events", "/events?\r\nX: y",
             "/events\x00//evil", "/" + "a" * 9000)

    def local_location(a, what):
        loc = a.header("Location") or ""
        what = "%s: Location %r" % (what, loc[:80])
        check(loc.startswith("/") and not loc.startswith("//") and not loc.startswith("/\\"),
              what)
        p = urllib.parse.urlsplit(loc)
        check(not p.scheme and not p.netloc, what + " (not local)")
        check(not any(k.lower() == "set-cookie" and v.startswith("x=") for k, v in
                      a.headers.items()), what + ": injected Set-Cookie")
        check(a.header("X") is None and a.header("Location", ) == loc, what + ": injected header")

    # The language switch of every page's header takes next= too (no session needed).
    lang = re.search(r'href="(/lang/[a-z]+)\?next=', ppage.text)
    check(lang, "no language switch in the page header")
    for nxt in NEXTS:
        q = urllib.parse.urlencode({"next": nxt})
        page = web.get("/signin?" + q)
        con.expect(page, (200, 400, 414), "sign-in page with next=%r" % nxt[:40],
                   reflected=[HOSTILE, "\r\n"])
        a = web.get(lang.group(1) + "?" + q)
        con.expect(a, (303, 400, 414), "language switch with next=%r" % nxt[:40])
        if a.status == 303:
            local_location(a, "language switch with next=%r" % nxt[:40])
    # Signing in is slow on purpose (argon2id): a few of them through the form.
    for nxt in NEXTS[:5] + NEXTS[9:11] + (NEXTS[-2],):
        q = urllib.parse.urlencode({"next": nxt})
        page = web.get("/signin?" + q)
        f = [x for x in forms(page.text) if x[1] == "post"] if page.status == 200 else []
        fields = dict(f[0][2]) if f else {}
        fields[uf] = "nadia"
        fields[pf] = PASSWORD
        fields["next"] = nxt
        a = web.post(f[0][0] if f and f[0][0] else action, fields)
        con.expect(a, (303, 400), "sign-in with next=%r" % nxt[:40], reflected=[HOSTILE])
        if a.status == 303:
            local_location(a, "sign-in with next=%r" % nxt[:40])

    # 9. Other user's cookie: the desk's cookie with the registrar's token, etc.
    before = con.state()
    a = web.post(P + "/scan", body_of(dict(good_scan, **{csrf_name: reg_csrf})),
                 cookie=desk2_cookie)
    con.expect(a, 403, "desk2's cookie with nadia's token")
    a = web.post(E + "/review", body_of(dict(dec, **{csrf_name: desk_csrf})),
                 cookie=desk_cookie + "; " + reg_cookie)
    con.expect(a, (400, 403), "desk's and registrar's cookies together")
    a = web.get("/audit", cookie=desk_cookie + "; " + reg_cookie)
    con.expect(a, (400, 403, 303), "audit with the desk's cookie first")
    con.unchanged(before, "mixed cookies")

    # 10. The server still answers, whole, and serves its documented pages.
    con.up(reg_cookie, "all the attacks")
    con.expect(web.get(E + "/live.json", cookie=desk_cookie), 200, "live.json at the end")
    a = web.post(P + "/scan", body_of(dict(good_scan, **{csrf_name: reg_csrf})),
                 cookie=reg_cookie)
    con.expect(a, 303, "a good manual exit at the end")
    check(reg.alive(), "the registry is not running at the end")


if __name__ == "__main__":
    sys.exit(main())
