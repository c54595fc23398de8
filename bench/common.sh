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
