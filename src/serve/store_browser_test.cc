#include "serve/store_browser.h"
#include "core/testing/files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace squall::serve {
namespace {

namespace fs = std::filesystem;

// The body as the server sends it: the text, or the content of the file it streams.
std::string content(const Response& r) {
  if (!r.file) return r.body;
  std::string out(r.file->size(), '\0');
  ssize_t n = ::pread(r.file->fd(), out.data(), out.size(), 0);
  out.resize(n < 0 ? 0 : static_cast<size_t>(n));
  return out;
}

// A store with one valid broadcast run and one invalid echo run, a secret file next to
// the store, and links both inside and leading out of it.
class StoreBrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("squall-browser-test-" + std::to_string(::getpid()));
    fs::remove_all(base_);
    root_ = base_ / "store";
    fs::path run = root_ / "broadcast" / "20240102T030405.678";
    squall::testing::write_file(run / "results.json", R"({"valid?":true})");
    squall::testing::write_file(run / "messages.svg", "<svg/>");
    squall::testing::write_file(run / "timeline.html", "<html/>");
    squall::testing::write_file(run / "elle" / "index.html", "<html/>");
    squall::testing::write_file(run / "results.edn", "{:valid? true}");
    squall::testing::write_file(run / "jepsen.log", "<script>alert(1)</script>");
    squall::testing::write_file(root_ / "echo" / "20240101T000000.000" / "results.json", R"({"valid?":false})");
    squall::testing::write_file(base_ / "secret.txt", "secret");
    fs::create_directory_symlink("20240102T030405.678", root_ / "broadcast" / "latest");
    fs::create_symlink(base_ / "secret.txt", run / "escape.txt");
    fs::create_directory_symlink(base_, run / "escape-dir");
  }
  void TearDown() override { fs::remove_all(base_); }

  Response get(const std::string& path) const { return StoreBrowser(root_.string()).handle(Request{"GET", path}); }

  fs::path base_, root_;
};

TEST_F(StoreBrowserTest, IndexListsRunsWithVerdicts) {
  Response r = get("/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("2024-01-02 03:04:05.678"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("href=\"/broadcast/20240102T030405.678/messages.svg\""), std::string::npos);
  // A txn run's anomaly graphs (elle/), served from the run's subfolder.
  EXPECT_NE(r.body.find("href=\"/broadcast/20240102T030405.678/elle/index.html\""), std::string::npos);
  EXPECT_EQ(get("/broadcast/20240102T030405.678/elle/index.html").status, 200);
  EXPECT_NE(r.body.find("class=\"valid-true\""), std::string::npos);
  EXPECT_NE(r.body.find("class=\"valid-false\""), std::string::npos);
  EXPECT_NE(r.body.find("(2 runs)"), std::string::npos);         // the latest link is not a third run
  EXPECT_LT(r.body.find(">broadcast<"), r.body.find(">echo<"));  // newest first
}

TEST_F(StoreBrowserTest, FilesGetTheirContentTypes) {
  EXPECT_EQ(get("/broadcast/20240102T030405.678/messages.svg").content_type, "image/svg+xml");
  EXPECT_EQ(get("/broadcast/20240102T030405.678/timeline.html").content_type, "text/html; charset=utf-8");
  EXPECT_EQ(get("/broadcast/20240102T030405.678/results.edn").content_type, "application/edn; charset=utf-8");
  Response log = get("/broadcast/latest/jepsen.log");  // through the store's own link
  EXPECT_EQ(log.status, 200);
  EXPECT_EQ(log.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(content(log), "<script>alert(1)</script>");
  EXPECT_EQ(StoreBrowser::content_type("report.txt"), "text/plain; charset=utf-8");
  EXPECT_EQ(StoreBrowser::content_type("node.bin"), "text/plain; charset=utf-8");
}

TEST_F(StoreBrowserTest, DirectoriesAreListedAfterARedirect) {
  Response redirect = get("/broadcast/20240102T030405.678");
  EXPECT_EQ(redirect.status, 301);
  EXPECT_EQ(redirect.location, "/broadcast/20240102T030405.678/");
  // A run's directory is its run page; "?files" lists it.
  Response page = get("/broadcast/20240102T030405.678/");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("id=\"verdict\""), std::string::npos) << page.body;
  Response list = StoreBrowser(root_.string()).handle(Request{"GET", "/broadcast/20240102T030405.678/", "files"});
  EXPECT_EQ(list.status, 200);
  EXPECT_NE(list.body.find("href=\"/broadcast/20240102T030405.678/messages.svg\""), std::string::npos);
  EXPECT_NE(list.body.find("href=\"/broadcast/\""), std::string::npos);  // the parent
}

TEST_F(StoreBrowserTest, RefusesPathsOutOfTheStore) {
  for (const char* p :
       {"/../secret.txt", "/broadcast/../../secret.txt", "/broadcast/20240102T030405.678/../../../secret.txt"}) {
    Response r = get(p);
    EXPECT_EQ(r.status, 403) << p;
    EXPECT_EQ(r.body.find("secret\n"), std::string::npos);
  }
  // An absolute path is taken relative to the store, never to the file system root.
  EXPECT_EQ(get("/" + (base_ / "secret.txt").string()).status, 404);
  EXPECT_EQ(get("//etc/passwd").status, 404);
  // Symlinks that leave the store.
  Response link = get("/broadcast/20240102T030405.678/escape.txt");
  EXPECT_EQ(link.status, 403);
  EXPECT_NE(content(link), "secret");
  EXPECT_EQ(get("/broadcast/20240102T030405.678/escape-dir/secret.txt").status, 403);
  EXPECT_EQ(get("/broadcast/20240102T030405.678/escape-dir/").status, 403);
  EXPECT_EQ(get("/nope.txt").status, 404);
}

// Files are streamed from an open descriptor, not loaded; HEAD only stats the file.
TEST_F(StoreBrowserTest, FilesAreStreamedAndHeadOnlyStats) {
  Response get_log = get("/broadcast/latest/jepsen.log");
  ASSERT_TRUE(get_log.file);
  EXPECT_TRUE(get_log.body.empty());
  EXPECT_GE(get_log.file->fd(), 0);
  EXPECT_EQ(get_log.content_length(), std::string("<script>alert(1)</script>").size());
  Response head = StoreBrowser(root_.string()).handle(Request{"HEAD", "/broadcast/latest/jepsen.log"});
  EXPECT_EQ(head.status, 200);
  ASSERT_TRUE(head.file);
  EXPECT_EQ(head.file->fd(), -1);  // never opened, so never read
  EXPECT_EQ(head.content_length(), get_log.content_length());
}

TEST_F(StoreBrowserTest, OnlyReads) {
  Response r = StoreBrowser(root_.string()).handle(Request{"POST", "/"});
  EXPECT_EQ(r.status, 405);
}

TEST(StoreBrowser, MissingStoreIsNotFound) {
  EXPECT_EQ(StoreBrowser("/nonexistent/squall/store").handle(Request{"GET", "/"}).status, 404);
}

}  // namespace
}  // namespace squall::serve
