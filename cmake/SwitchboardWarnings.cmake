# Strict warnings on our own targets only (generated protobuf code is exempt).
# -Wmissing-field-initializers is off because g++ 12 also fires it for C++20
# designated initializers, where leaving a field out is the point (Change{...}).
function(sb_strict target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -Wno-error=deprecated-declarations
    -Wno-missing-field-initializers)
endfunction()
