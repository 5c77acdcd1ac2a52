#include "serve/host_allow_list.h"

#include <gtest/gtest.h>

namespace squall::serve {
namespace {

TEST(HostAllowList, AnswersLocalNamesAndTheBoundAddressOnTheRightPort) {
  HostAllowList hosts("127.0.0.1", 8080);
  for (const char* ok :
       {"localhost", "localhost:8080", "LocalHost:8080", "127.0.0.1", "127.0.0.1:8080", "[::1]", "[::1]:8080"})
    EXPECT_TRUE(hosts.allows(ok)) << ok;
  for (const char* bad : {"evil.example", "evil.example:8080", "localhost:8081", "localhost:", "localhost:80x",
                          "localhost:99999999999", "localhost.evil.example", "127.0.0.1.nip.io", "[::1", "[::1]x",
                          "[::2]:8080", "10.0.0.1", "::1", ":8080", "", "localhost:8080:8080"})
    EXPECT_FALSE(hosts.allows(bad)) << bad;
}

TEST(HostAllowList, TheBoundAddressAndExplicitNames) {
  HostAllowList hosts("192.168.1.7", 80, {"Box.Lan"});
  EXPECT_TRUE(hosts.allows("192.168.1.7"));
  EXPECT_TRUE(hosts.allows("box.lan:80"));
  EXPECT_FALSE(hosts.allows("192.168.1.8"));
  EXPECT_NE(hosts.describe().find("box.lan"), std::string::npos) << hosts.describe();
}

// On every interface the machine's own addresses are unknown; any IP literal is safe
// from rebinding, which needs a name, but names still are not.
TEST(HostAllowList, EveryInterfaceAllowsAddressesNotNames) {
  HostAllowList hosts("0.0.0.0", 8080);
  EXPECT_TRUE(hosts.allows("10.1.2.3:8080"));
  EXPECT_TRUE(hosts.allows("localhost"));
  EXPECT_FALSE(hosts.allows("evil.example:8080"));
  EXPECT_FALSE(hosts.allows("0x7f.1:8080"));
}

}  // namespace
}  // namespace squall::serve
