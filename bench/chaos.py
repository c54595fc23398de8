#!/usr/bin/env python3
"""Chaos under load: `flashfirst serve` between 64 client connections and a
simulator that fails 5% of its calls (429, 500, 503, slow first byte, cut
streams, malformed chunks), killed with kill -9 and restarted several times,
its PostgreSQL ledger's server restarted once. Then it proves, from what the
clients received and what the ledger holds:

  1. every answer a client received whole has its ledger row (or rows);
  2. the cost clients were told equals the cost of those rows, exactly
     (decimal strings against integer femto-units);
  3. no key's budget is overspent in the ledger (the documented bound for one
     instance: none; the gateway reserves each call's most before making it);
  4. no process ended other than by the deliberate kills;
  5. the gateway's RSS and open descriptors are flat (within 10%) after
     warm-up, in its last life (the kills and the restart come first).

Run by bench/chaos.sh, which builds nothing: pass the flashfirst binary.
  chaos.py FLASHFIRST --ledger sqlite|pg [--seconds 300] [--connections 64] [--kills 5]
Exit 0 when every check holds, 1 otherwise; the counts go to stdout.
"""
import argparse
import collections
import http.client
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal

FEMTO = Decimal(10) ** 15


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(path, proc, seconds=30):
    end = time.time() + seconds
    while time.time() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"exited at start-up ({proc.returncode}): {open(path + '.err').read()[-2000:]}")
        try:
            with open(path) as f:
                for line in f:
                    if line.startswith("listening on "):
                        return line.split()[-1]
        except FileNotFoundError:
            pass
        time.sleep(0.05)
    raise RuntimeError("did not start")


class Postgres:
    """A private PostgreSQL server on a unix socket, in `tmp` (as pg_ledger_test.sh starts one)."""

    def __init__(self, tmp):
        bins = sorted(d for d in os.listdir("/usr/lib/postgresql") if os.path.isdir(f"/usr/lib/postgresql/{d}/bin"))
        self.bin = f"/usr/lib/postgresql/{bins[-1]}/bin"
        self.data, self.sock = f"{tmp}/pgdata", f"{tmp}/pgsock"
        os.makedirs(self.data)
        os.makedirs(self.sock)
        os.chmod(tmp, 0o755)
        self.root = os.getuid() == 0
        if self.root:
            shutil.chown(self.data, "postgres")
            shutil.chown(self.sock, "postgres")
        self.port = free_port()
        self.run("initdb", "-D", self.data, "-A", "trust", "-U", "postgres")
        self.start()
        self.url = f"postgresql:///postgres?host={self.sock}&port={self.port}&user=postgres"

    def run(self, tool, *args):
        cmd = [f"{self.bin}/{tool}", *args]
        if self.root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self):
        self.run("pg_ctl", "-D", self.data, "-l", f"{self.sock}/pg.log", "-w", "-o",
                 f"-p {self.port} -k {self.sock} -c listen_addresses=''", "start")

    def restart(self):
        self.run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")
        time.sleep(1.0)  # a second with no server: the gateway refuses and keeps rows to record late
        self.start()

    def stop(self):
        self.run("pg_ctl", "-D", self.data, "-m", "immediate", "stop")

    def rows(self):
        out = subprocess.run(["psql", "-X", "-A", "-t", "-F", "\t", "-h", self.sock, "-p", str(self.port), "-U",
                              "postgres", "-d", "postgres", "-c",
                              "select request_id, escalated_from, key_name, cost_femto, status, error from requests"],
                             check=True, capture_output=True, text=True).stdout
        return [line.split("\t") for line in out.splitlines() if line]


# --- the requests the clients send
TOPICS = ["the quarterly sales report", "a bug in the login form", "the new pricing page", "our on-call rota",
          "the database migration", "a customer complaint about latency", "the hiring plan", "the office move"]
