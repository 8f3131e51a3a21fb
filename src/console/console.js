/* The registrar's console: refreshes the live view of an event (no framework). Every value is
 * written with textContent: nothing from the server is parsed as HTML. */
"use strict";
(function () {
    var live = document.getElementById("live");
    if (!live) {
        return;
    }
    var event = live.getAttribute("data-event");
    var en = live.getAttribute("data-lang") === "en";
    var updated = document.getElementById("updated");
    var PERIOD_MS = 3000;

    function ago(ms, now) {
        if (!ms) {
            return en ? "never" : "jamais";
        }
        var s = Math.max(0, Math.round((now - ms) / 1000));
        if (s < 60) {
            return en ? s + " s ago" : "il y a " + s + "\u00a0s";
        }
        var m = Math.round(s / 60);
        if (m < 120) {
            return en ? m + " min ago" : "il y a " + m + "\u00a0min";
        }
        return en ? Math.round(m / 60) + " h ago" : "il y a " + Math.round(m / 60) + "\u00a0h";
    }

    function setNum(row, cls, value) {
        var cell = row.querySelector("." + cls);
        if (cell && cell.textContent !== String(value)) {
            cell.textContent = String(value);
            row.classList.add("changed");
            setTimeout(function () { row.classList.remove("changed"); }, 1500);
        }
    }

    var WARN = {
        silent: ["silencieuse depuis 10\u00a0min", "silent for 10 min"],
        clock_untrusted: ["horloge non fiable", "clock untrusted"]
    };

    var CLOCK = {
        trusted: ["fiable", "trusted"],
        untrusted: ["non fiable", "untrusted"],
        corrected: ["corrigée", "corrected"]
    };

    function kioskRow(k, now) {
        var tr = document.createElement("tr");
        tr.setAttribute("data-kiosk", k.id);
        var cells = [k.name, ago(k.last_seen_ms, now), k.pending === null ? "\u2014" : String(k.pending),
                     k.clock ? (CLOCK[k.clock] || [k.clock, k.clock])[en ? 1 : 0] : "\u2014"];
        var classes = ["", "k-last", "num k-pending", "k-clock"];
        for (var i = 0; i < cells.length; i++) {
            var td = document.createElement("td");
            td.className = classes[i];
            td.textContent = cells[i];
            tr.appendChild(td);
        }
        var w = document.createElement("td");
        w.className = "k-warn";
        (k.warnings || []).forEach(function (code) {
            var span = document.createElement("span");
            span.className = "warn";
            span.textContent = (WARN[code] || [code, code])[en ? 1 : 0];
            w.appendChild(span);
        });
        tr.appendChild(w);
        return tr;
    }

    function apply(data) {
        var now = data.server_time_ms;
        data.sessions.forEach(function (s) {
            var row = live.querySelector('tr[data-session="' + s.id + '"]');
            if (row) {
                setNum(row, "s-registered", s.registered);
                setNum(row, "s-checked_in", s.checked_in);
                setNum(row, "s-in_room", s.in_room);
            }
        });
        var body = document.querySelector("#kiosks tbody");
        if (body) {
            while (body.firstChild) {
                body.removeChild(body.firstChild);
            }
            data.kiosks.forEach(function (k) { body.appendChild(kioskRow(k, now)); });
        }
        if (updated) {
            var t = new Date(now);
            var hh = ("0" + t.getHours()).slice(-2), mm = ("0" + t.getMinutes()).slice(-2),
                ss = ("0" + t.getSeconds()).slice(-2);
            updated.textContent = (en ? "updated " : "mis à jour à ") + hh + ":" + mm + ":" + ss;
            updated.classList.remove("stale");
        }
    }

    function poll() {
        fetch("/events/" + event + "/live.json", {credentials: "same-origin",
                                                  headers: {"Accept": "application/json"}})
            .then(function (r) {
                if (r.status === 401) {
                    window.location.assign("/signin?next=/events/" + event);
                    throw new Error("signed out");
                }
                if (!r.ok) {
                    throw new Error("HTTP " + r.status);
                }
                return r.json();
            })
            .then(apply)
            .catch(function () {
                if (updated) {
                    updated.textContent = en ? "connection lost: retrying" : "connexion perdue\u00a0: nouvel essai";
                    updated.classList.add("stale");
                }
            })
            .then(function () { setTimeout(poll, PERIOD_MS); });
    }
    poll();
})();
