# Warning and sanitizer flags shared by every target of the project (not by consumers).
add_library(tether_compile_options INTERFACE)
add_library(tether::compile_options ALIAS tether_compile_options)
target_compile_options(tether_compile_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough
  $<$<BOOL:${TETHER_WERROR}>:-Werror>)

if(TETHER_SANITIZE)
  set(TETHER_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_compile_options(tether_compile_options INTERFACE ${TETHER_SANITIZER_FLAGS})
  target_link_options(tether_compile_options INTERFACE ${TETHER_SANITIZER_FLAGS})
endif()

if(TETHER_FUZZ)
  # Coverage instrumentation everywhere; the fuzzer executables add -fsanitize=fuzzer to link.
  target_compile_options(tether_compile_options INTERFACE
    -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(tether_compile_options INTERFACE -fsanitize=address,undefined)
endif()

# Links tether_compile_options privately so the flags never leak into the exported targets.
function(tether_target_defaults target)
  target_link_libraries(${target} PRIVATE $<BUILD_INTERFACE:tether::compile_options>)
endfunction()
