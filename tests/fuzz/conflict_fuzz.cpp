// libFuzzer target: the `switchboard-conflict-bin` trailer a service sends
// with FAILED_PRECONDITION (convert::decodeConflict: protobuf parse, then the
// prompt, experiment, route or model it carries into core types). The bytes
// come from the service, so anything may arrive: nothing may crash, leak or
// hit undefined behaviour (timestamps included), and whatever decodes must
// decode the same way again.

#include "client/convert.h"
#include "fuzz_require.h"

#include <google/protobuf/stubs/logging.h>

using sb::fuzz::require;

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    // protobuf logs every string field that is not UTF-8: quiet, or the
    // fuzzer spends its time writing to stderr.
    google::protobuf::SetLogHandler(nullptr);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const auto info = sb::convert::decodeConflict(reinterpret_cast<const char *>(data), size);
    if (!info)
        return 0;
    const auto twice = sb::convert::decodeConflict(reinterpret_cast<const char *>(data), size);
    require(twice && twice->currentEtag == info->currentEtag &&
                twice->updatedMs == info->updatedMs &&
                twice->current.index() == info->current.index(),
            "decoding is deterministic");
    return 0;
}
