// libFuzzer target: the label-history parser (core/label_history.h), which
// reads what a service's audit log says a label move was (values meant for
// humans). Input: audit events, one a line, fields separated by tabs: id,
// time, actor, action, target, old value, new value, reason. Nothing may
// crash, leak or hit undefined behaviour; the moves are the prompt's, newest
// first, without a repeated audit id, each to a real version; a rollback
// target is never the version the label is at.

#include "core/label_history.h"
#include "fuzz_require.h"

#include <QByteArrayList>
#include <QSet>

using sb::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayList lines =
        QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size)).split('\n');
    std::vector<sb::AuditEvent> events;
    for (const QByteArray &line : lines) {
        const QByteArrayList f = line.split('\t');
        auto field = [&](int i) { return QString::fromUtf8(f.value(i)); };
        sb::AuditEvent e;
        e.id = field(0);
        e.timeMs = f.value(1).toLongLong();
        e.actor = field(2);
        e.action = field(3).isEmpty() ? QStringLiteral("label.move") : field(3);
        e.target = field(4).isEmpty() ? QStringLiteral("prompt/p") : field(4);
        e.oldValue = field(5);
        e.newValue = field(6);
        e.reason = field(7);
        events.push_back(e);
    }
    const std::vector<sb::LabelMove> moves = sb::labelMovesOf(QStringLiteral("p"), events);
    QSet<QString> ids;
    for (std::size_t i = 0; i < moves.size(); ++i) {
        const sb::LabelMove &m = moves[i];
        require(m.prompt == QLatin1String("p"), "only the prompt's moves");
        require(m.to > 0 && !m.label.isEmpty(), "a move names its label and a version");
        require(i == 0 || moves[i - 1].timeMs >= m.timeMs, "newest first");
        require(m.auditId.isEmpty() || !ids.contains(m.auditId), "no audit id twice");
        ids.insert(m.auditId);
        const std::optional<quint32> back = sb::previousVersionOf(moves, m.label, m.to);
        require(!back || *back != m.to, "a rollback moves the label");
    }
    return 0;
}
