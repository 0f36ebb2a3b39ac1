// Secrets in storage: no password of a --storage spec is printed or put
// into an error (RedactStorageSpec, RedactStorageSecrets, libpq's own
// messages), and the SQLite files, which hold the page-token signing key,
// are readable by their owner only whatever the umask.
#include <stdlib.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <ios>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "registry-service/storage/open_record_store.h"
#include "registry-service/storage/pg_db.h"
#include "registry-service/storage/record_store.h"

namespace missions::registry {
namespace {

TEST(RedactStorageSpecTest, UserinfoPassword) {
  EXPECT_EQ(RedactStorageSpec("postgresql://registry:s3cret@db.example:5432/registry"),
            "postgresql://registry:***@db.example:5432/registry");
  EXPECT_EQ(RedactStorageSpec("postgres://registry:s3cret@db/registry?sslmode=require"),
            "postgres://registry:***@db/registry?sslmode=require");
  EXPECT_EQ(RedactStorageSpec("postgresql://registry:s3cret@db"),
            "postgresql://registry:***@db");
  EXPECT_EQ(RedactStorageSpec("postgresql://registry:s3cret@[::1]:5432/registry"),
            "postgresql://registry:***@[::1]:5432/registry");
  EXPECT_EQ(RedactStorageSpec("postgresql://registry:a:b@db/registry"),
            "postgresql://registry:***@db/registry");
}

TEST(RedactStorageSpecTest, PasswordWithAtSignOrSlash) {
  // Percent-encoded as it should be, and as people write it anyway.
  EXPECT_EQ(RedactStorageSpec("postgresql://registry:p%40ss@db/registry"),
            "postgresql://registry:***@db/registry");
  EXPECT_EQ(RedactStorageSpec("postgresql://registry:p@ss@db/registry"),
            "postgresql://registry:***@db/registry");
  EXPECT_EQ(RedactStorageSpec("postgresql://registry:p@s@s@db"),
            "postgresql://registry:***@db");
  EXPECT_EQ(RedactStorageSpec("postgresql://registry:a/b@db/registry"),
            "postgresql://registry:***@db/registry");
  EXPECT_EQ(RedactStorageSpec("postgresql://registry:p?w@db/registry"),
            "postgresql://registry:***@db/registry");
  EXPECT_EQ(RedactStorageSpec("postgresql://registry:p@ss/w@db/registry"),
            "postgresql://registry:***@db/registry");
  EXPECT_EQ(RedactStorageSpec("postgresql://registry:a/b?c@db"),
            "postgresql://registry:***@db");
  EXPECT_EQ(RedactStorageSpec("postgresql://registry:s3cret@db/registry?user=me@server"),
            "postgresql://registry:***@db/registry?user=me@server");
}

TEST(RedactStorageSpecTest, QueryPassword) {
  EXPECT_EQ(RedactStorageSpec(
                "postgresql://db/registry?user=registry&password=s3cret&sslmode=require"),
            "postgresql://db/registry?user=registry&password=***&sslmode=require");
  EXPECT_EQ(RedactStorageSpec("postgresql:///registry?password=s3cret"),
            "postgresql:///registry?password=***");
  EXPECT_EQ(RedactStorageSpec("postgresql:///registry?pass%77ord=s3cret"),
            "postgresql:///registry?pass%77ord=***");
  EXPECT_EQ(RedactStorageSpec("postgresql://u:one@db/registry?password=two"),
            "postgresql://u:***@db/registry?password=***");
}

TEST(RedactStorageSpecTest, NoPasswordIsUnchanged) {
  for (const char* spec : {
           "postgresql://registry@db.example:5432/registry",
           "postgresql:///registry?host=/run/postgresql",
           "postgresql://db.example:5432/registry?user=registry@server&sslmode=require",
           "postgresql://registry:@db/registry",  // empty password
           "postgresql://[::1]:5432/registry",
           "postgresql://",
           "host=db user=registry dbname=registry",
           "",
       }) {
    EXPECT_EQ(RedactStorageSpec(spec), spec);
  }
}

TEST(RedactStorageSpecTest, SqliteIsUnchanged) {
  for (const char* spec : {"sqlite:registry.db", "sqlite:/var/lib/registry/registry.db",
                           "sqlite:/tmp/user:password=x@y/registry.db"}) {
    EXPECT_EQ(RedactStorageSpec(spec), spec);
  }
}

TEST(RedactStorageSpecTest, KeywordValueStrings) {
  EXPECT_EQ(RedactStorageSpec("host=db user=registry password=s3cret dbname=registry"),
            "host=db user=registry password=*** dbname=registry");
  EXPECT_EQ(RedactStorageSpec("password = 'a \\' b' host=db"), "password = *** host=db");
  EXPECT_EQ(RedactStorageSpec("host=db password=s3cret"), "host=db password=***");
  EXPECT_EQ(RedactStorageSpec("host=db passfile=/etc/pgpass"), "host=db passfile=/etc/pgpass");
}

TEST(RedactStorageSpecTest, OtherSchemes) {
  EXPECT_EQ(RedactStorageSpec("mysql://root:hunter22@db/registry"),
            "mysql://root:***@db/registry");
}

TEST(RedactStorageSecretsTest, RemovesTheSpecAndEachPasswordFromAMessage) {
  const std::string spec = "postgresql://registry:hunter22@[::1/registry";
  EXPECT_EQ(RedactStorageSecrets(absl::StrCat("bad URI: \"", spec, "\""), spec),
            "bad URI: \"postgresql://registry:***@[::1/registry\"");
  // As written and percent-decoded.
  EXPECT_EQ(RedactStorageSecrets("hunter%32%32 and hunter22",
                                 "postgresql://registry:hunter%32%32@db/registry"),
            "*** and ***");
  // A fragment libpq quotes that overlaps the password.
  const std::string at_sign = "postgresql://registry:p@ss@db.example/registry";
  EXPECT_EQ(RedactStorageSecrets(
                "could not translate host name \"ss@db.example\" to address", at_sign),
            "could not translate host name \"***\" to address");
  // Fragments outside the password stay.
  EXPECT_EQ(RedactStorageSecrets("connection to \"db.example\" failed", at_sign),
            "connection to \"db.example\" failed");
  // Nothing to hide.
  EXPECT_EQ(RedactStorageSecrets("\"registry@db\" failed", "postgresql://registry@db/x"),
            "\"registry@db\" failed");
}

// libpq quotes malformed URIs (or their pieces) in its messages; none of
// these connect anywhere, libpq rejects them while parsing.
TEST(RedactStorageSecretsTest, LibpqErrorsDoNotEchoThePassword) {
  for (const std::string& spec : {
           std::string("postgresql://registry:hunter22@[::1/registry"),
           std::string("postgresql://registry:hunter%zz22@localhost/registry"),
           std::string("postgresql://registry@localhost/registry?password=hunter%zz22"),
           std::string("postgresql://registry:hunter22@localhost/registry?nonsense"),
       }) {
    auto connection = pg::Connection::Open(spec);
    ASSERT_FALSE(connection.ok()) << spec;
    EXPECT_TRUE(absl::IsUnavailable(connection.status())) << connection.status();
    EXPECT_FALSE(absl::StrContains(connection.status().message(), "hunter"))
        << connection.status();
    std::printf("%s\n  -> %s\n", RedactStorageSpec(spec).c_str(),
                std::string(connection.status().message()).c_str());

    auto store = OpenRecordStore(spec);
    ASSERT_FALSE(store.ok()) << spec;
    EXPECT_FALSE(absl::StrContains(store.status().message(), "hunter")) << store.status();
  }
}

TEST(OpenRecordStoreTest, UnsupportedSpecIsReportedRedacted) {
  for (const char* spec : {"mysql://root:hunter22@db/registry",
                           "host=db user=registry password=hunter22"}) {
    auto store = OpenRecordStore(spec);
    ASSERT_TRUE(absl::IsInvalidArgument(store.status())) << store.status();
    EXPECT_FALSE(absl::StrContains(store.status().message(), "hunter22")) << store.status();
    EXPECT_TRUE(absl::StrContains(store.status().message(), RedactStorageSpec(spec)))
        << store.status();
  }
}

class SqliteFileModeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A permissive umask, as a service might run with: files would be 0644.
    old_umask_ = umask(022);
    std::string pattern = ::testing::TempDir() + "/secrets_test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    db_ = dir_ + "/registry.db";
  }
  void TearDown() override {
    umask(old_umask_);
    std::filesystem::remove_all(dir_);
  }

