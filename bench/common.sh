# Shared by the bench scripts (sourced): the wrk script that POSTs one JSON body.
#   wrk_post_script FILE BODY [EXTRA_LUA_LINES]
wrk_post_script() {
  cat >"$1" <<LUA
wrk.method = "POST"
wrk.body = '$2'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer k"
${3:-}
LUA
}

# An nginx of its own (one worker, no access log) with files under DIR.
#   nginx_conf DIR NAME SERVER-BLOCK
nginx_conf() {
  cat >"$1/$2.conf" <<CONF
worker_processes 1;
pid $1/$2.pid;
error_log $1/$2.error.log;
events { worker_connections 8192; }
http {
  access_log off;
  client_max_body_size 16m;
  client_body_buffer_size 16m;
  client_body_temp_path $1/$2.body;
  proxy_temp_path $1/$2.proxy;
  $3
}
CONF
  nginx -c "$1/$2.conf"
}

# The benchmarks' upstream: an nginx returning a real chat completion (the
# simulator's answer to DIR/body.json on Flash) as a fixed body, and nginx as a
# reverse proxy in front of it, each a process of its own so that each one's CPU
# can be told apart. Sets `answer`, `up_port` and `proxy_port`; appends the
# simulator to the caller's `pids`.
#   start_fixed_upstream DIR FLASHFIRST
start_fixed_upstream() {
  "$2" sim --listen 127.0.0.1:0 --speed 0 >"$1/sim.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do grep -q listening "$1/sim.out" && break; sleep 0.1; done
  local sim_url escaped
  sim_url=$(sed -n 's/^listening on //p' "$1/sim.out")
  answer=$(sed 's/"model":"auto"/"model":"deepseek-v4-flash"/' "$1/body.json" |
    curl -sf "$sim_url/chat/completions" -H 'Authorization: Bearer k' -H 'Content-Type: application/json' --data-binary @-)
  jq -e .usage <<<"$answer" >/dev/null || { echo "no usage in the upstream answer: $answer" >&2; exit 1; }
  escaped=$(printf '%s' "$answer" | sed 's/\\/\\\\/g; s/"/\\"/g')
  up_port=$((20000 + RANDOM % 10000))
  proxy_port=$((up_port + 1))
  nginx_conf "$1" upstream "server { listen 127.0.0.1:$up_port; location / { default_type application/json; return 200 \"$escaped\"; } }"
  nginx_conf "$1" proxy "upstream fixed { server 127.0.0.1:$up_port; keepalive 64; }
  server { listen 127.0.0.1:$proxy_port; location / { proxy_pass http://fixed; proxy_http_version 1.1; proxy_set_header Connection \"\"; } }"
  sleep 0.3
}

# Ends what a benchmark started: the processes in `pids`, the nginx processes
# whose pid files are in DIR; then removes DIR. For `trap 'bench_cleanup "$work"' EXIT`.
bench_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for f in "$1"/*.pid; do [[ -f "$f" ]] && kill "$(cat "$f")" 2>/dev/null || true; done
  rm -rf "$1"
}
