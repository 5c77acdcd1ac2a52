# Helpers shared by every component's CMakeLists.txt.

# squall_library(<name> SOURCES ... DEPS ...)
# A static library whose headers are included as "<component>/<header>.h" from src/.
function(squall_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  squall_defer_check_shipped(${name})
endfunction()

# `ninja squall_unit_tests` builds only the tests labelled unit (and what they need):
# the sanitizer builds in .ci/run build and run just these.
add_custom_target(squall_unit_tests)

# squall_test(<name> SOURCES ... DEPS ... [LABELS ...])
# A GoogleTest executable under build/tests/, registered with ctest test by test.
function(squall_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  # Test code runs once per test and is about half of what a full build compiles: -O1
  # (after the build type's -O2, so it wins) halves its compile time. The code under
  # test, in the libraries, keeps the build type's optimisation.
  if(CMAKE_BUILD_TYPE MATCHES "^(RelWithDebInfo|Release)$")
    target_compile_options(${name} PRIVATE -O1)
  endif()
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
  squall_defer_check_shipped(${name})
endfunction()

# squall_testing_library(<component> [OBJECT] SOURCES ... DEPS ...)
# The test scaffolding of a component: the generators, builders, fakes and shared test
# suites under src/<component>/testing/, as the library squall_<component>_testing.
# Headers are included as "<component>/testing/<header>.h". Tests and benchmarks link
# it; shipped libraries and apps never do (squall_check_shipped fails the configure).
# Without SOURCES it is header-only; OBJECT keeps GoogleTest cases that a static
# library would drop (a shared suite every backend's test binary instantiates).
function(squall_testing_library component)
  cmake_parse_arguments(ARG "OBJECT" "" "SOURCES;DEPS" ${ARGN})
  set(name squall_${component}_testing)
  if(NOT ARG_SOURCES)
    add_library(${name} INTERFACE)
    target_include_directories(${name} INTERFACE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(${name} INTERFACE ${ARG_DEPS})
    return()
  endif()
  if(ARG_OBJECT)
    add_library(${name} OBJECT ${ARG_SOURCES})
  else()
    add_library(${name} STATIC ${ARG_SOURCES})
  endif()
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

# Runs squall_check_shipped(<target>) once every component is defined: dependencies may
# be declared later. (A deferred call expands its arguments when it runs, hence EVAL.)
macro(squall_defer_check_shipped target)
  cmake_language(EVAL CODE "cmake_language(DEFER DIRECTORY [[${PROJECT_SOURCE_DIR}]] CALL squall_check_shipped [[${target}]])")
endmacro()

# squall_check_shipped(<target>)
# Fails the configure when <target> links, directly or through its libraries, any
# squall_*_testing library: test scaffolding must not ship in a user-facing binary.
function(squall_check_shipped target)
  set(pending ${target})
  set(seen "")
  while(pending)
    list(POP_FRONT pending current)
    # A static library lists its private dependencies as $<LINK_ONLY:name>.
    string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" current "${current}")
    # Only Squall's own targets can reach test scaffolding; third-party ones are skipped.
    if(current IN_LIST seen OR NOT current MATCHES "^squall" OR NOT TARGET ${current})
      continue()
    endif()
    list(APPEND seen ${current})
    if(current MATCHES "^squall_.*_testing$")
      message(FATAL_ERROR "${target} links the test scaffolding ${current}; only tests and benchmarks may")
    endif()
    get_target_property(type ${current} TYPE)
    set(deps "")
    if(NOT type STREQUAL "INTERFACE_LIBRARY")
      get_target_property(direct ${current} LINK_LIBRARIES)
      if(direct)
        list(APPEND deps ${direct})
      endif()
    endif()
    get_target_property(iface ${current} INTERFACE_LINK_LIBRARIES)
    if(iface)
      list(APPEND deps ${iface})
    endif()
    list(APPEND pending ${deps})
  endwhile()
endfunction()
