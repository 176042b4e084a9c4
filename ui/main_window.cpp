#include "ui/main_window.h"

#include "client/latency_stream.h"
#include "core/clock.h"
#include "store/cache.h"
#include "ui/common/notification_log.h"
#include "ui/common/page.h"
#include "ui/common/palette.h"
#include "ui/common/privacy.h"
#include "ui/console.h"
#include "ui/latency/latency_controller.h"
#include "ui/latency/latency_page.h"
#include "ui/page_registry.h"
#include "ui/palette/command_palette.h"
#include "ui/routing/routing_page.h"
#include "ui/session.h"
#include "ui/timeline/note_dialog.h"

#include <QAction>
#include <QCloseEvent>
#include <QDateTime>
#include <QDockWidget>
#include <QFuture>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QListView>
#include <QListWidget>
#include <QMenu>
#include <QPointer>
#include <QScreen>
#include <QSet>
#include <QSettings>
#include <QShortcut>
#include <QStackedWidget>
#include <QStatusBar>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace sb {

namespace {
constexpr int kFramePx = 3; // the staging / production frame around every page
} // namespace

MainWindow::MainWindow(Console *console, QWidget *parent)
    : QMainWindow(parent), m_console(console), m_frame(new QWidget(this)),
      m_environment(new QLabel(this)), m_profile(new QToolButton(this)),
      m_endpoint(new QLabel(this)), m_state(new QLabel(this)), m_retry(new QLabel(this)),
      m_retryNow(new QToolButton(this)), m_problem(new QLabel(this)), m_prodStrip(new QLabel(this)),
      m_rtt(new QLabel(this)), m_rate(new QLabel(this)), m_bell(new QToolButton(this)),
      m_notificationDock(new QDockWidget(tr("Notifications"), this)), m_nav(new QListWidget(this)),
      m_stack(new QStackedWidget(this))
{
    setWindowTitle(tr("Switchboard"));
    // The desktop's theme first; our bundled breeze icons where it has none.
    if (!QIcon::fallbackSearchPaths().contains(QStringLiteral(":/icons")))
        QIcon::setFallbackSearchPaths(QIcon::fallbackSearchPaths() << QStringLiteral(":/icons"));
    setWindowIcon(QIcon::fromTheme(QStringLiteral("dev.switchboard.Console")));
    // 1280×800 where it fits; never larger than the screen (1024×640 laptops).
    QSize size(1280, 800);
    if (auto *s = QGuiApplication::primaryScreen())
        size = size.boundedTo(s->availableGeometry().size());
    resize(size);
    Session *session = console->session();

    auto *bar = new QWidget(this);
    bar->setObjectName(QStringLiteral("connectionBar"));
    bar->setStyleSheet(QStringLiteral("#connectionBar { border-bottom: 1px solid palette(mid); }"));
    auto *outer = new QVBoxLayout(bar);
    outer->setContentsMargins(10, 6, 10, 6);
    outer->setSpacing(4);
    auto *bl = new QHBoxLayout;
    outer->addLayout(bl);
    m_problem->setObjectName(QStringLiteral("connectionProblem"));
    m_problem->setWordWrap(true);
    m_problem->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_problem->hide();
    outer->addWidget(m_problem);
    m_profile->setObjectName(QStringLiteral("profileButton"));
    m_profile->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_profile->setArrowType(Qt::NoArrow);
    m_profile->setToolTip(tr("Switch to another service or open one beside this (Ctrl+P); "
                             "manage profiles (Ctrl+Shift+P)"));
    m_profile->setStyleSheet(QStringLiteral("QToolButton { font-weight: bold; }"));
    connect(m_profile, &QToolButton::clicked, this, &MainWindow::switcherRequested);
    auto *switcherKey = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_P), this);
    connect(switcherKey, &QShortcut::activated, this, &MainWindow::switcherRequested);
    auto *managerKey = new QShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P), this);
    connect(managerKey, &QShortcut::activated, this, &MainWindow::profileManagerRequested);
    // Ctrl+M anywhere: a note on the incident timeline, at now.
    auto *noteKey = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_M), this);
    connect(noteKey, &QShortcut::activated, this, &MainWindow::addNote);
    m_retry->setObjectName(QStringLiteral("retryLabel"));
    // The state takes what room is left and never widens the window; the
    // sentence below it says the rest.
    m_state->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_state->setMinimumWidth(120);
    // The countdown keeps its width, so the bar does not jump each second.
    m_retry->setMinimumWidth(
        m_retry->fontMetrics().horizontalAdvance(QStringLiteral("retrying in 000 s")));
    m_retryNow->setObjectName(QStringLiteral("retryNowButton"));
    m_retryNow->setText(tr("Retry now"));
    m_retryNow->setIcon(QIcon::fromTheme(QStringLiteral("view-refresh")));
    m_retryNow->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_retryNow->setToolTip(tr("Try to reach the service now instead of waiting"));
    m_retryNow->hide();
    connect(m_retryNow, &QToolButton::clicked, this, [this] {
        m_console->session()->connection()->retryNow();
        updateConnectionBar();
    });
    m_prodStrip->setObjectName(QStringLiteral("productionStrip"));
    m_prodStrip->setAlignment(Qt::AlignCenter);
    m_prodStrip->setStyleSheet(
        QStringLiteral("QLabel { background: %1; color: white; font-weight: bold; padding: 3px; }")
            .arg(palette::prod().name()));
    m_prodStrip->hide();
    m_environment->setObjectName(QStringLiteral("environmentLabel"));
    m_endpoint->setObjectName(QStringLiteral("endpointLabel"));
    m_state->setObjectName(QStringLiteral("connectionState"));
    m_rtt->setObjectName(QStringLiteral("rttLabel"));
    m_rate->setObjectName(QStringLiteral("streamRate"));
    m_bell->setObjectName(QStringLiteral("notificationsButton"));
    m_bell->setIcon(QIcon::fromTheme(QStringLiteral("preferences-desktop-notification")));
    m_bell->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_bell->setCheckable(true);
    m_bell->setToolTip(tr("Changes by others, reverts and trouble (Ctrl+Shift+N)"));
    m_presenting = new QLabel(this);
    m_replayMark = new QLabel(this);
    bl->addWidget(m_replayMark);
    bl->addWidget(m_presenting);
    bl->addWidget(m_environment);
    bl->addSpacing(4);
    bl->addWidget(m_profile);
    bl->addSpacing(4);
    bl->addWidget(m_endpoint);
    bl->addSpacing(16);
    bl->addWidget(m_state, 1);
    bl->addWidget(m_retry);
    bl->addWidget(m_retryNow);
    bl->addSpacing(8);
    bl->addWidget(m_rtt);
    bl->addSpacing(16);
    bl->addWidget(m_rate);
    bl->addSpacing(8);
    setUpAlerts();
    bl->addWidget(m_alertBadge);
    bl->addWidget(m_bell);

    m_nav->setObjectName(QStringLiteral("pageList"));
    m_nav->setIconSize(QSize(20, 20));
    m_nav->setFixedWidth(170);
    m_nav->setStyleSheet(QStringLiteral("QListWidget { font-size: 11pt; } QListWidget::item { "
                                        "padding: 8px; }"));
    const auto &registry = pageRegistry();
    for (std::size_t i = 0; i < registry.size(); ++i) {
        const PageSpec &spec = registry[i];
        Page *page = spec.make(console, m_stack);
        page->setObjectName(spec.name + QStringLiteral("Page"));
        m_pages.push_back(page);
        m_stack->addWidget(page);
        auto *item = new QListWidgetItem(QIcon::fromTheme(spec.icon), spec.title, m_nav);
        item->setToolTip(
            tr("%1 (%2)").arg(spec.title, spec.shortcut.toString(QKeySequence::NativeText)));
        auto *sc = new QShortcut(spec.shortcut, this);
        const int index = int(i);
        connect(sc, &QShortcut::activated, this, [this, index] { showPage(index); });
        connect(page, &Page::badgeChanged, this, [this, index] { updateBadge(index); });
    }
    connect(m_nav, &QListWidget::currentRowChanged, m_stack, &QStackedWidget::setCurrentIndex);
    m_nav->setCurrentRow(0);

    auto *list = new QListView(m_notificationDock);
    list->setObjectName(QStringLiteral("notificationList"));
    list->setModel(console->notifications());
    list->setWordWrap(true);
    list->setAlternatingRowColors(true);
    m_notificationDock->setObjectName(QStringLiteral("notificationDock"));
    m_notificationDock->setWidget(list);
    m_notificationDock->setFeatures(QDockWidget::DockWidgetClosable |
                                    QDockWidget::DockWidgetMovable);
    addDockWidget(Qt::RightDockWidgetArea, m_notificationDock);
    m_notificationDock->hide();
    connect(m_bell, &QToolButton::toggled, m_notificationDock, &QDockWidget::setVisible);
    connect(m_notificationDock, &QDockWidget::visibilityChanged, this, [this](bool visible) {
        m_bell->setChecked(visible);
        if (visible)
            m_console->notifications()->markAllRead();
    });
    auto *bellKey = new QShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N), this);
    connect(bellKey, &QShortcut::activated, m_bell, &QToolButton::toggle);
    auto updateBell = [this](int unread) {
        m_bell->setText(unread > 0 ? tr("%1 new").arg(unread) : tr("Notifications"));
        m_bell->setStyleSheet(unread > 0 ? QStringLiteral("QToolButton { font-weight: bold; }")
                                         : QString());
    };
    connect(console->notifications(), &NotificationLog::unreadChanged, this, updateBell);
    // Read as they arrive while the list is open.
    connect(console->notifications(), &QAbstractItemModel::rowsInserted, this, [this] {
        if (m_notificationDock->isVisible())
            m_console->notifications()->markAllRead();
    });
    updateBell(0);

    m_frame->setObjectName(QStringLiteral("environmentFrame"));
    auto *fl = new QVBoxLayout(m_frame);
    fl->setContentsMargins(0, 0, 0, 0);
    fl->setSpacing(0);
    fl->addWidget(m_prodStrip);
    fl->addWidget(bar);
    auto *body = new QHBoxLayout;
    body->setContentsMargins(0, 0, 0, 0);
    body->addWidget(m_nav);
    body->addWidget(m_stack, 1);
    fl->addLayout(body, 1);
    setCentralWidget(m_frame);

    showStatus(tr("Starting…"));
    connect(session, &Session::message, this, [this](const QString &m) { showStatus(m, 15000); });
    connect(session, &Session::freshnessChanged, this, &MainWindow::updateFreshness);
    connect(session, &Session::endpointChanged, this, &MainWindow::updateConnectionBar);
    connect(session->connection(), &Connection::stateChanged, this,
            &MainWindow::updateConnectionBar);
    connect(session->connection(), &Connection::rttMeasured, this,
            &MainWindow::updateConnectionBar);
    connect(session->connection(), &Connection::retryScheduled, this, &MainWindow::updateRetry);
    connect(console->latency()->stream(), &LatencyStream::stateChanged, this,
            &MainWindow::updateFreshness);

    auto *paletteKey = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_K), this);
    paletteKey->setContext(Qt::WindowShortcut);
    connect(paletteKey, &QShortcut::activated, this, &MainWindow::showCommandPalette);
    if (Cache *cache = session->cache()) {
        connect(cache, &Cache::paletteRecentsLoaded, this,
                [this](const QHash<QString, qint64> &recents) {
                    for (auto it = recents.begin(); it != recents.end(); ++it) {
                        if (it.value() > m_recentCommands.value(it.key(), -1))
                            m_recentCommands.insert(it.key(), it.value());
                    }
                });
        cache->loadPaletteRecents();
    }

    m_tick.setInterval(1000);
    connect(&m_tick, &QTimer::timeout, this, [this] {
        auto *stream = m_console->latency()->stream();
        const auto st = stream->stats();
        const quint64 delta = st.samples - m_lastSamples;
        m_lastSamples = st.samples;
        m_rate->setText(stream->state() == LatencyStream::State::Streaming
                            ? tr("stream: %L1 samples/s").arg(delta)
                            : tr("stream: not streaming"));
        for (auto *p : m_pages)
            p->updateFreshness();
        updateRetry();
        updateReplayMark();
    });
    m_tick.start();
    setUpPresentation();
    setUpReplay();
    updateConnectionBar();
    updateFreshness();
}

