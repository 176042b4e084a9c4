#include "ui/latency/exemplar_list.h"

#include "ui/common/format.h"

#include <QDateTime>
#include <QDesktopServices>
#include <QHeaderView>
#include <QLabel>
#include <QTreeWidget>
#include <QUrl>
#include <QVBoxLayout>

namespace sb {

namespace {
constexpr int kUrlRole = Qt::UserRole;

QString ms(double v)
{
    return v >= 1000 ? QStringLiteral("%1 s").arg(v / 1000.0, 0, 'f', 2)
                     : QStringLiteral("%1 ms").arg(v, 0, 'f', v < 10 ? 1 : 0);
}
} // namespace

ExemplarList::ExemplarList(QWidget *parent)
    : QWidget(parent), m_title(new QLabel(this)), m_list(new QTreeWidget(this))
{
    setObjectName(QStringLiteral("exemplars"));
    m_title->setWordWrap(true);
    m_list->setColumnCount(4);
    m_list->setHeaderLabels({tr("Time"), tr("Latency"), tr("Trace"), tr("Link")});
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->addWidget(m_title);
    layout->addWidget(m_list, 1);
    connect(m_list, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) {
        const QString url = item->data(3, kUrlRole).toString();
        if (url.isEmpty())
            return;
        emit linkActivated(url);
        QDesktopServices::openUrl(QUrl(url));
    });
}

QString ExemplarList::title() const
{
    return m_title->text();
}

void ExemplarList::show(const QString &series, qint64 fromMs, qint64 toMs, double p99Ms,
                        const std::vector<Exemplar> &exemplars, const QString &note,
                        const QString &urlTemplate)
{
    const auto hms = [](qint64 t) {
        return QDateTime::fromMSecsSinceEpoch(t).toString(QStringLiteral("HH:mm:ss"));
    };
    // A minute names both ends: an exemplar stamped at its last instant
    // (a Prometheus step covers (from, to]) reads as inside it.
    const QString span = toMs - fromMs >= 60'000 ? tr("%1–%2").arg(hms(fromMs), hms(toMs))
                                                 : tr("the second %1").arg(hms(fromMs));
    QString text = tr("Slow requests behind p99 %1 of %2 in %3: %n exemplar(s)", nullptr,
                      int(exemplars.size()))
                       .arg(ms(p99Ms), series, span);
    if (!note.isEmpty())
        text += QStringLiteral(" — ") + note;
    if (!exemplars.empty())
        text += urlTemplate.isEmpty() ? tr(" · set --trace-url to open traces")
                                      : tr(" · double-click opens the trace");
    m_title->setText(text);
    m_list->clear();
    for (const auto &e : exemplars) {
        auto *item = new QTreeWidgetItem(QStringList{
            QDateTime::fromMSecsSinceEpoch(e.timeMs).toString(QStringLiteral("HH:mm:ss.zzz")),
            ms(e.valueMs), e.traceId, QString()});
        const QString url = traceLink(urlTemplate, e.traceId);
        if (!url.isEmpty()) {
            item->setText(3, url);
            item->setData(3, kUrlRole, url);
            item->setToolTip(3, tr("Double-click to open"));
        }
        m_list->addTopLevelItem(item);
    }
    setVisible(true);
}

} // namespace sb
