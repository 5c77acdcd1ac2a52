# Sanitizer and fuzzing builds. Flags go on every target (libraries included): a
# sanitizer or a fuzzer sees only the code compiled with it.
#   SQUALL_SANITIZE  ASan + UBSan; any undefined behaviour aborts (no recovery), so a test
#                    that hits it fails instead of printing and passing.
#   SQUALL_TSAN      ThreadSanitizer (not combinable with ASan).
#   SQUALL_FUZZ      clang only: SQUALL_SANITIZE plus libFuzzer's coverage instrumentation
#                    (fuzzer-no-link) everywhere; fuzz/ links the targets with libFuzzer.

if(SQUALL_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "SQUALL_FUZZ needs clang (libFuzzer): add -DCMAKE_CXX_COMPILER=clang++-14")
  endif()
  set(SQUALL_SANITIZE ON)
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

if(SQUALL_SANITIZE AND SQUALL_TSAN)
  message(FATAL_ERROR "SQUALL_TSAN cannot be combined with SQUALL_SANITIZE or SQUALL_FUZZ")
endif()

if(SQUALL_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined)
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    add_compile_options(-fsanitize-ignorelist=${CMAKE_CURRENT_LIST_DIR}/ubsan-ignorelist.txt)
  endif()
endif()

if(SQUALL_TSAN)
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()