Page *MainWindow::page(int index) const
{
    return index >= 0 && index < int(m_pages.size()) ? m_pages[std::size_t(index)] : nullptr;
}

LatencyPage *MainWindow::latencyPage() const
{
    return page<LatencyPage>();
}

RoutingPage *MainWindow::routingPage() const
{
    return page<RoutingPage>();
}

int MainWindow::currentPageIndex() const
{
    return m_stack->currentIndex();
}

void MainWindow::showPage(int index)
{
    if (index < 0 || index >= int(m_pages.size()))
        return;
    m_nav->setCurrentRow(index);
    // Keys go to the page's table, so Ctrl+4 then Space acts at once.
    m_pages[std::size_t(index)]->setFocus(Qt::ShortcutFocusReason);
}

void MainWindow::updateBadge(int index)
{
    Page *p = page(index);
    QListWidgetItem *item = m_nav->item(index);
    if (!p || !item)
        return;
    const PageSpec &spec = pageRegistry()[std::size_t(index)];
    const int n = p->badgeCount();
    // Loud on whichever page is open: the sidebar entry turns red with a count.
    item->setText(n > 0 ? QStringLiteral("%1   ● %2").arg(spec.title).arg(n) : spec.title);
    item->setForeground(n > 0 ? QBrush(palette::bad()) : QBrush());
    QFont f = item->font();
    f.setBold(n > 0);
    item->setFont(f);
    item->setToolTip(
        n > 0 ? p->badgeText()
              : tr("%1 (%2)").arg(spec.title, spec.shortcut.toString(QKeySequence::NativeText)));
}

