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
