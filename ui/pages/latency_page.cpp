#include "ui/pages/latency_page.h"

#include "client/latency_stream.h"
#include "ui/session.h"
#include "ui/widgets/latency_chart.h"
#include "ui/widgets/stale_banner.h"

#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace sb {

static QLabel *makeTile(QWidget *parent, const QString &objectName)
{
    auto *l = new QLabel(parent);
    l->setObjectName(objectName);
    l->setTextFormat(Qt::RichText);
    l->setMinimumWidth(140);
    l->setStyleSheet(QStringLiteral(
        "QLabel { background: palette(base); border: 1px solid palette(mid); border-radius: 4px;"
        " padding: 6px 10px; }"));
    return l;
}

LatencyPage::LatencyPage(Session *session, QWidget *parent)
    : QWidget(parent), m_session(session), m_route(new QComboBox(this)),
      m_window(new QComboBox(this)), m_chart(new LatencyChart(this)),
      m_banner(new StaleBanner(this)), m_throughput(makeTile(this, QStringLiteral("throughput"))),
      m_errors(makeTile(this, QStringLiteral("errorRate"))),
      m_fallbacks(makeTile(this, QStringLiteral("fallbackRate"))),
      m_ttft(makeTile(this, QStringLiteral("ttft")))
{
    m_route->setObjectName(QStringLiteral("routeSelector"));
    m_route->setMinimumWidth(160);
    m_window->addItem(tr("Last 5 minutes"), 300);
    m_window->addItem(tr("Last 15 minutes"), 900);
    m_window->addItem(tr("Last hour"), 3600);
    m_window->setCurrentIndex(0);
    m_chart->setWindowSeconds(300);

    auto *controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Route:"), this));
    controls->addWidget(m_route);
    controls->addSpacing(12);
    controls->addWidget(m_window);
    controls->addStretch();

    auto *tiles = new QHBoxLayout;
    for (auto *t : {m_throughput, m_errors, m_fallbacks, m_ttft})
        tiles->addWidget(t);
    tiles->addStretch();

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_banner);
    layout->addLayout(controls);
    layout->addLayout(tiles);
    layout->addWidget(m_chart, 1);

    connect(m_session->latency(), &LatencyHistory::changed, this, &LatencyPage::onSeriesChanged);
    connect(m_route, &QComboBox::activated, this, [this](int) { m_userChoseRoute = true; });
    connect(m_route, &QComboBox::currentTextChanged, this,
            [this](const QString &r) { onSeriesChanged(r); });
    connect(m_window, &QComboBox::currentIndexChanged, this, [this](int) {
        m_chart->setWindowSeconds(m_window->currentData().toInt());
        onSeriesChanged(currentRoute());
    });
    onSeriesChanged({});
}

QString LatencyPage::currentRoute() const
{
    return m_route->currentText();
}

void LatencyPage::refreshRoutes()
{
    const QStringList routes = m_session->latency()->routes();
    if (routes.size() == m_route->count())
        return;
    const QString current = m_route->currentText();
    QSignalBlocker block(m_route);
    m_route->clear();
    m_route->addItems(routes);
    // Until the user picks one, prefer `chat` (the busiest route in most fleets).
    int idx = m_route->findText(m_userChoseRoute ? current : QStringLiteral("chat"));
    if (idx < 0)
        idx = m_route->findText(current);
    m_route->setCurrentIndex(idx >= 0 ? idx : 0);
}

void LatencyPage::onSeriesChanged(const QString &route)
{
    refreshRoutes();
    if (!route.isEmpty() && route != currentRoute())
        return;
    const auto &series = m_session->latency()->series(currentRoute());
    m_chart->setSeries(series);
    auto tile = [](QLabel *l, const QString &title, const QString &value) {
        l->setText(
            QStringLiteral("<span style='color:gray'>%1</span><br><b style='font-size:15pt'>%2</b>")
                .arg(title, value));
    };
    if (series.empty()) {
        tile(m_throughput, tr("Throughput"), QStringLiteral("—"));
        tile(m_errors, tr("Error rate"), QStringLiteral("—"));
        tile(m_fallbacks, tr("Served by fallback"), QStringLiteral("—"));
        tile(m_ttft, tr("Time to first token p50"), QStringLiteral("—"));
        return;
    }
    const auto &p = series.back();
    const double n = double(std::max<quint64>(1, p.count));
    tile(m_throughput, tr("Throughput"), tr("%1 req/s").arg(p.count));
    tile(m_errors, tr("Error rate"), QStringLiteral("%1%").arg(100.0 * p.errors / n, 0, 'f', 2));
    tile(m_fallbacks, tr("Served by fallback"),
         QStringLiteral("%1%").arg(100.0 * p.fallbacks / n, 0, 'f', 1));
    tile(m_ttft, tr("Time to first token p50"),
         p.ttftP50 > 0 ? QStringLiteral("%1 ms").arg(p.ttftP50, 0, 'f', 0) : QStringLiteral("—"));
}

void LatencyPage::updateFreshness()
{
    const bool streaming = m_session->latencyStream()->state() == LatencyStream::State::Streaming;
    const auto &series = m_session->latency()->series(currentRoute());
    const qint64 newest = series.empty() ? 0 : series.back().secondMs;
    m_banner->update(streaming && m_session->connection()->isReady(), newest,
                     m_session->staleReason(), m_session->cachedFrom());
}

} // namespace sb
