#pragma once

// Routing page: every route's chain with what is serving and why, trouble
// coloured, and the actions an on-call engineer needs from the keyboard:
// select a model or step and press Space (or Enter, the context menu or the
// toolbar) to disable or re-enable it, F to force a route to its fallbacks.
// Every action goes through the guarded-change dialog.

#include "core/change.h"
#include "ui/common/guarded_change_host.h"
#include "ui/common/page.h"

class QAction;
class QSortFilterProxyModel;
class QTreeView;
class QLabel;

namespace sb {

class Session;
class RoutingController;
class StaleBanner;
class DrillPanel;

struct ConflictInfo;

class RoutingPage : public Page
{
    Q_OBJECT
public:
    RoutingPage(Session *session, RoutingController *controller, QWidget *parent = nullptr);
    void updateFreshness() override;
    QTreeView *tree() const { return m_tree; }
    // The dialog currently open, if any (for tests and screenshots).
    GuardedChangeDialog *openDialog() const { return m_guarded->dialog(); }

    void toggleSelected();
    void forceFallbackSelected();
    // Selects the route (or "route/model" step) with that key and focuses the tree.
    bool selectKey(const QString &key);
    // Disable or re-enable a model everywhere, through the guarded-change dialog.
    void toggleModel(const QString &model);
    void addCommands(std::vector<CommandEntry> &out) override;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void ask(const Change &change, const ConflictInfo *conflict, const QString &theirReason);
    void onConflict(const Change &change, const ConflictInfo &conflict);
    void updateActions();

    Session *m_session;
    RoutingController *m_controller;
    StaleBanner *m_banner;
    QTreeView *m_tree;
    QSortFilterProxyModel *m_proxy;
    QLabel *m_hint;
    QAction *m_toggle;
    QAction *m_force;
    QAction *m_refresh;
    GuardedChangeHost *m_guarded = nullptr;
};

} // namespace sb
