// readme_test.cc — docs that run: every `mlsysim` command shown in README.md
// (shell code blocks, backslash continuations joined, `build/mlsysim`
// replaced by the binary under test) is executed from the source directory
// and must exit 0 (report commands only where the Python package is built).
// The Quick-start lines are what CI itself runs.
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"

namespace mlsysim {
namespace {

std::vector<std::string> ReadmeCommands() {
  std::ifstream in(std::string(MLSYSIM_SOURCE_DIR) + "/README.md");
  std::vector<std::string> commands;
  std::string line, pending;
  bool in_shell = false;
  while (std::getline(in, line)) {
    if (absl::StartsWith(line, "```")) {
      in_shell = !in_shell && (line == "```sh" || line == "```bash");
      pending.clear();
      continue;
    }
    if (!in_shell) continue;
    if (!pending.empty()) {
      pending += " " + line;
    } else if (absl::StrContains(line, "build/mlsysim") && !absl::StartsWith(line, ".ci/")) {
      pending = line;
    } else {
      continue;
    }
    if (!pending.empty() && pending.back() == '\\') {
      pending.pop_back();
      continue;
    }
    // Drop a trailing comment.
    const size_t hash = pending.find("   #");
    if (hash != std::string::npos) pending = pending.substr(0, hash);
    commands.push_back(pending);
    pending.clear();
  }
  return commands;
}

TEST(ReadmeTest, EveryCommandRuns) {
  const std::vector<std::string> commands = ReadmeCommands();
  ASSERT_GE(commands.size(), 9u) << "the README's commands were not found";
  const std::string scratch = ::testing::TempDir() + "/readme_scratch";
  for (const std::string& c : commands) {
    // Reports need the Python package; a build without it checks the rest.
    if (!MLSYSIM_HAVE_REPORTS &&
        (absl::StrContains(c, "--report") || absl::StrContains(c, "mlsysim report")))
      continue;
    const std::string run =
        absl::StrReplaceAll(c, {{"build/mlsysim", MLSYSIM_BINARY}, {"/tmp/", scratch + "_"}});
    const std::string shell =
        absl::StrCat("cd '", MLSYSIM_SOURCE_DIR, "' && ", run, " > /dev/null 2> /dev/null");
    EXPECT_EQ(std::system(shell.c_str()), 0) << c;
  }
}

}  // namespace
}  // namespace mlsysim