void MainWindow::updateConnectionBar()
{
    Session *s = m_console->session();
    auto *c = s->connection();
    QColor env = palette::dev();
    if (s->environment() == Environment::Prod)
        env = palette::prod();
    else if (s->environment() == Environment::Staging)
        env = palette::staging();
    const bool prod = s->environment() == Environment::Prod;
    m_environment->setText(toString(s->environment()).toUpper());
    m_environment->setStyleSheet(
        QStringLiteral("QLabel { background: %1; color: white; font-weight: bold; padding: 2px "
                       "8px; border-radius: 3px; }")
            .arg(env.name()));
    m_environment->setToolTip(tr("The environment this connection is (set in its profile)"));
    // Staging and production frame every page, so nobody mistakes where they act:
    // the layout keeps the border's width free, or the pages would cover it.
    const bool framed = s->environment() != Environment::Dev;
    m_frame->setAttribute(Qt::WA_StyledBackground, true);
    m_frame->setStyleSheet(framed ? QStringLiteral("#environmentFrame { border: %1px solid %2; }")
                                        .arg(kFramePx)
                                        .arg(env.name())
                                  : QString());
    m_frame->layout()->setContentsMargins(framed ? QMargins(kFramePx, kFramePx, kFramePx, kFramePx)
                                                 : QMargins());
    // Presenting, no host or endpoint shows: the profile's name stands for it.
    const QString profile =
        privacy::masked(s->profileName().isEmpty() ? s->endpointLabel() : s->profileName());
    const QString endpoint = privacy::enabled() ? profile : s->endpointLabel();
    m_profile->setText(profile + QStringLiteral("  ▾"));
    m_prodStrip->setVisible(prod);
    m_prodStrip->setText(tr("PRODUCTION  ·  %1  ·  changes here affect live traffic").arg(profile));
    setWindowTitle(prod ? tr("%1 [PRODUCTION] — Switchboard").arg(profile)
                        : tr("%1 (%2) — Switchboard").arg(profile, toString(s->environment())));
    if (clock::isReplay())
        setWindowTitle(tr("REPLAY — %1").arg(windowTitle()));
    const QString security = c->target().isEmpty() ? QString() : c->security();
    m_endpoint->setToolTip(privacy::masked(tr("%1, %2").arg(endpoint, security)));
    m_endpoint->setText(security.isEmpty()
                            ? endpoint.toHtmlEscaped()
                            : tr("%1 <span style='color:%2'>· %3</span>")
                                  .arg(endpoint.toHtmlEscaped(), palette::muted().name(),
                                       privacy::masked(security).toHtmlEscaped()));
    QString color;
    switch (c->state()) {
    case Connection::State::Ready:
        color = palette::good().name();
        break;
    case Connection::State::Connecting:
        color = palette::warn().name();
        break;
    default:
        color = palette::bad().name();
    }
    const bool authTrouble = c->isReady() && !s->authProblem().isEmpty();
    const QString problem = privacy::masked(authTrouble ? s->authProblem() : s->problem());
    QString text = QStringLiteral("<span style='color:%1'>●</span> %2")
                       .arg(color, s->setupProblem().isEmpty() ? Connection::stateName(c->state())
                                                               : tr("not connected"));
    // Health needs no token, so "connected" alone would hide a refused one.
    if (authTrouble)
        text += QStringLiteral(" — <span style='color:%1'><b>%2</b></span>")
                    .arg(palette::bad().name(), s->authProblem().startsWith(tr("token rejected"))
                                                    ? tr("token rejected")
                                                    : tr("permission denied"));
    m_state->setText(text);
    m_state->setToolTip(tr("What the service's grpc.health.v1 Watch says"));
    // The failure as a sentence on its own line: what happened, what to check.
    const bool showProblem = !problem.isEmpty() && c->state() != Connection::State::Connecting;
    m_problem->setVisible(showProblem);
    if (showProblem) {
        QString sentence = problem;
        sentence[0] = sentence.at(0).toUpper();
        m_problem->setText(QStringLiteral("<span style='color:%1'>⚠</span> %2")
                               .arg(palette::bad().name(), sentence.toHtmlEscaped()));
    }
    m_rtt->setText(c->isReady() && c->lastRttMs() >= 0
                       ? tr("round trip %1 ms").arg(c->lastRttMs(), 0, 'f', 1)
                       : QString());
    updateRetry();
}

