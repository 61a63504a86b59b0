# tether_bare_library(<target> SCHEMA <file.bare> NAMESPACE <c++ ns> [NAME <stem>])
#
# Generates the C++ types, BARE codec and JSON mapping of a schema with bare_codegen at build time
# and compiles them into two static libraries: <target> (types + codec) and <target>_json (the
# JSON mapping, for tools and tests). Headers are included as "tether/proto/<stem>.h".
function(tether_bare_library target)
  cmake_parse_arguments(ARG "" "SCHEMA;NAMESPACE;NAME" "" ${ARGN})
  if(NOT ARG_NAME)
    get_filename_component(ARG_NAME "${ARG_SCHEMA}" NAME_WE)
  endif()
  get_filename_component(schema "${ARG_SCHEMA}" ABSOLUTE)
  set(out_dir "${PROJECT_BINARY_DIR}/generated")
  set(stem "${out_dir}/tether/proto/${ARG_NAME}")
  add_custom_command(
    OUTPUT "${stem}.h" "${stem}.cc" "${stem}_json.h" "${stem}_json.cc"
    COMMAND tether::bare_codegen --schema "${schema}" --out-dir "${out_dir}" --name "${ARG_NAME}"
            --namespace "${ARG_NAMESPACE}" --include-prefix tether/proto
    DEPENDS "${schema}" tether::bare_codegen
    COMMENT "Generating the C++ codec of ${ARG_NAME}.bare"
    VERBATIM)

  add_library(${target} STATIC "${stem}.cc" "${stem}.h")
  target_link_libraries(${target} PUBLIC tether_bare)
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${out_dir}> $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  tether_target_defaults(${target})

  add_library(${target}_json STATIC "${stem}_json.cc" "${stem}_json.h")
  target_link_libraries(${target}_json PUBLIC ${target} tether_bare_json)
  tether_target_defaults(${target}_json)

  install(FILES "${stem}.h" "${stem}_json.h" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/tether/proto")
endfunction()
