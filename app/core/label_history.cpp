#include "core/label_history.h"

#include <QRegularExpression>
#include <QSet>
#include <algorithm>

namespace sb {

namespace {

// "production -> 3", "production → v3", "production: 3", "v3", "3".
bool parseValue(const QString &text, QString *label, quint32 *version)
{
    static const QRegularExpression re(
        QStringLiteral("^\\s*(?:([a-z0-9-]+)\\s*(?:->|→|=|:)\\s*)?v?(\\d+)\\s*$"));
    const auto m = re.match(text);
    if (!m.hasMatch())
        return false;
    *label = m.captured(1);
    bool ok = false;
    *version = m.captured(2).toUInt(&ok);
    return ok && *version > 0;
}

} // namespace

std::optional<LabelMove> labelMoveFrom(const AuditEvent &e)
{
    if (e.action != QLatin1String("label.move") || !e.target.startsWith(QLatin1String("prompt/")))
        return std::nullopt;
    LabelMove m;
    m.prompt = e.target.mid(7);
    QString newLabel;
    if (!parseValue(e.newValue, &newLabel, &m.to) || newLabel.isEmpty())
        return std::nullopt;
    m.label = newLabel;
    if (!e.oldValue.trimmed().isEmpty()) {
        QString oldLabel;
        if (!parseValue(e.oldValue, &oldLabel, &m.from))
            return std::nullopt;
        if (!oldLabel.isEmpty() && oldLabel != m.label)
            return std::nullopt;
    }
    m.actor = e.actor;
    m.timeMs = e.timeMs;
    m.reason = e.reason;
    m.auditId = e.id;
    m.requestId = e.requestId;
    return m;
}

std::vector<LabelMove> labelMovesOf(const QString &prompt, const std::vector<AuditEvent> &events)
{
    std::vector<LabelMove> out;
    QSet<QString> seen;
    const QString target = QStringLiteral("prompt/") + prompt;
    for (const auto &e : events) {
        if (e.target != target)
            continue;
        if (!e.id.isEmpty() && seen.contains(e.id))
            continue;
        if (auto m = labelMoveFrom(e)) {
            seen.insert(e.id);
            out.push_back(*m);
        }
    }
    // Newest first; audit ids break ties between events of the same millisecond
    // ("audit-12" after "audit-9": compare by length, then text).
    std::stable_sort(out.begin(), out.end(), [](const LabelMove &a, const LabelMove &b) {
        if (a.timeMs != b.timeMs)
            return a.timeMs > b.timeMs;
        if (a.auditId.size() != b.auditId.size())
            return a.auditId.size() > b.auditId.size();
        return a.auditId > b.auditId;
    });
    return out;
}

std::optional<quint32> previousVersionOf(const std::vector<LabelMove> &moves, const QString &label,
                                         quint32 current)
{
    for (const auto &m : moves) {
        if (m.label != label)
            continue;
        // The newest move of this label must be the one that brought it here;
        // if it is not, the history is incomplete and we do not guess.
        if (m.to != current)
            return std::nullopt;
        if (m.from == 0 || m.from == current)
            return std::nullopt;
        return m.from;
    }
    return std::nullopt;
}

} // namespace sb