void MainWindow::updateRetry()
{
    auto *c = m_console->session()->connection();
    const qint64 ms = c->retryInMs();
    m_retryNow->setVisible(ms >= 0);
    m_retry->setVisible(ms >= 0);
    if (ms >= 0)
        m_retry->setText(tr("retrying in %1 s").arg((ms + 999) / 1000));
}

void MainWindow::updateFreshness()
{
    for (auto *p : m_pages)
        p->updateFreshness();
    updateConnectionBar();
}

void MainWindow::addCommandSource(std::function<void(std::vector<CommandEntry> &)> source)
{
    m_commandSources.push_back(std::move(source));
}

void MainWindow::addNote()
{
    NoteDialog::ask(this, m_console->events(), clock::nowMs());
}

std::vector<CommandEntry> MainWindow::commands()
{
    std::vector<CommandEntry> out;
    const auto &registry = pageRegistry();
    for (std::size_t i = 0; i < registry.size(); ++i) {
        const PageSpec &spec = registry[i];
        const int index = int(i);
        out.push_back({.id = QStringLiteral("page:") + spec.name,
                       .title = spec.title,
                       .kind = tr("Page"),
                       .detail = tr("go to the %1 page").arg(spec.title),
                       .shortcut = spec.shortcut.toString(QKeySequence::NativeText),
                       .keywords = spec.name,
                       .run = [this, index] { showPage(index); }});
    }
    auto window = [&](const QString &id, const QString &title, const QString &detail,
                      const QKeySequence &key, std::function<void()> run) {
        out.push_back({.id = QStringLiteral("window:") + id,
                       .title = title,
                       .kind = tr("Window"),
                       .detail = detail,
                       .shortcut = key.toString(QKeySequence::NativeText),
                       .run = std::move(run)});
    };
    window(QStringLiteral("switcher"), tr("Switch service…"),
           tr("another profile here, or one beside this"), QKeySequence(Qt::CTRL | Qt::Key_P),
           [this] { emit switcherRequested(); });
    window(QStringLiteral("profiles"), tr("Manage connection profiles…"), QString(),
           QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P),
           [this] { emit profileManagerRequested(); });
    window(QStringLiteral("notifications"), tr("Show notifications"),
           tr("changes by others, reverts and trouble"),
           QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N), [this] { m_bell->setChecked(true); });
    window(QStringLiteral("note"), tr("Add a note to the timeline…"),
           tr("at now, optionally with an end"), QKeySequence(Qt::CTRL | Qt::Key_M),
           [this] { addNote(); });
    window(QStringLiteral("slos"), tr("Edit service level objectives…"),
           tr("error rate, p95 and p99 per route, for the alerts"), {}, [this] { editSlos(); });
    window(QStringLiteral("presenter"),
           m_presentAction->isChecked() ? tr("Stop presenting") : tr("Present"),
           tr("large type, host names, tokens and request ids hidden"), m_presentAction->shortcut(),
           [this] { m_presentAction->trigger(); });
    if (m_retryNow->isVisible())
        window(QStringLiteral("retry"), tr("Retry the connection now"), m_problem->text(), {},
               [this] { m_retryNow->click(); });

    // Every page's actions, as their buttons and menus have them (enabled or
    // not, with the reason they carry), then the page's own objects.
    for (std::size_t i = 0; i < m_pages.size() && i < registry.size(); ++i) {
        Page *page = m_pages[i];
        const int index = int(i);
        const QString pageTitle = registry[i].title;
        QSet<QString> seen;
        for (QAction *a : page->findChildren<QAction *>()) {
            QString text = a->text();
            text.remove(QLatin1Char('&'));
            text.remove(QStringLiteral("…"));
            text = text.trimmed();
            if (text.isEmpty() || a->isSeparator() || a->menu())
                continue;
            const QString key = a->objectName().isEmpty() ? text : a->objectName();
            if (seen.contains(key))
                continue;
            seen.insert(key);
            const QString tip = a->toolTip();
            out.push_back({.id = QStringLiteral("action:%1:%2").arg(registry[i].name, key),
                           .title = text,
                           .kind = tr("Action"),
                           .detail = tip.isEmpty() || tip == text
                                         ? tr("on %1").arg(pageTitle)
                                         : tr("on %1 · %2").arg(pageTitle, tip),
                           .shortcut = a->shortcut().toString(QKeySequence::NativeText),
                           .enabled = a->isEnabled(),
                           .disabledWhy = tip.isEmpty() ? tr("not available now") : tip,
                           .run = [this, index, a = QPointer<QAction>(a)] {
                               showPage(index);
                               if (a && a->isEnabled())
                                   a->trigger();
                           }});
        }
        const std::size_t first = out.size();
        page->addCommands(out);
        for (std::size_t k = first; k < out.size(); ++k) {
            auto run = std::move(out[k].run);
            out[k].run = [this, index, run = std::move(run)] {
                showPage(index);
                if (run)
                    run();
            };
        }
    }
    for (const auto &source : m_commandSources)
        source(out);
    return out;
}

