// report_command.cc — HTML reports: `mlsysim report RESULT.json -o FILE.html`
// and `--report FILE.html` on simulate, eval, serve and sweep. The figures
// are drawn by the Python package (python/mlsysim/report.py, matplotlib); this
// file hands it the result and says which package is missing when it cannot
// run. The simulation itself never needs Python.
#include "cli/report.h"

#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "traces/json_writer.h"

extern char** environ;

namespace mlsysim {
namespace {

#ifndef MLSYSIM_REPORT_PYTHON
#define MLSYSIM_REPORT_PYTHON "python3"
#endif
#ifndef MLSYSIM_REPORT_PYTHONPATH
#define MLSYSIM_REPORT_PYTHONPATH ""
#endif

// Imports the report module, naming the package (and the Debian package) that is missing.
constexpr const char kBootstrap[] = R"PY(import sys
try:
    from mlsysim import report
except ImportError as e:
    name = (e.name or str(e)).split(".")[0]
    hints = {"matplotlib": "Debian package python3-matplotlib", "pint": "Debian package python3-pint",
             "numpy": "Debian package python3-numpy",
             "mlsysim": "the mlsysim Python package: build with -DMLSYSIM_PYTHON=ON (Debian pybind11-dev, "
                        "python3-dev; .ci/install-deps) or cmake --install, or set PYTHONPATH"}
    sys.stderr.write("error: report: the Python package '%s' is missing (%s)\n" % (name, hints.get(name, "install it")))
    sys.exit(1)
sys.exit(report.main(sys.argv[1:]))
)PY";

// Runs the report module on `input` (a file) writing `html`; its stderr goes to `err`.
int RunPythonReport(const std::string& input, const std::string& html, std::ostream& err) {
  const char* env_python = std::getenv("MLSYSIM_PYTHON");
  const std::string python =
      env_python != nullptr && *env_python != '\0' ? env_python : MLSYSIM_REPORT_PYTHON;
  std::vector<std::string> env_strings;
  std::string path = MLSYSIM_REPORT_PYTHONPATH;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "PYTHONPATH=", 11) == 0) {
      const std::string user = *e + 11;
      if (!user.empty()) path = path.empty() ? user : absl::StrCat(user, ":", path);
    } else {
      env_strings.push_back(*e);
    }
  }
  env_strings.push_back(absl::StrCat("PYTHONPATH=", path));
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_strings = {python, "-c", kBootstrap, input, "-o", html};
  std::vector<char*> argv;
  for (std::string& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) {
    err << "error: report: cannot create a pipe: " << std::strerror(errno) << "\n";
    return kExitBadInput;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[1]);
  pid_t pid = 0;
  const int spawned =
      posix_spawnp(&pid, python.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  if (spawned != 0) {
    close(pipe_fds[0]);
    err << "error: report: cannot run " << python << " (" << std::strerror(spawned)
        << "): reports need Python 3 with matplotlib (Debian packages python3, "
           "python3-matplotlib); "
           "MLSYSIM_PYTHON names another interpreter\n";
    return kExitBadInput;
  }
  char buf[4096];
  for (;;) {
    const ssize_t n = read(pipe_fds[0], buf, sizeof buf);
    if (n > 0) {
      err.write(buf, n);
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  close(pipe_fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status) == 0 ? kExitOk : kExitBadInput;
  err << "error: report: " << python << " ended by signal "
      << (WIFSIGNALED(status) ? WTERMSIG(status) : 0) << "\n";
  return kExitBadInput;
}

}  // namespace

std::string CheckReportPath(const std::string& path) {
  if (path.empty()) return "--report needs a FILE.html";
  struct stat st;
  if (stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return absl::StrCat("--report: '", path,
                        "' is a directory; give a file name (e.g. report.html)");
  }
  const size_t slash = path.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return absl::StrCat("--report: the directory '", dir, "' of '", path, "' does not exist");
  }
  if (access(dir.c_str(), W_OK) != 0) return absl::StrCat("--report: cannot write in '", dir, "'");
  return "";
}

