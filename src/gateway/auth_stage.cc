#include "gateway/auth_stage.h"

#include "net/http_server.h"

namespace ff::gateway {

namespace {

std::string_view bearer(const net::Request& r) {
  const std::string_view auth = r.header("authorization");
  if (auth.substr(0, 7) == "Bearer " || auth.substr(0, 7) == "bearer ") return auth.substr(7);
  return {};
}

}  // namespace

const VirtualKey* KeyRing::authenticate(const net::Request& r) {
  std::string_view key = bearer(r);
  if (key.empty()) key = r.header("x-api-key");  // Anthropic clients
  if (key.empty()) return nullptr;
  auto cached = known_.find(key);
  if (cached != known_.end()) return cached->second;
  const std::string hash = sha256_hex(key);
  const VirtualKey* found = nullptr;
  if (keys_.empty()) {
    found = &anonymous_.try_emplace(hash, VirtualKey{"anonymous", hash, {}, {}}).first->second;
  } else {
    for (const VirtualKey& k : keys_) {
      if (k.sha256_hex == hash) found = &k;
    }
  }
  if (known_.size() >= kKnownKeysCap) known_.clear();  // many distinct keys: start over
  known_.emplace(std::string(key), found);
  return found;
}

std::optional<dashboard::Viewer> KeyRing::dashboard_viewer(const net::Request& r, const VirtualKey*& key_out) {
  const std::string_view presented = bearer(r);
  if (presented.empty()) return std::nullopt;
  if (!admin_key_hashes_.empty()) {
    const std::string hash = sha256_hex(presented);
    for (const std::string& admin : admin_key_hashes_) {
      if (admin == hash) return dashboard::Viewer{true, "", ""};
    }
  }
  const VirtualKey* key = authenticate(r);
  if (key == nullptr) return std::nullopt;
  key_out = key;
  return dashboard::Viewer{false, key->sha256_hex, key->name};
}

}  // namespace ff::gateway
