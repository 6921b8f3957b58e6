// main.cc — the `mlsysim` binary: hands the command line to RunMlsysim.
#include <iostream>
#include <new>
#include <string>
#include <vector>

#include "cli/commands.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  std::vector<std::string> args(argv, argv + argc);
  try {
    return mlsysim::RunMlsysim(args, std::cout, std::cerr);
  } catch (const std::bad_alloc&) {
    // An input asked for more memory than the machine has (every size has a
    // documented limit; this is the last line of defence): bad input, exit 1.
    std::cerr << "error: out of memory: the input asks for more memory than this machine has; "
                 "reduce the sizes (requests, ranks, replications)\n";
    return 1;
  }
}
