# Warning and sanitizer flags applied to every meabridge target (not to third-party code).
set(MEABRIDGE_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Wunused -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough
    -Wformat=2)
if(MEABRIDGE_WERROR)
  list(APPEND MEABRIDGE_WARNINGS -Werror)
endif()

function(meabridge_target_options target)
  target_compile_options(${target} PRIVATE ${MEABRIDGE_WARNINGS})
  if(MEABRIDGE_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
                                             -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()
