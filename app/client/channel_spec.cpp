#include "client/channel_spec.h"

#include <QCoreApplication>

namespace sb {

QString ChannelSpec::describe() const
{
    QStringList parts;
    if (!tls)
        parts << QCoreApplication::translate("ChannelSpec", "plaintext");
    else if (caPem.isEmpty())
        parts << QCoreApplication::translate("ChannelSpec", "TLS (system roots)");
    else
        parts << QCoreApplication::translate("ChannelSpec", "TLS (custom CA)");
    if (mutualTls())
        parts << QCoreApplication::translate("ChannelSpec", "client cert");
    if (!token.isEmpty())
        parts << QCoreApplication::translate("ChannelSpec", "token");
    if (!metadata.isEmpty())
        parts << QCoreApplication::translate("ChannelSpec", "%n header(s)", nullptr,
                                             int(metadata.size()));
    return parts.join(QStringLiteral(", "));
}

} // namespace sb