ASKS = ["Summarize in two sentences: {t} is late by a week.", "Translate to French: {t} is ready.",
        "Write a short email about {t}.", "Classify the sentiment: I love {t}!",
        "Prove that the sum of the first n odd numbers is n^2, then relate it to {t}.",
        "Write a Python function that parses {t} into JSON, with tests."]
TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]
KINDS = ["chat", "stream", "tools", "json", "anthropic", "anthropic_stream"]


def make_request(rng):
    kind = rng.choice(KINDS)
    text = rng.choice(ASKS).format(t=rng.choice(TOPICS)) + f" (#{rng.randrange(10**9)})"
    if kind.startswith("anthropic"):
        body = {"model": "auto", "max_tokens": 400, "messages": [{"role": "user", "content": text}]}
        if kind == "anthropic_stream":
            body["stream"] = True
        return kind, "/v1/messages", body
    body = {"model": "auto", "messages": [{"role": "user", "content": text}]}
    if kind == "stream":
        body["stream"] = True
    elif kind == "tools":
        body["tools"] = TOOLS
        body["messages"][0]["content"] = f"What is the weather in {rng.choice(['Oslo', 'Lima', 'Pune'])}? {text}"
    elif kind == "json":
        body["response_format"] = {"type": "json_object"}
        body["messages"][0]["content"] = "Answer as a JSON object: " + text
    return kind, "/v1/chat/completions", body


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.answers = []  # (kind, status, whole, request_id, cost, key)
        self.errors = collections.Counter()

    def add(self, *a):
        with self.lock:
            self.answers.append(a)


