#!/usr/bin/env bash
# Bad clients and a crash, against `flashfirst serve --upstream sim`:
# oversized bodies and headers, a client too slow to send its request, garbage,
# and `kill -9` under load -- after which every request whose answer a client
# received completely must be in the ledger.
#   gateway_faults_test.sh path/to/flashfirst path/to/tests
set -uo pipefail
source "$(dirname "$0")/../lib/expect.sh"
ff=$1
tests=$2
tmp=$(mktemp -d)

start() {  # extra serve flags...
  # Emptied here, not by the redirection below: that happens in the new process,
  # maybe after the wait loop has found the last server's "listening" line.
  : >"$tmp/out"
  "$ff" serve --upstream sim --sim-quality "$tests/sdk/no_failures.toml" --listen 127.0.0.1:0 \
    --ledger "$tmp/ledger.db" "$@" >"$tmp/out" 2>"$tmp/err" &
  pid=$!
  for _ in $(seq 100); do grep -q listening "$tmp/out" && break; sleep 0.1; done
  url=$(sed -n 's/^listening on //p' "$tmp/out")
  [[ -n "$url" ]] || { echo "serve did not start: $(cat "$tmp/err")" >&2; exit 1; }
}
trap 'kill -9 $pid 2>/dev/null; rm -rf "$tmp"' EXIT
auth=(-H 'Authorization: Bearer k' -H 'Content-Type: application/json')

