# Install rules and the exported CMake package: after `cmake --install`, a consumer's
# `find_package(tether)` provides the tether::* targets.
include(CMakePackageConfigHelpers)

set(TETHER_EXPORTED_LIBRARIES
  tether_bare:bare
  tether_bare_json:bare_json
  tether_proto_runner_v7:proto_runner_v7
  tether_proto_runner_v7_json:proto_runner_v7_json
  tether_proto_hibernation:proto_hibernation
  tether_net:net
  tether_runner:runner)
set(exported_targets "")
foreach(entry IN LISTS TETHER_EXPORTED_LIBRARIES)
  string(REPLACE ":" ";" pair "${entry}")
  list(GET pair 0 target)
  list(GET pair 1 export_name)
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${export_name})
  list(APPEND exported_targets ${target})
endforeach()

install(TARGETS ${exported_targets} EXPORT tetherTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY proto/bare/include/ runner/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS tether counter-runner RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

set(config_dir ${CMAKE_INSTALL_LIBDIR}/cmake/tether)
install(EXPORT tetherTargets NAMESPACE tether:: DESTINATION ${config_dir})
configure_package_config_file(cmake/tetherConfig.cmake.in "${PROJECT_BINARY_DIR}/tetherConfig.cmake"
  INSTALL_DESTINATION ${config_dir})
write_basic_package_version_file("${PROJECT_BINARY_DIR}/tetherConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/tetherConfig.cmake" "${PROJECT_BINARY_DIR}/tetherConfigVersion.cmake"
  DESTINATION ${config_dir})
