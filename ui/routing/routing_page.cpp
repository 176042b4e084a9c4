#include "ui/routing/routing_page.h"

#include "ui/common/format.h"
#include "ui/common/guarded_change_dialog.h"
#include "ui/common/stale_banner.h"
#include "ui/common/table_setup.h"
#include "ui/routing/drill_panel.h"
#include "ui/routing/routing_controller.h"
#include "ui/session.h"

#include <QAction>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QMenu>
#include <QSortFilterProxyModel>
#include <QToolBar>
#include <QTreeView>
#include <QVBoxLayout>

namespace sb {

RoutingPage::RoutingPage(Session *session, RoutingController *controller, QWidget *parent)
    : Page(parent), m_session(session), m_controller(controller), m_banner(new StaleBanner(this)),
      m_tree(new QTreeView(this)), m_hint(new QLabel(this))
{
    // Back to the table when the dialog closes, so the next Space works.
    m_guarded = new GuardedChangeHost(
        this, [this](const Change &c) { m_controller->submit(c); }, m_tree);
    m_tree->setObjectName(QStringLiteral("routingTree"));
    m_proxy = setupTree(m_tree, controller->model());
    keepSelection(m_tree,
                  [](const QModelIndex &i) { return i.data(RoutingModel::KeyRole).toString(); });
    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
    m_tree->installEventFilter(this);
    setFocusProxy(m_tree);

    auto *tools = new QToolBar(this);
    tools->setObjectName(QStringLiteral("routingTools"));
    tools->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_toggle =
        tools->addAction(QIcon::fromTheme(QStringLiteral("media-playback-pause")),
                         tr("Disable / enable  (Space)"), this, &RoutingPage::toggleSelected);
    m_toggle->setObjectName(QStringLiteral("toggleAction"));
    m_force =
        tools->addAction(QIcon::fromTheme(QStringLiteral("go-jump")), tr("Force to fallbacks  (F)"),
                         this, &RoutingPage::forceFallbackSelected);
    m_force->setObjectName(QStringLiteral("forceFallbackAction"));
    tools->addSeparator();
    m_refresh = tools->addAction(QIcon::fromTheme(QStringLiteral("view-refresh")), tr("Refresh"),
                                 controller, &RoutingController::refresh);
    m_hint->setObjectName(QStringLiteral("routingHint"));
    m_hint->setWordWrap(true);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_banner);
    layout->addWidget(tools);
    layout->addWidget(m_tree, 1);
    layout->addWidget(m_hint);
    layout->addWidget(new DrillPanel(controller, this));

    auto fit = [this] {
        fitColumns(m_tree, 70, 200);
        // The route rows' chains are long and repeated by their children:
        // keep the column narrow so Why (the last, stretching) stays in view.
        m_tree->header()->resizeSection(RoutingModel::Step, 110);
    };
    connect(controller->model(), &QAbstractItemModel::modelReset, this, [this, fit] {
        m_tree->expandAll();
        fit();
        if (!m_tree->currentIndex().isValid() && m_proxy->rowCount() > 0)
            m_tree->setCurrentIndex(m_proxy->index(0, 0));
    });
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &RoutingPage::updateActions);
    connect(controller, &RoutingController::troubleChanged, this, [this](const RoutingTrouble &t) {
        setBadge(t.rows, t.reasons.join(QLatin1Char('\n')));
    });
    connect(m_tree, &QWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        const QModelIndex idx = m_tree->indexAt(pos);
        if (!idx.isValid())
            return;
        m_tree->setCurrentIndex(idx);
        QMenu menu(this);
        menu.addAction(m_toggle);
        menu.addAction(m_force);
        menu.exec(m_tree->viewport()->mapToGlobal(pos));
    });
    connect(controller, &RoutingController::changeSucceeded, this,
            [this](const Change &c, const AuditEvent &) {
                const QString revert =
                    c.revertAfter.count() > 0
                        ? tr(" · reverts in %1").arg(formatDuration(c.revertAfter.count() * 1000))
                        : QString();
                emit m_session->message(tr("Done: %1%2").arg(c.title(), revert));
            });
    connect(controller, &RoutingController::changeConflicted, this, &RoutingPage::onConflict);
    connect(controller, &RoutingController::changeRejected, this,
            [this](const Change &c, const RpcError &e) {
                emit m_session->message(tr("Not applied: %1 — %2").arg(c.title(), e.describe()));
                updateActions();
            });
    connect(session, &Session::freshnessChanged, this, &RoutingPage::updateActions);
    updateActions();
}

