#!/usr/bin/env python3
"""A minimal HTTPS upstream for the gateway's TLS test: answers every POST with a
fixed chat completion. Prints its port on the first line.
    tls_upstream.py CERT KEY"""
import http.server, json, ssl, sys

ANSWER = json.dumps({
    "id": "tls-1", "object": "chat.completion", "created": 1795868000, "model": "deepseek-v4-flash",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Over TLS."}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 10, "completion_tokens": 3, "total_tokens": 13,
              "prompt_cache_hit_tokens": 0, "prompt_cache_miss_tokens": 10}}).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        ok = self.headers.get("Authorization") == "Bearer upstream-secret"
        body = ANSWER if ok else b'{"error":{"message":"bad key","type":"authentication_error","code":"invalid_api_key"}}'
        self.send_response(200 if ok else 401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
server.socket = ctx.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
