# Warning and sanitizer flags applied to every meabridge target (not to third-party code).
set(MEABRIDGE_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Wunused -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough
    -Wformat=2)
if(MEABRIDGE_WERROR)
  list(APPEND MEABRIDGE_WARNINGS -Werror)
endif()
# GCC 12's flow analysis reports -Wmaybe-uninitialized (inside <regex>) and -Wrestrict (inside
# <string>) false positives when the code is instrumented or inlined aggressively; the
# sanitizer and Release builds keep them as warnings, the warnings-as-errors build (-O2) is
# clean of them.
if(MEABRIDGE_SANITIZE AND MEABRIDGE_TSAN)
  message(FATAL_ERROR "MEABRIDGE_SANITIZE (ASan) and MEABRIDGE_TSAN cannot be combined: build them apart")
endif()
if((MEABRIDGE_SANITIZE OR MEABRIDGE_TSAN) AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  list(APPEND MEABRIDGE_WARNINGS -Wno-error=maybe-uninitialized -Wno-error=restrict)
endif()

function(meabridge_target_options target)
  target_compile_options(${target} PRIVATE ${MEABRIDGE_WARNINGS})
  if(MEABRIDGE_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
                                             -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
  if(MEABRIDGE_TSAN)
    target_compile_options(${target} PRIVATE -fsanitize=thread -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=thread)
  endif()
endfunction()