void MainWindow::showCommandPalette()
{
    if (!m_palette) {
        m_palette = new CommandPalette(this);
        connect(m_palette, &CommandPalette::chosen, this, [this](const QString &id) {
            const qint64 now = QDateTime::currentMSecsSinceEpoch();
            m_recentCommands.insert(id, now);
            if (Cache *cache = m_console->session()->cache())
                cache->recordPaletteChoice(id, now);
        });
    }
    m_palette->setEntries(commands(), m_recentCommands, QDateTime::currentMSecsSinceEpoch());
    m_palette->popup();
}

namespace {
QFuture<void> &layoutSave()
{
    static QFuture<void> f;
    return f;
}
} // namespace

MainWindow::Layout MainWindow::rememberedLayout()
{
    QSettings s;
    return {s.value(QStringLiteral("window/geometry")).toByteArray(),
            s.value(QStringLiteral("window/page")).toString()};
}

void MainWindow::waitForLayoutSaves()
{
    layoutSave().waitForFinished();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveLayout();
    QMainWindow::closeEvent(event);
}

void MainWindow::saveLayout()
{
    if (m_remembersLayout) {
        const QByteArray geometry = saveGeometry();
        const int current = m_nav->currentRow();
        const auto &registry = pageRegistry();
        const QString page = current >= 0 && current < int(registry.size())
                                 ? registry[std::size_t(current)].name
                                 : QString();
        layoutSave().waitForFinished(); // one writer at a time, in order
        layoutSave() = QtConcurrent::run([geometry, page] {
            QSettings s;
            s.setValue(QStringLiteral("window/geometry"), geometry);
            s.setValue(QStringLiteral("window/page"), page);
            s.sync();
        });
    }
}

} // namespace sb
