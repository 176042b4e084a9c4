#pragma once

// Environment: what kind of service a connection reaches. A production
// connection is unmistakable on every page.

#include <QString>

namespace sb {

enum class Environment
{
    Dev,
    Staging,
    Prod
};
QString toString(Environment e);
// "dev", "staging", "prod" (also "production"); false for anything else.
bool parseEnvironment(const QString &text, Environment *out);

} // namespace sb
