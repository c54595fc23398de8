// The auth stage: which virtual key a request presents.
//   - The key is the bearer token of `Authorization` ("Bearer " or "bearer "),
//     or `x-api-key` (Anthropic's clients).
//   - With keys configured, a key is known when its SHA-256 is one of theirs;
//     the keys themselves are never kept. Without keys, any non-empty key is
//     accepted as "anonymous".
//   - Hashing costs more than the rest of admission, so the keys presented are
//     remembered (at most kKnownKeysCap; beyond that the memory starts over).
//     An anonymous key is one entry per distinct key (by hash), kept for the
//     ring's life: requests in flight hold it.
//   - The dashboard's API is asked by an admin key (it sees every key) or by a
//     virtual key (its own calls only).
//
// Server's thread only. The keys returned live as long as the KeyRing.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dashboard/dashboard.h"
#include "gateway/gateway.h"

namespace ff::gateway {

class KeyRing {
 public:
  // `keys` and `admin_key_hashes` must outlive the ring.
  KeyRing(const std::vector<VirtualKey>& keys, const std::vector<std::string>& admin_key_hashes)
      : keys_(keys), admin_key_hashes_(admin_key_hashes) {}

  // The request's key, or nullptr when it may not use the gateway.
  const VirtualKey* authenticate(const net::Request& r);
  // Who asks the dashboard's API, or nullopt for no one it knows; `key_out` is
  // the virtual key, for a virtual key.
  std::optional<dashboard::Viewer> dashboard_viewer(const net::Request& r, const VirtualKey*& key_out);

  static constexpr std::size_t kKnownKeysCap = 4096;

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  const std::vector<VirtualKey>& keys_;
  const std::vector<std::string>& admin_key_hashes_;
  std::unordered_map<std::string, const VirtualKey*, StringHash, std::equal_to<>> known_;
  std::unordered_map<std::string, VirtualKey> anonymous_;  // by hash; nodes keep their addresses
};

}  // namespace ff::gateway
