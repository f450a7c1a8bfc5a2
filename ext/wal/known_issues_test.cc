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
  EXPECT_EQ(issues[0].affected, true);
  EXPECT_STREQ(issues[1].issue, "no_progress_handler");
  EXPECT_EQ(issues[1].affected, false);
  issues = KnownIssues({3053002, false});
  EXPECT_EQ(issues[0].affected, false);
  EXPECT_EQ(issues[1].affected, true);
  EXPECT_EQ(VersionText(3053002), "3.53.2");
}

// Another process's SQLite, known by its version only (the application's, recorded beside its
// query plans): the version decides the WAL-reset bug; the build-dependent issue is not known.
TEST(KnownIssues, AVersionAloneLeavesTheBuildsIssuesUnknown) {
  auto issues = KnownIssues({3053002, std::nullopt});
  EXPECT_EQ(issues[0].affected, false);
  EXPECT_EQ(issues[1].affected, std::nullopt);
  EXPECT_EQ(KnownIssues({3045000, std::nullopt})[0].affected, true);
}

TEST(KnownIssues, VersionNumberReadsLibversionText) {
  EXPECT_EQ(VersionNumber("3.40.1"), 3040001);
  EXPECT_EQ(VersionNumber("3.53.2"), 3053002);
  EXPECT_EQ(VersionNumber("3.8.10.2"), 3008010);  // a patch release of 3.8.10
  EXPECT_EQ(VersionNumber(VersionText(3051003)), 3051003);
  for (const char* bad : {"", "3", "3.40", "3.40.", "3..1", "3.40.1 ", "v3.40.1", "3.40.1.2.3",
                          "3.-1.0", "3.1000.0", "0.1.2", "3.40.1x", "99999999999.1.1"}) {
    EXPECT_EQ(VersionNumber(bad), std::nullopt) << bad;
  }
}

// Whose version matters: the fix is in the checkpoint (3.51.3's walCheckpoint compares the WAL
// salt before it copies), so the summary says a checkpoint run by an affected SQLite is what is at
// risk, whatever the writers run, and the fix names every process that writes or checkpoints.
TEST(KnownIssues, TheWalResetBugSaysWhoseCheckpointIsAtRisk) {
  const KnownIssue bug = KnownIssues({3040001, true})[0];
  const std::string summary = bug.summary;
  EXPECT_NE(summary.find("a checkpoint run by an affected SQLite, whatever SQLite the writers "
                         "use"),
            std::string::npos)
      << summary;
  EXPECT_NE(std::string(bug.fix).find("every process that writes to or checkpoints"),
            std::string::npos)
      << bug.fix;
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
