// main.cc — the `mlsysim` binary: hands the command line to RunMlsysim.
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  std::vector<std::string> args(argv, argv + argc);
  return mlsysim::RunMlsysim(args, std::cout, std::cerr);
}
