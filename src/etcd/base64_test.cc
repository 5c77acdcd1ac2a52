#include "etcd/base64.h"

#include <gtest/gtest.h>

#include "core/rng.h"

namespace squall::etcd {
namespace {

TEST(Base64, KnownVectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  std::string out;
  ASSERT_TRUE(base64_decode("Zm9vYg==", &out));
  EXPECT_EQ(out, "foob");
}

TEST(Base64, RoundTripsRandomBytes) {
  Rng rng(7);
  for (int n = 0; n < 200; ++n) {
    std::string in(rng.below(40), '\0');
    for (char& c : in) c = static_cast<char>(rng.below(256));
    std::string out;
    ASSERT_TRUE(base64_decode(base64_encode(in), &out));
    EXPECT_EQ(out, in);
  }
}

TEST(Base64, RejectsMalformedInput) {
  std::string out;
  EXPECT_FALSE(base64_decode("Zm9", &out));       // length not a multiple of 4
  EXPECT_FALSE(base64_decode("Zm9*", &out));      // outside the alphabet
  EXPECT_FALSE(base64_decode("Z===", &out));      // too much padding
  EXPECT_FALSE(base64_decode("Zg==Zm9v", &out));  // padding before the end
  EXPECT_FALSE(base64_decode("Zm=v", &out));      // data after padding
  EXPECT_FALSE(base64_decode(std::string("Zm9\0", 4), &out));
}

}  // namespace
}  // namespace squall::etcd
