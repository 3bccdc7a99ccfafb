# cmake -DTG_SETTINGS=<file> -DTG_MODE=package|subproject [-DTG_CONFIG=<cfg>] -P package_test.cmake
#
# TG_MODE=package    : cmake --install the tropigrad build tree into a fresh
#                      prefix, then build tests/consumer with
#                      find_package(tropigrad CONFIG REQUIRED) against it.
# TG_MODE=subproject : build tests/consumer with add_subdirectory(<tropigrad source>).
# In both cases the consumer executable is run; any failure is FATAL_ERROR.
cmake_minimum_required(VERSION 3.21)

if(NOT TG_SETTINGS OR NOT EXISTS "${TG_SETTINGS}")
  message(FATAL_ERROR "package_test: pass -DTG_SETTINGS=<package_test_settings.cmake>")
endif()
include("${TG_SETTINGS}")
if(NOT TG_MODE)
  set(TG_MODE package)
endif()
if(NOT TG_CONFIG)
  set(TG_CONFIG Release)
endif()

function(run_step what)
  execute_process(COMMAND ${ARGN}
                  RESULT_VARIABLE rc
                  OUTPUT_VARIABLE out
                  ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    list(JOIN ARGN " " cmdline)
    message(FATAL_ERROR "package_test [${TG_MODE}]: ${what} failed (exit ${rc})\n"
                        "command: ${cmdline}\n${out}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

set(work "${TG_WORK_DIR}/${TG_MODE}")
set(prefix "${work}/prefix")
set(consumer_build "${work}/consumer-build")
file(REMOVE_RECURSE "${work}")
file(MAKE_DIRECTORY "${work}")

set(consumer_args
  -S "${TG_SOURCE_DIR}/tests/consumer"
  -B "${consumer_build}"
  -G "${TG_GENERATOR}"
  "-DCMAKE_BUILD_TYPE=${TG_CONFIG}"
  "-DCMAKE_CXX_COMPILER=${TG_CXX_COMPILER}"
  "-DCMAKE_CXX_FLAGS=${TG_CXX_FLAGS}"
  "-DCMAKE_EXE_LINKER_FLAGS=${TG_EXE_LINKER_FLAGS}")
if(TG_MAKE_PROGRAM)
  list(APPEND consumer_args "-DCMAKE_MAKE_PROGRAM=${TG_MAKE_PROGRAM}")
endif()

if(TG_MODE STREQUAL "package")
  run_step("install" "${CMAKE_COMMAND}" --install "${TG_BUILD_DIR}"
           --config "${TG_CONFIG}" --prefix "${prefix}")
  foreach(f IN ITEMS lib/cmake/tropigrad/tropigradConfig.cmake
                     lib/cmake/tropigrad/tropigradConfigVersion.cmake
                     lib/cmake/tropigrad/tropigradTargets.cmake
                     include/tropigrad/tropigrad.hpp)
    if(NOT EXISTS "${prefix}/${f}")
      message(FATAL_ERROR "package_test: the install did not produce ${prefix}/${f}")
    endif()
  endforeach()
  # The installed prefix goes first; the build's own prefix path (if any) is
  # kept so dependencies such as Eigen are still found.
  set(search_path "${prefix}")
  if(TG_PREFIX_PATH)
    list(APPEND search_path ${TG_PREFIX_PATH})
  endif()
  string(REPLACE ";" "\\;" search_path "${search_path}")
  list(APPEND consumer_args "-DCMAKE_PREFIX_PATH=${search_path}")
elseif(TG_MODE STREQUAL "subproject")
  list(APPEND consumer_args "-DTROPIGRAD_SOURCE_DIR=${TG_SOURCE_DIR}")
  if(TG_PREFIX_PATH)
    string(REPLACE ";" "\\;" search_path "${TG_PREFIX_PATH}")
    list(APPEND consumer_args "-DCMAKE_PREFIX_PATH=${search_path}")
  endif()
else()
  message(FATAL_ERROR "package_test: unknown TG_MODE '${TG_MODE}' (package or subproject)")
endif()

run_step("configure of tests/consumer" "${CMAKE_COMMAND}" ${consumer_args})

if(TG_MODE STREQUAL "package")
  # Make sure the consumer found the freshly installed copy, not another one.
  file(STRINGS "${consumer_build}/CMakeCache.txt" found_dir REGEX "^tropigrad_DIR:")
  string(REGEX REPLACE "^tropigrad_DIR:[A-Z]+=" "" found_dir "${found_dir}")
  file(REAL_PATH "${found_dir}" found_dir)
  file(REAL_PATH "${prefix}" real_prefix)
  string(FIND "${found_dir}" "${real_prefix}/" at)
  if(NOT at EQUAL 0)
    message(FATAL_ERROR "package_test: consumer used tropigrad from '${found_dir}', "
                        "expected the install in '${real_prefix}'")
  endif()
endif()

run_step("build of tests/consumer" "${CMAKE_COMMAND}" --build "${consumer_build}" --config "${TG_CONFIG}")

set(exe "${consumer_build}/bin/tropigrad_consumer${CMAKE_EXECUTABLE_SUFFIX}")
if(NOT EXISTS "${exe}")
  message(FATAL_ERROR "package_test: the consumer build did not produce ${exe}")
endif()
run_step("run of the consumer" "${exe}")
message(STATUS "package_test [${TG_MODE}]: OK\n${step_output}")
