# check_layers_selftest.cmake — the layer check fails on a back edge injected
# into cli/, python/ and bench/ (and passes on the same tree without it);
# Python's module may not include the CLI, nor the forms and solver libraries
# anything above them.
# Run by ctest: cmake -DCHECK=<check_layers.cmake> -DWORK=<scratch dir> -P this
set(cases "cli/bad.cc|python/module.h" "python/bad.cc|bench/chakra_bench.h" "bench/bad.cc|tests/cli_runner.h"
          "sim/core/bad.cc|sim/scenario/runners.h" "workloads/bad.cc|sim/core/random.h"
          "python/bad.cc|cli/commands.h" "sim/forms/bad.cc|cli/simulate_common.h"
          "analytic/solvers/bad.cc|sim/scenario/runners.h")
foreach(case IN LISTS cases)
  string(REPLACE "|" ";" parts "${case}")
  list(GET parts 0 file)
  list(GET parts 1 header)
  file(REMOVE_RECURSE "${WORK}")
  get_filename_component(dir "${WORK}/${file}" DIRECTORY)
  file(MAKE_DIRECTORY "${dir}")
  file(WRITE "${WORK}/${file}" "// fine\n#include <vector>\n")
  execute_process(COMMAND ${CMAKE_COMMAND} -DSRC=${WORK} -P ${CHECK} RESULT_VARIABLE clean OUTPUT_QUIET ERROR_QUIET)
  if(NOT clean EQUAL 0)
    message(FATAL_ERROR "the check refused a clean ${file}")
  endif()
  file(APPEND "${WORK}/${file}" "#include \"${header}\"\n")
  execute_process(COMMAND ${CMAKE_COMMAND} -DSRC=${WORK} -P ${CHECK} RESULT_VARIABLE rc OUTPUT_QUIET
                  ERROR_VARIABLE err)
  if(rc EQUAL 0)
    message(FATAL_ERROR "the check accepted ${file} including ${header}")
  endif()
  if(NOT err MATCHES "${file} \\(layer [a-z/]+\\) includes ${header}")
    message(FATAL_ERROR "the check's message does not name ${file} and ${header}:\n${err}")
  endif()
endforeach()
file(REMOVE_RECURSE "${WORK}")
message(STATUS "layer check: every injected back edge refused")