bool RoutingPage::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_tree && event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        if (key->modifiers() == Qt::NoModifier || key->modifiers() == Qt::KeypadModifier) {
            if (key->key() == Qt::Key_Space || key->key() == Qt::Key_Return ||
                key->key() == Qt::Key_Enter) {
                toggleSelected();
                return true;
            }
            if (key->key() == Qt::Key_F) {
                forceFallbackSelected();
                return true;
            }
        }
    }
    return Page::eventFilter(watched, event);
}

void RoutingPage::updateActions()
{
    const QString blocked = m_controller->writeBlockedReason();
    const QModelIndex idx = m_proxy->mapToSource(m_tree->currentIndex());
    QString whyNot;
    const auto toggle = m_controller->toggleFor(idx, &whyNot);
    QString forceWhy;
    const auto force = m_controller->forceFallbackFor(idx, &forceWhy);
    m_toggle->setEnabled(blocked.isEmpty() && toggle.has_value());
    m_force->setEnabled(blocked.isEmpty() && force.has_value());
    m_toggle->setToolTip(!blocked.isEmpty() ? blocked
                         : toggle           ? toggle->title() + tr(" (Space)")
                                            : whyNot);
    m_force->setToolTip(!blocked.isEmpty() ? blocked
                        : force            ? force->title() + tr(" (F)")
                                           : forceWhy);
    if (toggle && blocked.isEmpty())
        m_toggle->setText(toggle->title() + tr("  (Space)"));
    else
        m_toggle->setText(tr("Disable / enable  (Space)"));
    if (force && blocked.isEmpty())
        m_force->setText(force->title() + tr("  (F)"));
    m_hint->setText(blocked.isEmpty()
                        ? tr("Select a model or fallback step and press Space to disable or "
                             "re-enable it; F forces a route to its fallbacks.")
                        : tr("Actions are disabled: %1.").arg(blocked));
}

void RoutingPage::toggleSelected()
{
    const QString blocked = m_controller->writeBlockedReason();
    if (!blocked.isEmpty()) {
        emit m_session->message(tr("Cannot change routing: %1").arg(blocked));
        return;
    }
    QString why;
    const auto change = m_controller->toggleFor(m_proxy->mapToSource(m_tree->currentIndex()), &why);
    if (!change) {
        emit m_session->message(why);
        return;
    }
    ask(*change, nullptr, {});
}

bool RoutingPage::selectKey(const QString &key)
{
    auto *model = m_controller->model();
    const QModelIndexList found = model->match(model->index(0, 0), RoutingModel::KeyRole, key, 1,
                                               Qt::MatchExactly | Qt::MatchRecursive);
    if (found.isEmpty())
        return false;
    const QModelIndex shown = m_proxy->mapFromSource(found.first());
    m_tree->setCurrentIndex(shown);
    m_tree->scrollTo(shown);
    m_tree->setFocus();
    return true;
}

void RoutingPage::toggleModel(const QString &model)
{
    const QString blocked = m_controller->writeBlockedReason();
    if (!blocked.isEmpty()) {
        emit m_session->message(tr("Cannot change routing: %1").arg(blocked));
        return;
    }
    QString why;
    const auto change = m_controller->modelToggleFor(model, &why);
    if (!change) {
        emit m_session->message(why);
        return;
    }
    ask(*change, nullptr, {});
}

