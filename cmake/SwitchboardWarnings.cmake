# Strict warnings on our own targets only (generated protobuf code is exempt).
# -Wmissing-field-initializers is off because g++ 12 also fires it for C++20
# designated initializers, where leaving a field out is the point (Change{...}).
# Warnings are errors with g++ (the default build, which gates every change);
# the sanitizer build's clang shows its own warnings without failing on them.
function(sb_strict target)
  target_compile_options(${target} PRIVATE -Wall -Wextra $<$<CXX_COMPILER_ID:GNU>:-Werror>
    -Wno-error=deprecated-declarations -Wno-missing-field-initializers)
endfunction()

# Generated protobuf and gRPC code in the sanitizer build (preset asan): it is
# protoc's, not ours, so it is compiled without ASan, UBSan and the fuzzers'
# coverage (our code that calls it stays instrumented; libprotobuf itself never
# is). It was a fifth of that build's compile time.
function(sb_generated target)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND CMAKE_CXX_FLAGS MATCHES "-fsanitize=")
    target_compile_options(${target} PRIVATE -fno-sanitize=all)
  endif()
endfunction()
