#include "serve/http.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <random>

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
  auto r = parse_request("GET /%2e%2e/%2E%2E/etc HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->path, "/../../etc");
}

TEST(Http, ReadsTheHostHeader) {
  auto r = parse_request("GET / HTTP/1.1\r\nAccept: */*\r\nhOsT:  localhost:8080 \r\nX-A: b\r\n\r\n");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->host, "localhost:8080");
  // HTTP/1.0 may leave Host out; HTTP/1.1 may not (RFC 9112 3.2).
  auto old = parse_request("GET / HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(old.ok()) << old.error();
  EXPECT_EQ(old->host, "");
  EXPECT_EQ(parse_request("GET / HTTP/1.1\r\n\r\n").error(), "HTTP/1.1 request without a Host header");
}

TEST(Http, RefusesAmbiguousOrMalformedHeaders) {
  EXPECT_EQ(parse_request("GET / HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n").error(),
            "more than one Host header");
  EXPECT_EQ(parse_request("GET / HTTP/1.1\r\nHost:\r\n\r\n").error(), "empty Host header");
  EXPECT_EQ(parse_request("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n").error(),
            "folded header lines are not supported");
  EXPECT_EQ(parse_request("GET / HTTP/1.1\r\nHost a\r\n\r\n").error(), "header line without ':'");
  EXPECT_EQ(parse_request("GET / HTTP/1.1\r\nHo st: a\r\n\r\n").error(), "malformed header name");
  EXPECT_FALSE(parse_request(std::string("GET / HTTP/1.1\r\nHost: a") + '\0' + "b\r\n\r\n").ok());
  EXPECT_FALSE(parse_request("GET /a\rb HTTP/1.1\r\nHost: a\r\n\r\n").ok());
  EXPECT_FALSE(parse_request("G(T / HTTP/1.1\r\nHost: a\r\n\r\n").ok());
  // What follows the blank line is not part of the head.
  EXPECT_TRUE(parse_request("GET / HTTP/1.1\r\nHost: a\r\n\r\nHost: b\r\n\r\n").ok());
}

// The parser faces the network: no input may crash it, and what it accepts is sane.
TEST(Http, AnyBytesAreParsedOrRefused) {
  const std::string good = "GET /a%20b/c.svg?x=1 HTTP/1.1\r\nHost: localhost:8080\r\nAccept: */*\r\n\r\n";
  const char kAlphabet[] = "GETHOST /:%\r\n\t0aF.\0\x7f\xff";  // bytes the grammar cares about
  const std::string alphabet(kAlphabet, sizeof kAlphabet - 1);
  std::mt19937 rng(11);
  for (int i = 0; i < 20000; ++i) {
    std::string input = good;
    int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits; ++e) {
      size_t at = rng() % (input.size() + 1);
      char c = (rng() % 2) ? alphabet[rng() % alphabet.size()] : static_cast<char>(rng());
      switch (rng() % 3) {
        case 0: input.insert(at, 1, c); break;
        case 1:
          if (at < input.size()) input.erase(at, 1);
          break;
        default:
          if (at < input.size()) input[at] = c;
          break;
      }
    }
    auto r = parse_request(input);
    if (!r.ok()) {
      EXPECT_FALSE(r.error().empty());
      continue;
    }
    ASSERT_FALSE(r->path.empty()) << input;
    EXPECT_EQ(r->path[0], '/') << input;
    EXPECT_EQ(r->path.find('\0'), std::string::npos) << input;
    EXPECT_FALSE(r->method.empty()) << input;
  }
}

TEST(Http, FileBodiesAreAnnouncedButNotRendered) {
  char name[] = "/tmp/squall-http-test-XXXXXX";
  int fd = ::mkstemp(name);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "12345", 5), 5);
  ::close(fd);
  Response resp;
  auto file = FileBody::open(name);
  ::unlink(name);
  ASSERT_TRUE(file.ok()) << file.error();
  resp.file = file.value();
  std::string wire = render_response(resp, false);
  EXPECT_NE(wire.find("Content-Length: 5\r\n"), std::string::npos) << wire;
  EXPECT_TRUE(wire.ends_with("\r\n\r\n")) << wire;  // the server streams the rest
  EXPECT_FALSE(FileBody::open("/nonexistent/squall").ok());
  EXPECT_FALSE(FileBody::stat("/tmp").ok());  // a directory is no file body
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

TEST(Http, EncodesLinks) { EXPECT_EQ(percent_encode_path("/a b/<x>\"&.svg"), "/a%20b/%3Cx%3E%22%26.svg"); }

}  // namespace
}  // namespace squall::serve

namespace squall::serve {
namespace {

TEST(Http, QueryIsKeptAndItsParametersDecoded) {
  auto r = parse_request("GET /a/b/messages?from=1.5&to=2&who=n%201+x#frag HTTP/1.1\r\nHost: localhost\r\n\r\n");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->path, "/a/b/messages");
  EXPECT_EQ(r->query, "from=1.5&to=2&who=n%201+x");
  EXPECT_EQ(query_param(r->query, "from"), "1.5");
  EXPECT_EQ(query_param(r->query, "to"), "2");
  EXPECT_EQ(query_param(r->query, "who"), "n 1 x");
  EXPECT_EQ(query_param(r->query, "fro"), std::nullopt);
  EXPECT_EQ(query_param("files", "files"), "");
  EXPECT_EQ(query_param("a=%zz", "a"), std::nullopt);  // malformed: absent, not garbage
  EXPECT_EQ(query_param("a=%00", "a"), std::nullopt);
}

}  // namespace
}  // namespace squall::serve