def client(n, port, keys, stop, results, seed):
    rng = random.Random(seed)
    conn = None
    while not stop.is_set():
        kind, path, body = make_request(rng)
        key = rng.choice(keys)
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("POST", path, json.dumps(body),
                         {"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
            resp = conn.getresponse()
            status = resp.status
            rid = resp.getheader("x-flashfirst-request-id")
            cost = resp.getheader("x-flashfirst-cost")
            data = resp.read()  # raises IncompleteRead on a cut stream
            whole = False
            if status == 200 and body.get("stream"):
                text = data.decode("utf-8", "replace")
                whole = ("data: [DONE]" in text) if kind == "stream" else ("event: message_stop" in text)
                cost = None
                for line in text.splitlines():  # the event with the usage carries the figures
                    if line.startswith("data:") and '"flashfirst"' in line:
                        try:
                            fig = json.loads(line[5:])["flashfirst"]
                            cost, rid = fig["cost"], fig["request_id"]
                        except (ValueError, KeyError):
                            pass
                whole = whole and cost is not None
            elif status == 200:
                j = json.loads(data)
                whole = "usage" in j and cost is not None
            results.add(kind, status, whole, rid, cost, key)
            if status == 503:
                time.sleep(0.1)  # as an SDK backs off (Retry-After: 1); the ledger is coming back
            if resp.getheader("connection", "").lower() == "close":
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException, ValueError) as e:
            results.errors[type(e).__name__] += 1
            results.add(kind, 0, False, None, None, key)
            if conn is not None:
                conn.close()
            conn = None
            time.sleep(0.05)  # the gateway is restarting
    if conn is not None:
        conn.close()


def proc_stats(pid):
    rss = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) * 1024
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("flashfirst")
    ap.add_argument("--ledger", choices=["sqlite", "pg"], default="sqlite")
    ap.add_argument("--seconds", type=float, default=300)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--kills", type=int, default=5)
    ap.add_argument("--sim-speed", default="20")
    a = ap.parse_args()
    ff = os.path.abspath(a.flashfirst)
    tmp = tempfile.mkdtemp(prefix="ff-chaos-")
    procs = []  # the simulator and every life of the gateway
    pg = None
    ok = True

    def check(name, cond, detail=""):
        nonlocal ok
        print(f"{'PASS' if cond else 'FAIL'}: {name}{': ' + detail if detail else ''}")
        ok = ok and cond

    try:
        # The simulator: a process of its own that outlives the gateway's deaths, failing 5% of calls.
        sim_out = f"{tmp}/sim.out"
        sim = subprocess.Popen([ff, "sim", "--listen", "127.0.0.1:0", "--speed", a.sim_speed, "--faults",
                                "429=0.009,500=0.009,503=0.008,slow=0.008,cut=0.008,malformed=0.008"],
                               stdout=open(sim_out, "w"), stderr=open(sim_out + ".err", "w"))
        procs.append(sim)
        sim_url = wait_listening(sim_out, sim)
        if a.ledger == "pg":
            pg = Postgres(tmp)
            ledger = pg.url
        else:
            ledger = f"{tmp}/ledger.db"
        budgets = {"team-a": Decimal("2"), "team-b": Decimal("1")}
        with open(f"{tmp}/serve.toml", "w") as f:
            f.write('[[key]]\nname = "team-a"\nkey = "key-a"\nbudget_total = "2"\n'
                    '[[key]]\nname = "team-b"\nkey = "key-b"\nbudget_per_day = "1"\n'
                    '[[key]]\nname = "team-c"\nkey = "key-c"\n'
                    '[[key]]\nname = "team-d"\nkey = "key-d"\ntiers = ["flash"]\n')
        port = free_port()
        env = dict(os.environ, DEEPSEEK_API_KEY="sk-chaos")
        lives = []

        def start_gateway():
            out = f"{tmp}/serve{len(lives)}.out"
            p = subprocess.Popen([ff, "serve", "--config", f"{tmp}/serve.toml", "--upstream", sim_url,
                                  "--listen", f"127.0.0.1:{port}", "--ledger", ledger, "--access-log", "off",
                                  "--ledger-sync", "process"],
                                 stdout=open(out, "w"), stderr=open(out + ".err", "w"), env=env)
            procs.append(p)
            wait_listening(out, p)
            lives.append(p)
            return p

        gw = start_gateway()
        results = Results()
        stop = threading.Event()
        threads = [threading.Thread(target=client, args=(i, port, ["key-a", "key-b", "key-c", "key-d"], stop,
                                                         results, 1000 + i), daemon=True)
                   for i in range(a.connections)]
        t0 = time.time()
        for t in threads:
            t.start()
        kill_at = [a.seconds * 0.1 * (k + 1) for k in range(a.kills)]
        pg_restart_at = a.seconds * 0.6 if pg else None
        warm_until = a.seconds * 0.7
        samples = []
        crashes = []
        kills = 0
        while time.time() - t0 < a.seconds:
            time.sleep(0.5)
            now = time.time() - t0
            if gw.poll() is not None:
                crashes.append(f"the gateway exited by itself ({gw.returncode}) at {now:.0f} s")
                gw = start_gateway()
            if sim.poll() is not None:
                crashes.append(f"the simulator exited ({sim.returncode})")
                break
            if kill_at and now >= kill_at[0]:
                kill_at.pop(0)
                gw.send_signal(signal.SIGKILL)
                gw.wait()
                kills += 1
                gw = start_gateway()
            if pg_restart_at is not None and now >= pg_restart_at:
                pg_restart_at = None
                pg.restart()
            if now >= warm_until:
                samples.append(proc_stats(gw.pid))
        stop.set()
        for t in threads:
            t.join(timeout=90)
        gw.send_signal(signal.SIGTERM)
        code = gw.wait(timeout=60)
        if code != 0:
            crashes.append(f"the gateway's last life ended with {code} on SIGTERM")
        sim_metrics = http.client.HTTPConnection(sim_url.split("//")[1])
        sim_metrics.request("GET", "/metrics")
        faults = {}
        for line in sim_metrics.getresponse().read().decode().splitlines():
            if line.startswith("flashfirst_sim_faults_total"):
                faults[line.split('"')[1]] = int(line.split()[-1])
            elif line.startswith("flashfirst_sim_chat_requests_total"):
                sim_calls = int(line.split()[-1])

        # --- the ledger
        if pg:
            raw = pg.rows()
            rows = [(r[0], r[1], r[2], int(r[3]), int(r[4]), r[5]) for r in raw]
        else:
            db = sqlite3.connect(ledger)
            rows = list(db.execute("select request_id, escalated_from, key_name, cost_femto, status, error from requests"))
        by_id = {r[0]: r for r in rows}

        def chain_cost(rid):  # the answer's row and the calls it was escalated or fallen back from
            total, seen = 0, set()
            while rid and rid in by_id and rid not in seen:
                seen.add(rid)
                total += by_id[rid][3]
                rid = by_id[rid][1]
            return total

        answers = results.answers
        whole = [x for x in answers if x[2]]
        missing = [x for x in whole if x[3] not in by_id]
        told = sum(Decimal(x[4]) for x in whole)
        recorded = sum(Decimal(chain_cost(x[3])) for x in whole) / FEMTO
        received_ids = set()
        for x in whole:
            rid = x[3]
            while rid and rid in by_id and rid not in received_ids:
                received_ids.add(rid)
                rid = by_id[rid][1]
        unreceived = [r for r in rows if r[0] not in received_ids]
        spent = collections.defaultdict(int)
        for r in rows:
            spent[r[2]] += r[3]
        statuses = collections.Counter(x[1] for x in answers)
        kinds = collections.Counter(x[0] for x in whole)

        print(f"run: {a.seconds:.0f} s, {a.connections} connections, ledger {a.ledger}, sim speed {a.sim_speed}")
        print(f"requests: {len(answers)} sent; {len(whole)} answers received whole "
              f"({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))})")
        print(f"statuses seen by clients: {dict(sorted(statuses.items()))} (0: connection lost; "
              f"{dict(results.errors)})")
        print(f"upstream calls: {sim_calls}; faults made by the simulator: {sum(faults.values())} {faults}")
        print(f"kills: {kills} (kill -9, each followed by a restart); PostgreSQL restarts: {1 if pg else 0}")
        print(f"ledger rows: {len(rows)}; of answers received whole (with their escalated/fallen-back calls): "
              f"{len(received_ids)}; others (answers cut by faults or kills, errors, budget refusals "
              f"not billed): {len(unreceived)} costing {Decimal(sum(r[3] for r in unreceived)) / FEMTO} USD")
        print(f"cost told to clients: {told} USD; cost of their rows in the ledger: {recorded} USD")
        check("every answer received whole has its ledger row", not missing, f"{len(missing)} missing")
        check("the cost told equals the cost recorded, exactly", told == recorded, f"{told} vs {recorded}")
        for k, limit in budgets.items():
            s = Decimal(spent[k]) / FEMTO
            check(f"budget of {k} not overspent", s <= limit, f"spent {s} of {limit} USD")
        check("no crash but the kills", not crashes, "; ".join(crashes))
        if len(samples) >= 4:
            q = max(1, len(samples) // 4)
            first, last = samples[:q], samples[-q:]
            rss0, rss1 = sum(s[0] for s in first) / q, sum(s[0] for s in last) / q
            fd0, fd1 = sum(s[1] for s in first) / q, sum(s[1] for s in last) / q
            print(f"last life after warm-up ({len(samples)} samples): RSS {rss0 / 2**20:.1f} -> {rss1 / 2**20:.1f} MB "
                  f"(min {min(s[0] for s in samples) / 2**20:.1f}, max {max(s[0] for s in samples) / 2**20:.1f}); "
                  f"descriptors {fd0:.0f} -> {fd1:.0f} (min {min(s[1] for s in samples)}, "
                  f"max {max(s[1] for s in samples)})")
            check("RSS flat within 10%", abs(rss1 - rss0) <= 0.1 * rss0)
            check("descriptors flat within 10%", abs(fd1 - fd0) <= 0.1 * max(fd0, 10))
        else:
            check("RSS and descriptors sampled", False, "too few samples")
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        if pg:
            try:
                pg.stop()
            except subprocess.CalledProcessError:
                pass
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