void RoutingPage::addCommands(std::vector<CommandEntry> &out)
{
    const RoutingTable &t = m_controller->model()->table();
    const QString blocked = m_controller->writeBlockedReason();
    for (const Route &r : t.routes) {
        QStringList chain{r.primaryModel};
        for (const auto &f : r.fallbacks)
            chain << f.model;
        const QString name = r.name;
        out.push_back({.id = QStringLiteral("route:") + name,
                       .title = tr("Route %1").arg(name),
                       .kind = tr("Route"),
                       .detail = chain.join(QStringLiteral(" → ")),
                       .keywords = chain.join(QLatin1Char(' ')),
                       .run = [this, name] { selectKey(name); }});
        out.push_back({.id = QStringLiteral("route:%1:force").arg(name),
                       .title = r.primaryBypassed ? tr("Stop forcing %1 to its fallbacks").arg(name)
                                                  : tr("Force %1 to its fallbacks").arg(name),
                       .kind = tr("Route"),
                       .detail = tr("asks for a reason first"),
                       .shortcut = QStringLiteral("F"),
                       .enabled = blocked.isEmpty(),
                       .disabledWhy = blocked,
                       .run = [this, name] {
                           if (selectKey(name))
                               forceFallbackSelected();
                       }});
    }
    for (const Model &m : t.models) {
        QStringList usedBy;
        for (const Route &r : t.routes) {
            bool uses = r.primaryModel == m.name;
            for (const auto &f : r.fallbacks)
                uses = uses || f.model == m.name;
            if (uses)
                usedBy << r.name;
        }
        const QString name = m.name;
        const QString where = usedBy.isEmpty()
                                  ? tr("used by no route")
                                  : tr("used by %1").arg(usedBy.join(QStringLiteral(", ")));
        out.push_back({.id = QStringLiteral("model:%1:toggle").arg(name),
                       .title = m.enabled ? tr("Disable %1").arg(name) : tr("Enable %1").arg(name),
                       .kind = tr("Model"),
                       .detail = tr("%1 · asks for a reason first").arg(where),
                       .shortcut = QStringLiteral("Space"),
                       .keywords = usedBy.join(QLatin1Char(' ')) + QStringLiteral(" model"),
                       .enabled = blocked.isEmpty(),
                       .disabledWhy = blocked,
                       .run = [this, name] { toggleModel(name); }});
    }
}

void RoutingPage::forceFallbackSelected()
{
    const QString blocked = m_controller->writeBlockedReason();
    if (!blocked.isEmpty()) {
        emit m_session->message(tr("Cannot change routing: %1").arg(blocked));
        return;
    }
    QString why;
    const auto change =
        m_controller->forceFallbackFor(m_proxy->mapToSource(m_tree->currentIndex()), &why);
    if (!change) {
        emit m_session->message(why);
        return;
    }
    ask(*change, nullptr, {});
}

void RoutingPage::ask(const Change &change, const ConflictInfo *conflict,
                      const QString &theirReason)
{
    GuardedChangeDialog *d =
        m_guarded->create(change, m_controller->impactOf(change), m_session->isProduction());
    d->setOutageRoutes(m_controller->outageRoutes(change));
    if (conflict)
        d->setConflict(m_controller->describeConflict(change, *conflict), theirReason);
    m_guarded->open();
}

void RoutingPage::onConflict(const Change &change, const ConflictInfo &conflict)
{
    const auto again = m_controller->rebase(change);
    if (GuardedChangeHost::alreadyDone(this, again,
                                       m_controller->describeConflict(change, conflict)))
        return;
    Change c = *again;
    c.reason = change.reason;
    ask(c, &conflict, m_controller->lastEvent(change.target()).reason);
}

void RoutingPage::updateFreshness()
{
    const Freshness f = m_controller->freshness();
    m_banner->update(f.live, f.fetchedMs, m_session->staleReason(), m_session->cachedFrom());
    updateActions();
}

} // namespace sb
