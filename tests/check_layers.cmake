# check_layers.cmake — the layering rule, checked on every source file: a file
# may include only headers of its own folder and of the folders listed for it
# below, which are exactly the edges the code has today (DESIGN.md §2: analytic
# <- topology/workloads <- sim/core <- sim/* models <- sim/cluster (jobs that
# share a cluster: the training and queueing models) <- sim/scenario <-
# sim/forms (the quick forms) <- cli; analytic/solvers (mlsysim's analytic
# commands over the registry) above topology; traces and proto below them;
# python binds sim/forms, analytic/solvers and sim/scenario, never cli). A new
# edge must be added here on purpose.
# Covers every library folder plus cli/, python/ and bench/. Run by ctest:
#   cmake -DSRC=<source dir> -P tests/check_layers.cmake
# (tests/check_layers_selftest.cmake checks that an injected back edge fails.)
set(allowed_analytic "")
set(allowed_traces "proto")
set(allowed_workloads "traces")
set(allowed_topology "analytic;traces;proto")
set(allowed_sim/core "workloads")
set(allowed_sim/network "sim/core;topology;traces;analytic;proto")
set(allowed_sim/training "sim/network;sim/core;topology;traces;analytic;workloads")
set(allowed_sim/serving "sim/network;sim/core;topology;analytic;workloads")
set(allowed_sim/queueing "sim/core;workloads")
set(allowed_sim/cluster "sim/training;sim/serving;sim/queueing;sim/core;topology;workloads")
set(allowed_sim/scenario "sim/cluster;sim/training;sim/serving;sim/queueing;sim/network;sim/core;topology;traces;analytic;workloads;proto")
set(allowed_analytic/solvers "topology;traces;analytic")
set(allowed_sim/forms "sim/scenario;topology;analytic;proto")
set(allowed_cli "sim/forms;analytic/solvers;sim/scenario;sim/network;topology;traces;analytic;proto")
set(allowed_python "sim/forms;analytic/solvers;sim/scenario;topology;traces;analytic")
set(allowed_bench "analytic/solvers;cli;sim/cluster;sim/training;sim/serving;sim/queueing;sim/network;sim/core;topology;traces;analytic;workloads;proto")
set(layers analytic traces workloads topology analytic/solvers sim/core sim/network sim/training
    sim/serving sim/queueing sim/cluster sim/scenario sim/forms cli python bench)
set(folders "analytic/solvers|analytic|sim/cluster|sim/forms|sim/core|sim/network|sim/training|sim/serving|sim/queueing|sim/scenario|workloads|topology|traces|proto|cli|python|bench|tests")
set(violations "")
set(checked 0)
foreach(layer IN LISTS layers)
  file(GLOB files "${SRC}/${layer}/*.h" "${SRC}/${layer}/*.cc")
  foreach(f IN LISTS files)
    math(EXPR checked "${checked} + 1")
    file(STRINGS "${f}" includes REGEX "^#include \"(${folders})/")
    foreach(line IN LISTS includes)
      string(REGEX REPLACE "^#include \"([^\"]+)\".*" "\\1" header "${line}")
      # The folder of the header: the longest listed folder it starts with.
      string(REGEX MATCH "^(${folders})/" dir "${header}")
      string(REGEX REPLACE "/$" "" dir "${dir}")
      if(dir STREQUAL "sim")
        string(REGEX MATCH "^sim/[a-z]+" dir "${header}")
      endif()
      if(dir STREQUAL layer)
        continue()
      endif()
      list(FIND allowed_${layer} "${dir}" ok)
      if(ok EQUAL -1)
        file(RELATIVE_PATH rel "${SRC}" "${f}")
        list(APPEND violations "${rel} (layer ${layer}) includes ${header}")
      endif()
    endforeach()
  endforeach()
endforeach()
if(violations)
  list(JOIN violations "\n  " text)
  message(FATAL_ERROR "layering violations (an include outside the allowed edges):\n  ${text}")
endif()
message(STATUS "layers: no back edges (${checked} files)")
