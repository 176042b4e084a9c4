#pragma once

// A connection profile for tests: a name, an endpoint, an environment.

#include "client/connection_profile.h"

namespace sb::test {

inline ConnectionProfile profile(const QString &name, const QString &endpoint,
                                 Environment env = Environment::Dev)
{
    ConnectionProfile p;
    p.name = name;
    p.endpoint = endpoint;
    p.environment = env;
    return p;
}

} // namespace sb::test
