# Abseil compiled with -fPIC for the Node addon, from Debian's own source package of the installed
# libabsl-dev (scripts/abseil-source.sh fetches it at setup; nothing is downloaded here).
# Debian's libabsl_*.a cannot go into a shared object (local-exec TLS: R_X86_64_TPOFF32), and its
# libabsl_*.so would make the .node need the host's libstdc++.so. The headers are byte-identical
# to /usr/include/absl (the fetch script checks), so tether's code, compiled against the system
# headers, links against these libraries unchanged.
#
# tether_absl_pic(<out-var> COMPONENTS <name>...) builds only libabsl_<name>.a for each name
# (an ExternalProject under ${CMAKE_BINARY_DIR}/_deps/absl-pic, kept across rebuilds, with the
# project's ccache) and sets <out-var> to their paths. Each is a dependency of the target
# tether_absl_pic.

execute_process(
  COMMAND "${PROJECT_SOURCE_DIR}/scripts/abseil-source.sh" --dir
  OUTPUT_VARIABLE _tether_absl_default_src OUTPUT_STRIP_TRAILING_WHITESPACE
  RESULT_VARIABLE _tether_absl_result)
if(NOT _tether_absl_result EQUAL 0)
  message(FATAL_ERROR "scripts/abseil-source.sh --dir failed; run scripts/setup.sh")
endif()
set(TETHER_ABSL_PIC_SOURCE_DIR "" CACHE PATH
    "Abseil source tree for the Node addon (empty: the one scripts/abseil-source.sh unpacks)")
set(_tether_absl_src "${TETHER_ABSL_PIC_SOURCE_DIR}")
if(NOT _tether_absl_src)
  set(_tether_absl_src "${_tether_absl_default_src}")
endif()
if(NOT EXISTS "${_tether_absl_src}/absl/base/options.h")
  message(FATAL_ERROR "The Node addon needs Debian's abseil source at ${_tether_absl_src}: run "
                      "scripts/setup.sh (or configure with -DTETHER_BUILD_NODE=OFF)")
endif()
file(SHA256 "${_tether_absl_src}/absl/base/options.h" _tether_absl_options_src)
get_target_property(_tether_absl_include absl::base INTERFACE_INCLUDE_DIRECTORIES)
file(SHA256 "${_tether_absl_include}/absl/base/options.h" _tether_absl_options_sys)
if(NOT _tether_absl_options_src STREQUAL _tether_absl_options_sys)
  message(FATAL_ERROR "${_tether_absl_src}/absl/base/options.h differs from the installed Abseil "
                      "headers; run scripts/setup.sh")
endif()

function(tether_absl_pic out_var)
  cmake_parse_arguments(ARG "" "" "COMPONENTS" ${ARGN})
  set(src "${_tether_absl_src}")
  set(bin "${CMAKE_BINARY_DIR}/_deps/absl-pic")

  # Where each library lands in Abseil's build tree: absl_cc_library(NAME <name>) in
  # absl/<dir>/CMakeLists.txt builds <dir>/libabsl_<name>.a.
  file(GLOB_RECURSE lists "${src}/absl/*/CMakeLists.txt")
  foreach(list_file IN LISTS lists)
    file(READ "${list_file}" text)
    string(REGEX MATCHALL "absl_cc_library\\([ \t\r\n]*NAME[ \t\r\n]+[A-Za-z0-9_]+" defs "${text}")
    cmake_path(GET list_file PARENT_PATH dir)
    cmake_path(RELATIVE_PATH dir BASE_DIRECTORY "${src}")
    foreach(def IN LISTS defs)
      string(REGEX REPLACE ".*[ \t\r\n]" "" name "${def}")
      set(_dir_of_${name} "${dir}")
    endforeach()
  endforeach()

  set(targets "")
  set(archives "")
  foreach(name IN LISTS ARG_COMPONENTS)
    if(NOT DEFINED _dir_of_${name})
      message(FATAL_ERROR "Abseil ${src} has no library named ${name}")
    endif()
    list(APPEND targets "${name}")  # with ABSL_ENABLE_INSTALL, absl::<name> is target <name>
    list(APPEND archives "${bin}/${_dir_of_${name}}/libabsl_${name}.a")
  endforeach()

  set(launcher "")
  if(CMAKE_CXX_COMPILER_LAUNCHER)
    set(launcher "-DCMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER}")
  endif()
  cmake_host_system_information(RESULT jobs QUERY NUMBER_OF_LOGICAL_CORES)
  include(ExternalProject)
  # Debian's flags for its own build (debian/rules: C++17, no NDEBUG; hardened mode is in
  # options.h), plus PIC and per-function sections for the addon's --gc-sections.
  ExternalProject_Add(tether_absl_pic
    SOURCE_DIR "${src}"
    BINARY_DIR "${bin}"
    PREFIX "${CMAKE_BINARY_DIR}/_deps/absl-pic-ep"
    DOWNLOAD_COMMAND ""
    UPDATE_COMMAND ""
    PATCH_COMMAND ""
    CMAKE_ARGS
      -DCMAKE_BUILD_TYPE=None
      "-DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}"
      ${launcher}
      "-DCMAKE_CXX_FLAGS=-O2 -ffunction-sections -fdata-sections"
      -DCMAKE_CXX_STANDARD=17
      -DABSL_PROPAGATE_CXX_STD=ON
      -DCMAKE_POSITION_INDEPENDENT_CODE=ON
      -DBUILD_SHARED_LIBS=OFF
      -DABSL_ENABLE_INSTALL=ON
      -DBUILD_TESTING=OFF
      -DABSL_BUILD_TESTING=OFF
    BUILD_COMMAND "${CMAKE_COMMAND}" --build "${bin}" --parallel ${jobs} --target ${targets}
    BUILD_ALWAYS ON  # a no-op in Ninja when nothing changed; restat keeps the addon from relinking
    BUILD_BYPRODUCTS ${archives}
    INSTALL_COMMAND ""
    TEST_COMMAND ""
    LOG_CONFIGURE ON
    LOG_BUILD ON
    LOG_OUTPUT_ON_FAILURE ON)
  set(${out_var} "${archives}" PARENT_SCOPE)
endfunction()
