// atomic_file_test.cc — output files: a symlink at the path is followed (the
// link survives), a failed write keeps the old file, and a process killed by
// SIGTERM while writing leaves no temporary file behind.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "traces/atomic_file.h"

namespace mlsysim {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(AtomicFileTest, FollowsSymlinks) {
  const std::string dir = ::testing::TempDir();
  const std::string target = dir + "/af_target.txt", link = dir + "/af_link.txt";
  std::remove(link.c_str());
  std::ofstream(target) << "old";
  ASSERT_EQ(symlink(target.c_str(), link.c_str()), 0);
  AtomicFile f(link);
  f.stream() << "new";
  ASSERT_TRUE(f.Commit().ok());
  struct stat st;
  ASSERT_EQ(lstat(link.c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode)) << "the link was replaced by a regular file";
  EXPECT_EQ(Slurp(target), "new");
}

TEST(AtomicFileTest, AFailedWriteKeepsTheOldFile) {
  const std::string path = ::testing::TempDir() + "/af_missing_dir/out.txt";
  AtomicFile f(path);
  f.stream() << "x";
  const absl::Status s = f.Commit();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find("out.txt"), std::string::npos) << s;
}

TEST(AtomicFileTest, SigtermRemovesTheTemporaryFile) {
  const std::string path = ::testing::TempDir() + "/af_killed.txt";
  std::remove(path.c_str());
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    AtomicFile f(path);
    f.stream() << "partial";
    f.stream().flush();
    raise(SIGTERM);  // killed mid-write
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status));
  const std::string temp = path + ".tmp." + std::to_string(child);
  struct stat st;
  EXPECT_NE(stat(temp.c_str(), &st), 0) << "left behind: " << temp;
  EXPECT_NE(stat(path.c_str(), &st), 0) << "a half-written output appeared";
}

}  // namespace
}  // namespace mlsysim
