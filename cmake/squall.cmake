# Helpers shared by every component's CMakeLists.txt.

# squall_library(<name> SOURCES ... DEPS ...)
# A static library whose headers are included as "<component>/<header>.h" from src/.
function(squall_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

# `ninja squall_unit_tests` builds only the tests labelled unit (and what they need):
# the sanitizer builds in .ci/run build and run just these.
add_custom_target(squall_unit_tests)

# squall_test(<name> SOURCES ... DEPS ... [LABELS ...])
# A GoogleTest executable under build/tests/, registered with ctest test by test.
function(squall_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  target_compile_definitions(${name} PRIVATE
    SQUALL_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    SQUALL_BINARY_DIR="${CMAKE_BINARY_DIR}")
  if("unit" IN_LIST ARG_LABELS)
    add_dependencies(squall_unit_tests ${name})
  endif()
  include(GoogleTest)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS "${ARG_LABELS}")
endfunction()

# squall_app(<name> SOURCES ... DEPS ...)
# A user-facing binary placed directly in the build directory (build/<name>).
function(squall_app name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
endfunction()