# --- bad clients: clear 4xx, and the gateway keeps serving
start --sim-speed 0 --max-body-mb 1 --read-timeout 1
head -c 2000000 /dev/zero | tr '\0' 'a' >"$tmp/big"
code=$(curl -s -o "$tmp/r" -w '%{http_code}' "$url/v1/chat/completions" "${auth[@]}" --data-binary @"$tmp/big")
expect_eq "2 MB body over a 1 MiB limit: 413" "$code" "413"
expect_eq "413 in the OpenAI format" "$(jq -r .error.code "$tmp/r")" "body_too_large"
code=$(curl -s -o /dev/null -w '%{http_code}' "$url/v1/chat/completions" "${auth[@]}" -H "x-big: $(head -c 70000 /dev/zero | tr '\0' 'b')" -d '{}')
expect_eq "70 KB of headers: 431" "$code" "431"
# A client that sends half a request and stalls gets a 408 after the read timeout.
exec 3<>"/dev/tcp/127.0.0.1/${url##*:}"
printf 'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"mod' >&3
status=$(timeout 5 head -1 <&3 | tr -d '\r')
exec 3>&-
expect_eq "slow client: 408" "$status" "HTTP/1.1 408 Request Timeout"
printf 'GARBAGE\r\n\r\n' | timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/${url##*:}; cat >&3; head -1 <&3" >"$tmp/g" 2>/dev/null
expect_eq "not HTTP: 400" "$(head -1 "$tmp/g" | cut -d' ' -f2)" "400"
code=$(curl -s -o "$tmp/r" -w '%{http_code}' "$url/v1/chat/completions" "${auth[@]}" -d '{"model": 5, "messages": []}')
expect_eq "model of the wrong type: 400" "$code" "400"
code=$(curl -s -o "$tmp/r" -w '%{http_code}' "$url/v1/chat/completions" "${auth[@]}" --data-binary $'{"model":"auto","messages":[{"role":"user","content":"\xff\xfe bad utf-8"}]}')
expect_eq "invalid UTF-8 is the upstream's 400, not a crash" "$code" "400"
code=$(curl -s -o /dev/null -w '%{http_code}' "$url/v1/chat/completions" "${auth[@]}" \
  -d '{"model":"auto","messages":[{"role":"user","content":"still up?"}]}')
expect_eq "still serving after all that" "$code" "200"
# Pipelined requests then garbage on one connection: each request is answered,
# the garbage gets a 400, and the connection is closed.
python3 - "${url##*:}" <<'PY' >"$tmp/pipe"
import re, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n\x00\xffGARBAGE /\r\n\r\n")
s.settimeout(5)
data = b""
while True:
    chunk = s.recv(65536)  # b"" once the server has closed
    if not chunk:
        break
    data += chunk
print(" ".join(m.decode() for m in re.findall(rb"HTTP/1\.1 (\d{3}) ", data)), "closed")
PY
expect_eq "pipelined garbage: answered in order, then closed" "$(cat "$tmp/pipe")" "200 200 400 closed"
kill $pid; wait $pid 2>/dev/null
expect_eq "SIGTERM: clean exit" "$?" "0"

# At the process's descriptor limit (a hard limit of 300 it cannot raise, 400
# clients): the connections over it wait without the server spinning on its
# accept error, and it serves again once they close. Not under the sanitizers:
# with no descriptor left, UBSan cannot check a vptr (it tests memory through a
# pipe) and reports one as invalid.
# (ldd's output is taken whole first: `ldd | grep -q` under pipefail fails when
# grep stops reading early and ldd gets SIGPIPE.)
libs=$(ldd "$ff" 2>/dev/null)
if [[ $libs == *libasan* || $libs == *libubsan* ]]; then
  echo "descriptor limit: skipped under the sanitizers"
else
(ulimit -n 300; exec "$ff" serve --upstream sim --listen 127.0.0.1:0 --ledger "$tmp/emfile.db" >"$tmp/out" 2>"$tmp/err") &
pid=$!
for _ in $(seq 100); do grep -q listening "$tmp/out" && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$tmp/out")
emfile=$(python3 - "${url##*:}" "$pid" <<'PY'
import os, socket, sys, time
port, pid = int(sys.argv[1]), int(sys.argv[2])
def cpu():
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
held = [socket.create_connection(("127.0.0.1", port)) for _ in range(400)]
c0 = cpu()
time.sleep(2)
busy = cpu() - c0
for s in held:
    s.close()
time.sleep(0.3)
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
s.settimeout(5)
print("idle" if busy < 0.5 else f"spinning ({busy:.2f} s of CPU in 2 s)", s.recv(100).split(b"\r\n")[0].decode())
PY
)
expect_eq "descriptor limit: no spin, then serving" "$emfile" "idle HTTP/1.1 200 OK"
kill $pid; wait $pid 2>/dev/null
fi

# --- upstream timeouts: the simulator's "slow" fault holds the answer back 5 s
# (sending a keep-alive every second meanwhile, as the API does: a stream with
# an idle timeout of 0.5 s breaks, a non-stream answer must be whole within 1 s)
rm -f "$tmp/ledger.db"*
start --sim-speed 0 --upstream-first-byte-timeout 1 --upstream-idle-timeout 0.5
rows() { python3 -c "
import sqlite3,sys
for r in sqlite3.connect(sys.argv[1]).execute('select status, stream, usage_estimated, error from requests order by seq'): print('|'.join(map(str, r)))" "$tmp/ledger.db"; }
took=$(curl -s -o "$tmp/r" -w '%{http_code} %{time_total}' "$url/v1/chat/completions" "${auth[@]}" -H 'x-sim-fault: slow' \
  -d '{"model":"auto","messages":[{"role":"user","content":"hi there"}]}')
expect_eq "no answer within the first-byte timeout: 504" "${took% *} $(jq -r .error.code "$tmp/r")" "504 upstream_timeout"
expect_eq "504 after the 1 s timeout, not the 5 s delay" "$(awk -v t="${took#* }" 'BEGIN { print (t >= 0.9 && t < 3) ? "yes" : "no: " t }')" "yes"
took=$(curl -sN -o "$tmp/r" -w '%{http_code} %{time_total}' "$url/v1/chat/completions" "${auth[@]}" -H 'x-sim-fault: slow' \
  -d '{"model":"auto","stream":true,"messages":[{"role":"user","content":"hi there"}]}')
expect_eq "a stream that goes silent ends after the idle timeout" "$(awk -v t="${took#* }" 'BEGIN { print (t >= 0.45 && t < 3) ? "yes" : "no: " t }')" "yes"
code=$(curl -s -o /dev/null -w '%{http_code}' "$url/v1/chat/completions" "${auth[@]}" \
  -d '{"model":"auto","messages":[{"role":"user","content":"hi there"}]}')
expect_eq "after the timeouts, the next call is answered" "$code" "200"
# The stream's row: its headers had gone out (200), its usage never came (estimated).
expect_eq "timeouts in the ledger" "$(rows)" "504|0|0|upstream timed out waiting for the answer
200|1|1|upstream timed out while streaming
200|0|0|"
kill $pid; wait $pid 2>/dev/null

# --- budgets and allowed tiers, from a config file
rm -f "$tmp/ledger.db"*
cat >"$tmp/serve.toml" <<'TOML'
max_retries = 0
[[key]]
name = "team-a"
key = "key-a"
budget_per_day = "0.0004"
[[key]]
name = "interns"
key = "key-i"
tiers = ["flash"]
TOML
start --sim-speed 0 --config "$tmp/serve.toml"
a=(-H 'Authorization: Bearer key-a' -H 'Content-Type: application/json')
req='{"model":"flash","max_tokens":200,"messages":[{"role":"user","content":"Summarize: prices rose."}]}'
codes=""
for i in $(seq 12); do codes+="$(curl -s -o "$tmp/last" -w '%{http_code}' "$url/v1/chat/completions" "${a[@]}" -d "$req") "; done
expect_eq "budget: admitted until the daily budget, then 429" "$(tr ' ' '\n' <<<"$codes" | grep -c 429 | awk '$1 > 0 {print "refused"}')" "refused"
expect_eq "budget: the refusal's code" "$(jq -r .error.code "$tmp/last")" "budget_exceeded"
expect_eq "budget: the refusal names the budget" "$(jq -r .error.message "$tmp/last" | cut -d: -f1)" "the daily budget of 0.0004 USD of key team-a would be exceeded"
# What the key spent stays within its budget (each call's bill is at most the estimate
# reserved for it: prompt plus template allowance at the miss rate, max_tokens at the output rate).
spent=$(python3 -c "
import sqlite3,sys; from decimal import Decimal
s=sum(r[0] for r in sqlite3.connect(sys.argv[1]).execute(\"select cost_femto from requests where key_hash=?\", (sys.argv[2],)))
print('within' if Decimal(s)/Decimal(10**15) <= Decimal('0.0004') else 'over: %s' % (Decimal(s)/Decimal(10**15)))" "$tmp/ledger.db" "$(printf key-a | sha256sum | cut -d' ' -f1)")
expect_eq "budget: spent within the budget" "$spent" "within"
i=(-H 'Authorization: Bearer key-i' -H 'Content-Type: application/json')
code=$(curl -s -o "$tmp/r" -w '%{http_code}' "$url/v1/chat/completions" "${i[@]}" -d '{"model":"pro","messages":[{"role":"user","content":"hi"}]}')
expect_eq "tiers: a flash-only key asking for pro: 403" "$code" "403"
curl -s -D "$tmp/hi" -o /dev/null "$url/v1/chat/completions" "${i[@]}" \
  -d '{"model":"auto","messages":[{"role":"user","content":"Prove that the square root of 2 is irrational."}]}'
expect_eq "tiers: the router's Pro choice moves to Flash" "$(grep -i '^x-flashfirst-model:' "$tmp/hi" | cut -d' ' -f2 | tr -d '\r')" "deepseek-v4-flash"
kill $pid; wait $pid 2>/dev/null
# A restart remembers what the key spent: the budget is still used up.
start --sim-speed 0 --config "$tmp/serve.toml"
code=$(curl -s -o "$tmp/last" -w '%{http_code}' "$url/v1/chat/completions" "${a[@]}" -d "$req")
expect_eq "budget: seeded from the ledger after a restart" "$code $(jq -r .error.code "$tmp/last")" "429 budget_exceeded"
kill $pid; wait $pid 2>/dev/null
printf 'listen = 5\n' >"$tmp/bad.toml"
err=$("$ff" serve --upstream sim --config "$tmp/bad.toml" 2>&1)
expect_eq "config: a bad file names its line and field" "$err" "flashfirst serve: $tmp/bad.toml:1: listen: must be a non-empty string"

# --- fallback tier: Flash keeps answering 503, so its requests go to Pro
rm -f "$tmp/ledger.db"*
cat >"$tmp/fallback.toml" <<'TOML'
max_retries = 0
fallback_after = 2
fallback_seconds = 60
TOML
start --sim-speed 0 --config "$tmp/fallback.toml"
summary='{"model":"auto","messages":[{"role":"user","content":"Summarize: the meeting moved to Friday."}]}'
for n in 1 2; do
  curl -s -D "$tmp/fh$n" -o "$tmp/fb$n" "$url/v1/chat/completions" "${auth[@]}" -H 'x-sim-fault: 503-flash' -d "$summary"
done
# Each failed Flash call is re-made on Pro at once, and the client gets Pro's answer.
expect_eq "fallback: the failed call answered by Pro" "$(head -1 "$tmp/fh1" | cut -d' ' -f2) $(grep -i '^x-flashfirst-model:' "$tmp/fh1" | cut -d' ' -f2 | tr -d '\r')" \
  "200 deepseek-v4-pro"
expect_contains "fallback: the route says why" "$(grep -i '^x-flashfirst-route:' "$tmp/fh1")" "fallback: flash answered 503"
# After two failures in a row, Flash is avoided: the next request goes to Pro without the fault.
curl -s -D "$tmp/fh3" -o /dev/null "$url/v1/chat/completions" "${auth[@]}" -d "$summary"
expect_eq "fallback: Flash avoided after 2 failures" "$(grep -i '^x-flashfirst-model:' "$tmp/fh3" | cut -d' ' -f2 | tr -d '\r')" "deepseek-v4-pro"
expect_contains "fallback: and says so" "$(grep -i '^x-flashfirst-route:' "$tmp/fh3")" "fallback: flash is failing (2 failed calls in a row)"
# A concrete model id never falls back.
code=$(curl -s -o /dev/null -w '%{http_code}' "$url/v1/chat/completions" "${auth[@]}" -H 'x-sim-fault: 503-flash' \
  -d '{"model":"deepseek-v4-flash","messages":[{"role":"user","content":"hi"}]}')
expect_eq "fallback: a named model gets the upstream's 503" "$code" "503"
expect_contains "fallback: counted" "$(curl -s "$url/metrics")" "flashfirst_fallbacks_total 3"
# The ledger: Flash 503, Pro 200 linked to it (twice), Pro 200, Flash 503.
ledger_rows=$(python3 -c "
import sqlite3,sys
rows = sqlite3.connect(sys.argv[1]).execute('select request_id, routed_model, status, escalated_from from requests order by rowid').fetchall()
ids = [r[0] for r in rows]
print(' '.join('%s:%s:%s' % (r[1].split('-')[-1], r[2], ids.index(r[3]) + 1 if r[3] else '-') for r in rows))" "$tmp/ledger.db")
expect_eq "fallback: the ledger rows (model:status:linked row)" "$ledger_rows" "flash:503:- pro:200:1 flash:503:- pro:200:3 pro:200:- flash:503:-"
kill $pid; wait $pid 2>/dev/null

# --- TLS to the upstream: certificates are verified (host name included)
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
  -keyout "$tmp/key.pem" -out "$tmp/cert.pem" >/dev/null 2>&1
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=elsewhere.example" -addext "subjectAltName=DNS:elsewhere.example" \
  -keyout "$tmp/key2.pem" -out "$tmp/cert2.pem" >/dev/null 2>&1
python3 "$(dirname "$0")/tls_upstream.py" "$tmp/cert.pem" "$tmp/key.pem" >"$tmp/tls.out" &
tls_pid=$!
for _ in $(seq 50); do [[ -s "$tmp/tls.out" ]] && break; sleep 0.1; done
tls_port=$(head -1 "$tmp/tls.out")
tls_serve() {  # extra flags...
  rm -f "$tmp/tls.db"*
  : >"$tmp/out"
  DEEPSEEK_API_KEY=upstream-secret "$ff" serve --upstream "https://127.0.0.1:$tls_port" --listen 127.0.0.1:0 \
    --ledger "$tmp/tls.db" --max-retries 0 "$@" >"$tmp/out" 2>"$tmp/err" &
  pid=$!
  for _ in $(seq 100); do grep -q listening "$tmp/out" && break; sleep 0.1; done
  url=$(sed -n 's/^listening on //p' "$tmp/out")
}
tls_serve --ca-file "$tmp/cert.pem"
out=$(curl -s -w ' %{http_code}' "$url/v1/chat/completions" "${auth[@]}" -d '{"model":"flash","messages":[{"role":"user","content":"hi"}]}')
expect_eq "TLS with the upstream's CA: answered" "${out##* }" "200"
expect_eq "TLS: the answer came over TLS" "$(jq -r '.choices[0].message.content' <<<"${out% *}")" "Over TLS."
kill $pid; wait $pid 2>/dev/null
tls_serve
out=$(curl -s -w ' %{http_code}' "$url/v1/chat/completions" "${auth[@]}" -d '{"model":"flash","messages":[{"role":"user","content":"hi"}]}')
expect_eq "TLS: an untrusted certificate is refused (502)" "${out##* }" "502"
expect_eq "TLS: and the error says why" "$(jq -r .error.message <<<"${out% *}" | grep -c 'TLS handshake')" "1"
kill $pid; wait $pid 2>/dev/null
kill $tls_pid 2>/dev/null
# A trusted certificate that names another host: refused too.
python3 "$(dirname "$0")/tls_upstream.py" "$tmp/cert2.pem" "$tmp/key2.pem" >"$tmp/tls2.out" &
tls_pid=$!
for _ in $(seq 50); do [[ -s "$tmp/tls2.out" ]] && break; sleep 0.1; done
tls_port=$(head -1 "$tmp/tls2.out")
tls_serve --ca-file "$tmp/cert2.pem"
out=$(curl -s -w ' %{http_code}' "$url/v1/chat/completions" "${auth[@]}" -d '{"model":"flash","messages":[{"role":"user","content":"hi"}]}')
expect_eq "TLS: a trusted certificate for another host name is refused" "${out##* }" "502"
kill $pid; wait $pid 2>/dev/null
kill $tls_pid 2>/dev/null

# An upstream that accepts the connection and never says a word: the TLS
# handshake is cut at the connect timeout (502, the call not retried here).
python3 -c "
import socket, time
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)" >"$tmp/silent.out" &
tls_pid=$!
for _ in $(seq 50); do [[ -s "$tmp/silent.out" ]] && break; sleep 0.1; done
tls_port=$(head -1 "$tmp/silent.out")
tls_serve --upstream-connect-timeout 0.5
out=$(curl -s -w ' %{http_code} %{time_total}' "$url/v1/chat/completions" "${auth[@]}" -d '{"model":"flash","messages":[{"role":"user","content":"hi"}]}')
read -r code took <<<"${out##*\} }"
expect_eq "TLS: a silent upstream is given up on at the connect timeout (502)" "$code" "502"
expect_eq "TLS: after 0.5 s" "$(awk -v t="$took" 'BEGIN { print (t >= 0.45 && t < 3) ? "yes" : "no: " t }')" "yes"
expect_eq "TLS: and the error says so" "$(jq -r .error.message <<<"${out% * *}")" "TLS handshake with 127.0.0.1 failed: timed out"
kill $pid; wait $pid 2>/dev/null
kill $tls_pid 2>/dev/null

# --- an upstream's answer framed by closing the connection (no Content-Length),
# which HTTP/1.1 allows, and one cut short: read whole, and a clear 502.
python3 -c "
import json, socket, threading
answer = json.dumps({'id': 'raw-1', 'object': 'chat.completion', 'model': 'deepseek-v4-flash',
                     'choices': [{'index': 0, 'finish_reason': 'stop', 'message': {'role': 'assistant', 'content': 'Read to the close.'}}],
                     'usage': {'prompt_tokens': 12, 'completion_tokens': 5, 'prompt_cache_hit_tokens': 0, 'prompt_cache_miss_tokens': 12}}).encode()
def serve(c):
    data = b''
    while b'\\r\\n\\r\\n' not in data:
        data += c.recv(65536)
    head, body = data.split(b'\\r\\n\\r\\n', 1)
    length = int([l.split(b':')[1] for l in head.split(b'\\r\\n') if l.lower().startswith(b'content-length:')][0])
    while len(body) < length:
        body += c.recv(65536)
    if b'x-sim-mode: cut' in head.lower():
        c.sendall(b'HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\nContent-Length: 1000\\r\\n\\r\\n' + answer[:40])
    else:
        c.sendall(b'HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\nConnection: close\\r\\n\\r\\n' + answer)
    c.close()
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept(); threading.Thread(target=serve, args=(c,)).start()" >"$tmp/raw.out" &
raw_pid=$!
for _ in $(seq 50); do [[ -s "$tmp/raw.out" ]] && break; sleep 0.1; done
rm -f "$tmp/raw.db"*
: >"$tmp/out"
DEEPSEEK_API_KEY=k "$ff" serve --upstream "http://127.0.0.1:$(head -1 "$tmp/raw.out")" --listen 127.0.0.1:0 \
  --ledger "$tmp/raw.db" --max-retries 0 >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 100); do grep -q listening "$tmp/out" && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$tmp/out")
out=$(curl -s -w ' %{http_code}' "$url/v1/chat/completions" "${auth[@]}" -d '{"model":"flash","messages":[{"role":"user","content":"hi"}]}')
expect_eq "an answer ended by the upstream's close: read whole" "${out##* } $(jq -r '.choices[0].message.content' <<<"${out% *}")" "200 Read to the close."
out=$(curl -s -w ' %{http_code}' "$url/v1/chat/completions" "${auth[@]}" -H 'x-sim-mode: cut' -d '{"model":"flash","messages":[{"role":"user","content":"hi"}]}')
expect_eq "an answer cut short: 502" "${out##* }" "502"
expect_eq "and the error says so" "$(jq -r .error.message <<<"${out% *}")" "upstream connection failed waiting for the answer: partial message"
expect_eq "both in the ledger, the first costed from its usage" "$(python3 -c "
import sqlite3,sys
for r in sqlite3.connect(sys.argv[1]).execute('select status, cache_miss, output, error from requests order by seq'): print('|'.join(map(str, r)))" "$tmp/raw.db" | tr '\n' ';')" \
  "200|12|5|;502|0|0|upstream connection failed waiting for the answer: partial message;"
kill $pid; wait $pid 2>/dev/null
kill $raw_pid 2>/dev/null

# --- kill -9 under load: every complete answer a client got is in the ledger
rm -f "$tmp/ledger.db"*
start --sim-speed 5
client() {  # n: requests one after another, each id logged once the whole answer arrived
  for i in $(seq 200); do
    if curl -s -f -D "$tmp/h$1" -o "$tmp/b$1" --max-time 10 "$url/v1/chat/completions" "${auth[@]}" \
         -d "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"Summarize item $1-$i: prices rose.\"}]}"; then
      if jq -e .usage "$tmp/b$1" >/dev/null 2>&1; then
        grep -i '^x-flashfirst-request-id:' "$tmp/h$1" | cut -d' ' -f2 | tr -d '\r' >>"$tmp/received"
      fi
    fi
  done
}
: >"$tmp/received"
for c in 1 2 3 4 5 6; do client "$c" & done
# Kill once a good number of answers are complete (a busy machine takes longer).
for _ in $(seq 300); do (( $(wc -l <"$tmp/received") >= 30 )) && break; sleep 0.1; done
kill -9 $pid
wait 2>/dev/null
received=$(sort -u "$tmp/received" | grep -c .)
missing=$(python3 - "$tmp/ledger.db" "$tmp/received" <<'PY'
import sqlite3, sys
ids = {r[0] for r in sqlite3.connect(sys.argv[1]).execute("select request_id from requests")}
got = {l.strip() for l in open(sys.argv[2]) if l.strip()}
print(len(got - ids))
PY
)
[[ $received -gt 20 ]] && ok || bad "kill -9: only $received answers before the kill"
expect_eq "kill -9: complete answers missing from the ledger" "$missing" "0"
echo "kill -9 after $received complete answers; none missing from the ledger: $([[ $missing == 0 ]] && echo yes || echo no)"

report "gateway faults"