int WriteHtmlReport(const CommandContext& ctx, const std::string& command, const CommandArgs& args,
                    const std::string& text, const std::string& result_json,
                    const std::string& html_path) {
  // The payload: which command, its arguments, its text output and its JSON result.
  std::string payload = "{\"mlsysim_report\": 1, \"command\": ";
  AppendJsonString(payload, command);
  payload += ", \"args\": [";
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) payload += ", ";
    AppendJsonString(payload, args[i]);
  }
  payload += "], \"text\": ";
  AppendJsonString(payload, text);
  payload += ", \"result\": ";
  payload += result_json.empty() ? "null" : result_json;
  payload += "}\n";
  const char* tmpdir = std::getenv("TMPDIR");
  std::string tmpl = absl::StrCat(tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp",
                                  "/mlsysim-report-XXXXXX");
  const int fd = mkstemp(tmpl.data());
  if (fd < 0) {
    *ctx.err << "error: report: cannot create a temporary file in " << tmpl << ": "
             << std::strerror(errno) << "\n";
    return kExitBadInput;
  }
  bool written = true;
  for (size_t off = 0; off < payload.size() && written;) {
    const ssize_t n = write(fd, payload.data() + off, payload.size() - off);
    if (n > 0)
      off += static_cast<size_t>(n);
    else
      written = errno == EINTR;
  }
  close(fd);
  int rc = kExitBadInput;
  if (written) {
    rc = RunPythonReport(tmpl, html_path, *ctx.err);
  } else {
    *ctx.err << "error: report: cannot write " << tmpl << "\n";
  }
  std::remove(tmpl.c_str());
  if (rc == kExitOk && !ctx.quiet) *ctx.err << "wrote " << html_path << " (report)\n";
  return rc;
}

int RunReport(const CommandContext& ctx, const CommandArgs& args) {
  static const char kUsage[] =
      "usage: mlsysim report RESULT.json -o REPORT.html\n"
      "  A self-contained HTML report (tables and figures; opens offline) of a saved result:\n"
      "  `mlsysim -o json simulate ...`, `eval ... -o json`, `serve ... -o json` or a sweep's "
      "--jsonl rows.\n"
      "  Needs the mlsysim Python package and matplotlib (Debian python3-matplotlib).\n";
  std::string input, html;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      *ctx.out << kUsage;
      return kExitOk;
    }
    if ((args[i] == "-o" || args[i] == "--output") && i + 1 < args.size()) {
      html = args[++i];
    } else if (!args[i].empty() && args[i][0] == '-') {
      *ctx.err << "error: report: unknown option '" << args[i]
               << "'; accepted: -o/--output FILE.html\n"
               << kUsage;
      return kExitBadInput;
    } else if (input.empty()) {
      input = args[i];
    } else {
      *ctx.err << "error: report: one RESULT.json at a time; got '" << input << "' and '" << args[i]
               << "'\n";
      return kExitBadInput;
    }
  }
  if (input.empty() || html.empty()) {
    *ctx.err << "error: report: needs RESULT.json and -o REPORT.html\n" << kUsage;
    return kExitBadInput;
  }
  struct stat st;
  if (stat(input.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    *ctx.err << "error: report: RESULT.json: '" << input << "' is not a readable regular file\n";
    return kExitBadInput;
  }
  if (const std::string e = CheckReportPath(html); !e.empty()) {
    *ctx.err << "error: report: -o: " << e.substr(e.find(':') + 2) << "\n";
    return kExitBadInput;
  }
  const int rc = RunPythonReport(input, html, *ctx.err);
  if (rc == kExitOk && !ctx.quiet) *ctx.err << "wrote " << html << " (report)\n";
  return rc;
}

}  // namespace mlsysim
