#include "serve/http.h"

#include <gtest/gtest.h>

namespace squall::serve {
namespace {

TEST(Http, ParsesOriginFormAndDecodes) {
  auto r = parse_request("GET /broadcast/a%20b/x.svg?y=1#z HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->method, "GET");
  EXPECT_EQ(r->path, "/broadcast/a b/x.svg");
}

TEST(Http, RefusesWhatABrowserOfTheStoreNeverSends) {
  EXPECT_FALSE(parse_request("GET http://evil/ HTTP/1.1\r\n\r\n").ok());
  EXPECT_FALSE(parse_request("GET etc/passwd HTTP/1.1\r\n\r\n").ok());
  EXPECT_FALSE(parse_request("GET /a%00b HTTP/1.1\r\n\r\n").ok());
  EXPECT_FALSE(parse_request("GET /a%2 HTTP/1.1\r\n\r\n").ok());
  EXPECT_FALSE(parse_request("GET /a%zz HTTP/1.1\r\n\r\n").ok());
  EXPECT_FALSE(parse_request("GET / SPDY/3\r\n\r\n").ok());
  EXPECT_FALSE(parse_request("garbage\r\n\r\n").ok());
}

TEST(Http, DecodesDotSegmentsSoTheyCanBeRefused) {
  auto r = parse_request("GET /%2e%2e/%2E%2E/etc HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->path, "/../../etc");
}

TEST(Http, ResponseHeaders) {
  Response resp;
  resp.content_type = "image/svg+xml";
  resp.body = "<svg/>";
  std::string wire = render_response(resp, false);
  EXPECT_EQ(wire.rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
  EXPECT_NE(wire.find("Content-Type: image/svg+xml\r\n"), std::string::npos);
  EXPECT_NE(wire.find("Content-Length: 6\r\n"), std::string::npos);
  EXPECT_TRUE(wire.ends_with("\r\n\r\n<svg/>"));
  EXPECT_TRUE(render_response(resp, true).ends_with("\r\n\r\n"));
}

TEST(Http, EncodesLinks) {
  EXPECT_EQ(percent_encode_path("/a b/<x>\"&.svg"), "/a%20b/%3Cx%3E%22%26.svg");
}

}  // namespace
}  // namespace squall::serve
