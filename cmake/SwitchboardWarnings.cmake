# Strict warnings on our own targets only (generated protobuf code is exempt).
function(sb_strict target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -Wno-error=deprecated-declarations)
endfunction()
