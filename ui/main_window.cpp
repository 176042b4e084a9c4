#include "ui/main_window.h"

#include "client/latency_stream.h"
#include "ui/pages/experiments_page.h"
#include "ui/pages/latency_page.h"
#include "ui/pages/prompts_page.h"
#include "ui/session.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QShortcut>
#include <QStackedWidget>
#include <QStatusBar>
#include <QVBoxLayout>

namespace sb {

MainWindow::MainWindow(Session *session, QWidget *parent)
    : QMainWindow(parent), m_session(session), m_endpoint(new QLabel(this)),
      m_state(new QLabel(this)), m_rtt(new QLabel(this)), m_rate(new QLabel(this)),
      m_nav(new QListWidget(this)), m_stack(new QStackedWidget(this)),
      m_latency(new LatencyPage(session, this)), m_prompts(new PromptsPage(session, this)),
      m_experiments(new ExperimentsPage(session, this)), m_routing(new RoutingPage(session, this))
{
    setWindowTitle(tr("Switchboard"));
    resize(1280, 800);

    auto *bar = new QWidget(this);
    bar->setObjectName(QStringLiteral("connectionBar"));
    bar->setStyleSheet(QStringLiteral("#connectionBar { border-bottom: 1px solid palette(mid); }"));
    auto *bl = new QHBoxLayout(bar);
    bl->setContentsMargins(10, 6, 10, 6);
    m_endpoint->setObjectName(QStringLiteral("endpointLabel"));
    m_state->setObjectName(QStringLiteral("connectionState"));
    m_rtt->setObjectName(QStringLiteral("rttLabel"));
    m_rate->setObjectName(QStringLiteral("streamRate"));
    bl->addWidget(m_endpoint);
    bl->addSpacing(16);
    bl->addWidget(m_state);
    bl->addSpacing(16);
    bl->addWidget(m_rtt);
    bl->addStretch();
    bl->addWidget(m_rate);

    m_nav->setObjectName(QStringLiteral("pageList"));
    m_nav->addItems({tr("Latency"), tr("Prompts"), tr("Experiments"), tr("Routing")});
    m_nav->setFixedWidth(150);
    m_nav->setStyleSheet(
        QStringLiteral("QListWidget { font-size: 11pt; } QListWidget::item { padding: 8px; }"));
    m_stack->addWidget(m_latency);
    m_stack->addWidget(m_prompts);
    m_stack->addWidget(m_experiments);
    m_stack->addWidget(m_routing);
    connect(m_nav, &QListWidget::currentRowChanged, m_stack, &QStackedWidget::setCurrentIndex);
    for (int i = 0; i < 4; ++i) {
        auto *sc = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)), this);
        connect(sc, &QShortcut::activated, this, [this, i] { showPage(i); });
    }
    m_nav->setCurrentRow(0);

    auto *central = new QWidget(this);
    auto *cl = new QVBoxLayout(central);
    cl->setContentsMargins(0, 0, 0, 0);
    cl->setSpacing(0);
    cl->addWidget(bar);
    auto *body = new QHBoxLayout;
    body->setContentsMargins(0, 0, 0, 0);
    body->addWidget(m_nav);
    body->addWidget(m_stack, 1);
    cl->addLayout(body, 1);
    setCentralWidget(central);

    statusBar()->showMessage(tr("Starting…"));
    connect(session, &Session::message, this,
            [this](const QString &m) { statusBar()->showMessage(m, 15000); });
    connect(session, &Session::freshnessChanged, this, &MainWindow::updateFreshness);
    connect(session->connection(), &Connection::stateChanged, this,
            &MainWindow::updateConnectionBar);
    connect(session->connection(), &Connection::rttMeasured, this,
            &MainWindow::updateConnectionBar);
    connect(session->latencyStream(), &LatencyStream::stateChanged, this,
            &MainWindow::updateFreshness);

    m_tick.setInterval(1000);
    connect(&m_tick, &QTimer::timeout, this, [this] {
        const auto st = m_session->latencyStream()->stats();
        const quint64 delta = st.samples - m_lastSamples;
        m_lastSamples = st.samples;
        m_rate->setText(
            m_session->latencyStream()->state() == LatencyStream::State::Streaming
                ? tr("stream: %L1 samples/s · batch #%2").arg(delta).arg(st.lastSequence)
                : tr("stream: not streaming"));
        m_latency->updateFreshness();
    });
    m_tick.start();
    updateConnectionBar();
    updateFreshness();
}

void MainWindow::showPage(int index)
{
    m_nav->setCurrentRow(index);
}

void MainWindow::updateConnectionBar()
{
    auto *c = m_session->connection();
    m_endpoint->setText(tr("<b>Endpoint</b> %1").arg(m_session->endpointLabel().toHtmlEscaped()));
    QString color;
    switch (c->state()) {
    case Connection::State::Ready:
        color = QStringLiteral("#1b7f3b");
        break;
    case Connection::State::Connecting:
        color = QStringLiteral("#b26b00");
        break;
    default:
        color = QStringLiteral("#c62828");
    }
    QString text = QStringLiteral("<span style='color:%1'>●</span> %2")
                       .arg(color, Connection::stateName(c->state()));
    if (!c->isReady() && !c->lastError().isEmpty())
        text += QStringLiteral(" — ") + c->lastError().toHtmlEscaped();
    if (c->isReady() && !m_session->authProblem().isEmpty())
        text += QStringLiteral(" — <span style='color:#c62828'><b>%1</b></span>")
                    .arg(m_session->authProblem().toHtmlEscaped());
    m_state->setText(text);
    m_rtt->setText(c->isReady() && c->lastRttMs() >= 0
                       ? tr("round trip %1 ms").arg(c->lastRttMs(), 0, 'f', 1)
                       : QString());
}

void MainWindow::updateFreshness()
{
    m_latency->updateFreshness();
    m_prompts->updateFreshness();
    m_experiments->updateFreshness();
    m_routing->updateFreshness();
    updateConnectionBar();
}

} // namespace sb
