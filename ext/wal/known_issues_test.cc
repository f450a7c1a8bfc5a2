#include "ext/wal/known_issues.h"

#include <string>

#include "gtest/gtest.h"

namespace doctor::wal {
namespace {

TEST(KnownIssues, WalResetBugVersions) {
  EXPECT_FALSE(HasWalResetBug(3006023));  // before WAL
  EXPECT_TRUE(HasWalResetBug(3007000));
  EXPECT_TRUE(HasWalResetBug(3040001));   // Debian 12
  EXPECT_TRUE(HasWalResetBug(3044005));
  EXPECT_FALSE(HasWalResetBug(3044006));  // backport
  EXPECT_TRUE(HasWalResetBug(3045001));   // 3.45 to 3.49 have no backport
  EXPECT_TRUE(HasWalResetBug(3050006));
  EXPECT_FALSE(HasWalResetBug(3050007));  // backport
  EXPECT_TRUE(HasWalResetBug(3051002));
  EXPECT_FALSE(HasWalResetBug(3051003));  // fixed
  EXPECT_FALSE(HasWalResetBug(3053002));  // better-sqlite3 12.11.1
}

TEST(KnownIssues, ListsEveryIssueWithItsVerdict) {
  auto issues = KnownIssues({3040001, true});
  ASSERT_EQ(issues.size(), 2u);
  EXPECT_STREQ(issues[0].issue, "wal_reset_bug");
  EXPECT_TRUE(issues[0].affected);
  EXPECT_STREQ(issues[1].issue, "no_progress_handler");
  EXPECT_FALSE(issues[1].affected);
  issues = KnownIssues({3053002, false});
  EXPECT_FALSE(issues[0].affected);
  EXPECT_TRUE(issues[1].affected);
  EXPECT_EQ(VersionText(3053002), "3.53.2");
}

// wal.html#walresetbug: a checkpoint starts while another connection's commit resets the WAL,
// and misses the reset. The summary said it the other way round (a checkpoint resetting the WAL
// while another connection writes), which is not when it happens.
TEST(KnownIssues, TheWalResetBugIsSaidAsSqliteDocumentsIt) {
  const std::string summary = KnownIssues({3040001, true})[0].summary;
  EXPECT_NE(summary.find("commit resets the WAL while another connection starts a checkpoint"),
            std::string::npos)
      << summary;
}

}  // namespace
}  // namespace doctor::wal