  // The mode bits of `path`, or -1 if it does not exist.
  static int ModeOf(const std::string& path) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return -1;
    return static_cast<int>(st.st_mode & 07777);
  }

  void ExpectOwnerOnly(const std::string& path) {
    const int mode = ModeOf(path);
    ASSERT_NE(mode, -1) << path << " does not exist";
    EXPECT_EQ(mode & 077, 0) << path << " has mode 0" << std::oct << mode;
  }

  mode_t old_umask_ = 0;
  std::string dir_;
  std::string db_;
};

TEST_F(SqliteFileModeTest, NewDatabaseAndItsWalAndShmAreOwnerOnly) {
  auto store = OpenRecordStore("sqlite:" + db_);
  ASSERT_TRUE(store.ok()) << store.status();
  // Open with WAL set and the schema migrated: -wal and -shm exist now.
  ExpectOwnerOnly(db_);
  ExpectOwnerOnly(db_ + "-wal");
  ExpectOwnerOnly(db_ + "-shm");
  EXPECT_EQ(ModeOf(db_), 0600);
}

TEST_F(SqliteFileModeTest, DatabaseOfAnOlderBuildIsTightened) {
  {
    auto store = OpenRecordStore("sqlite:" + db_);
    ASSERT_TRUE(store.ok()) << store.status();
  }
  // As an older build left it, with a -wal and -shm of a crashed process.
  ASSERT_EQ(chmod(db_.c_str(), 0644), 0);
  for (const char* suffix : {"-wal", "-shm"}) {
    const std::string path = db_ + suffix;
    if (ModeOf(path) == -1) {
      std::FILE* f = std::fopen(path.c_str(), "w");
      ASSERT_NE(f, nullptr);
      std::fclose(f);
    }
    ASSERT_EQ(chmod(path.c_str(), 0644), 0);
  }
  auto store = OpenRecordStore("sqlite:" + db_);
  ASSERT_TRUE(store.ok()) << store.status();
  ExpectOwnerOnly(db_);
  ExpectOwnerOnly(db_ + "-wal");
  ExpectOwnerOnly(db_ + "-shm");
}

TEST_F(SqliteFileModeTest, SecondStoreBesideTheFirstTightensLooseWalAndShm) {
  auto first = OpenRecordStore("sqlite:" + db_);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(chmod((db_ + "-wal").c_str(), 0644), 0);
  ASSERT_EQ(chmod((db_ + "-shm").c_str(), 0644), 0);
  auto second = OpenRecordStore("sqlite:" + db_);
  ASSERT_TRUE(second.ok()) << second.status();
  ExpectOwnerOnly(db_ + "-wal");
  ExpectOwnerOnly(db_ + "-shm");
  // Both still work (nothing dropped the first one's locks).
  EXPECT_TRUE((*first)->CurrentRevision().ok());
  EXPECT_TRUE((*second)->CurrentRevision().ok());
}

}  // namespace
}  // namespace missions::registry
