#pragma once

// Prompts page: find a prompt (Ctrl+F filters by name, description and
// label), read its versions as a timeline with every label where it points,
// compare any two versions side by side (or one against its parent or a
// label), read who moved which label when, write a new version (Ctrl+N) and
// move or roll back labels through the guarded-change dialog. Offline it
// shows the cache, stale, with writing disabled and the reason shown.

#include "core/change.h"
#include "ui/common/guarded_change_host.h"
#include "ui/common/page.h"

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QMenu;
class QPlainTextEdit;
class QSortFilterProxyModel;
class QTabWidget;
class QTableView;
class QToolButton;

namespace sb {

class Session;
class PromptsController;
class StaleBanner;
class DiffView;

class VersionEditor;
struct VersionDraft;
class TemplateHighlighter;
struct ConflictInfo;
struct PromptVersion;

class PromptsPage : public Page
{
    Q_OBJECT
public:
    enum Tab
    {
        TemplateTab,
        DiffTab,
        HistoryTab
    };

    PromptsPage(Session *session, PromptsController *controller, QWidget *parent = nullptr);
    void updateFreshness() override;

    // For tests and the command palette.
    QTableView *promptTable() const { return m_prompts; }
    QTableView *versionTable() const { return m_versions; }
    QLineEdit *searchBox() const { return m_search; }
    DiffView *diffView() const { return m_diff; }
    QTabWidget *tabs() const { return m_tabs; }
    GuardedChangeDialog *openDialog() const { return m_guarded->dialog(); }
    VersionEditor *openEditor() const { return m_editor; }
    // The versions selected in the timeline, newest first.
    std::vector<quint32> selectedVersions() const;
    void selectVersions(const std::vector<quint32> &versions);
    // Shows that prompt (clearing a search that hides it).
    void openPrompt(const QString &name);
    void addCommands(std::vector<CommandEntry> &out) override;

    void newVersion();
    void newPrompt(); // Ctrl+Alt+N
    void moveLabel(const QString &label);
    void rollBackProduction();
    void askNewLabel();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void showEditor(const VersionDraft &seed, bool restored);
    void applySearch(const QString &text);
    void updateSearchCount();
    void showSelection();
    void showTemplate(const PromptVersion *v);
    void updateDiff();
    void updateHeader();
    void updateActions();
    void updateDraftBar();
    void fillCompareCombo();
    void fillMoveMenu(QMenu *menu);
    // conflict: what the other person did, when this is the second decision.
    void ask(const Change &change, const QString &conflict = {});
    void onConflict(const Change &change, const ConflictInfo &conflict);

    Session *m_session;
    PromptsController *m_controller;
    QSortFilterProxyModel *m_promptProxy = nullptr;
    QSortFilterProxyModel *m_versionProxy = nullptr;
    QSortFilterProxyModel *m_historyProxy = nullptr;
    StaleBanner *m_banner;
    QLineEdit *m_search;
    QLabel *m_searchCount;
    QTableView *m_prompts;
    QLabel *m_title;
    QLabel *m_draftBar;
    QAction *m_newAction = nullptr;
    QAction *m_newPromptAction = nullptr;
    QAction *m_moveAction = nullptr;
    QToolButton *m_moveButton = nullptr;
    QMenu *m_moveMenu = nullptr;
    QAction *m_promoteAction = nullptr;
    QAction *m_rollbackAction = nullptr;
    QComboBox *m_compare;
    QTableView *m_versions;
    QTabWidget *m_tabs;
    QLabel *m_versionHeader;
    QPlainTextEdit *m_template;
    TemplateHighlighter *m_templateHighlighter;
    DiffView *m_diff;
    QTableView *m_history;
    QLabel *m_historyNote;
    QLabel *m_hint;
    GuardedChangeHost *m_guarded = nullptr;
    VersionEditor *m_editor = nullptr;
    quint32 m_selectAfterReset = 0;
};

} // namespace sb
