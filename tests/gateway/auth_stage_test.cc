// The auth stage against configured keys and in anonymous mode.
#include "gateway/auth_stage.h"

#include <gtest/gtest.h>

#include "net/http_server.h"

namespace ff::gateway {
namespace {

net::Request with(std::vector<std::pair<std::string, std::string>> headers) {
  net::Request r;
  r.headers = std::move(headers);
  return r;
}

TEST(AuthStage, AConfiguredKeyIsFoundByItsHashFromEitherHeader) {
  const std::vector<VirtualKey> keys{{"team-a", sha256_hex("sk-a"), {}, {}}, {"team-b", sha256_hex("sk-b"), {}, {}}};
  const std::vector<std::string> admins;
  KeyRing ring(keys, admins);
  EXPECT_EQ(ring.authenticate(with({{"authorization", "Bearer sk-b"}})), &keys[1]);
  EXPECT_EQ(ring.authenticate(with({{"authorization", "bearer sk-a"}})), &keys[0]);
  EXPECT_EQ(ring.authenticate(with({{"x-api-key", "sk-a"}})), &keys[0]);
  EXPECT_EQ(ring.authenticate(with({{"authorization", "Bearer sk-c"}})), nullptr);
  EXPECT_EQ(ring.authenticate(with({{"authorization", "Basic sk-a"}})), nullptr);
  EXPECT_EQ(ring.authenticate(with({{"authorization", "Bearer "}})), nullptr);
  EXPECT_EQ(ring.authenticate(with({})), nullptr);
}

TEST(AuthStage, WithoutKeysAnyKeyIsAnonymousAndTheSameKeyIsTheSameEntry) {
  const std::vector<VirtualKey> keys;
  const std::vector<std::string> admins;
  KeyRing ring(keys, admins);
  const VirtualKey* first = ring.authenticate(with({{"authorization", "Bearer whatever"}}));
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->name, "anonymous");
  // printf %s whatever | sha256sum
  EXPECT_EQ(first->sha256_hex, "85738f8f9a7f1b04b5329c590ebcb9e425925c6d0984089c43a022de4f19c281");
  EXPECT_EQ(ring.authenticate(with({{"x-api-key", "whatever"}})), first);
  EXPECT_EQ(ring.authenticate(with({})), nullptr);
  // Past the memory of keys presented, a key presented again is still the
  // same entry (one per distinct key, however often the memory starts over).
  for (std::size_t i = 0; i <= KeyRing::kKnownKeysCap; ++i) {
    ASSERT_NE(ring.authenticate(with({{"authorization", "Bearer k" + std::to_string(i)}})), nullptr);
  }
  EXPECT_EQ(ring.authenticate(with({{"authorization", "Bearer whatever"}})), first);
  EXPECT_EQ(first->name, "anonymous");
}

TEST(AuthStage, TheDashboardIsAskedByAnAdminKeyOrByAVirtualKeyForItsOwnCalls) {
  const std::vector<VirtualKey> keys{{"team-a", sha256_hex("sk-a"), {}, {}}};
  const std::vector<std::string> admins{sha256_hex("admin-1")};
  KeyRing ring(keys, admins);
  const VirtualKey* key = nullptr;
  auto admin = ring.dashboard_viewer(with({{"authorization", "Bearer admin-1"}}), key);
  ASSERT_TRUE(admin);
  EXPECT_TRUE(admin->admin);
  EXPECT_EQ(key, nullptr);
  auto own = ring.dashboard_viewer(with({{"authorization", "Bearer sk-a"}}), key);
  ASSERT_TRUE(own);
  EXPECT_FALSE(own->admin);
  EXPECT_EQ(own->key_name, "team-a");
  EXPECT_EQ(key, &keys[0]);
  // The dashboard takes bearer keys only.
  EXPECT_FALSE(ring.dashboard_viewer(with({{"x-api-key", "sk-a"}}), key));
  EXPECT_FALSE(ring.dashboard_viewer(with({{"authorization", "Bearer nobody"}}), key));
}

}  // namespace
}  // namespace ff::gateway
