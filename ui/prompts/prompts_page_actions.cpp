// PromptsPage's actions: which are enabled and why, moving a label
// (including a new one) and rolling production back through the guarded-change
// dialog, the conflict's second ask, and the editor for a new prompt or
// version (with a draft restored after a crash).
#include "ui/common/guarded_change_dialog.h"
#include "ui/prompts/diff_view.h"
#include "ui/prompts/prompts_controller.h"
#include "ui/prompts/prompts_page.h"
#include "ui/prompts/version_editor.h"
#include "ui/session.h"

#include <QAction>
#include <QInputDialog>
#include <QLabel>
#include <QMenu>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QTableView>

namespace sb {

static const QString kProduction = QStringLiteral("production");

void PromptsPage::updateActions()
{
    const QString prompt = m_controller->selectedPrompt();
    const auto sel = selectedVersions();
    const QString blocked = m_controller->writeBlockedReason();
    const bool one = sel.size() == 1;

    m_newPromptAction->setEnabled(blocked.isEmpty());
    m_newPromptAction->setToolTip(!blocked.isEmpty()
                                      ? blocked
                                      : tr("Start a prompt of your own: name, template, "
                                           "model and its first version (Ctrl+Alt+N)"));
    m_newAction->setEnabled(blocked.isEmpty() && !prompt.isEmpty());
    m_newAction->setToolTip(
        !blocked.isEmpty() ? blocked : tr("Write a new version from the selected one (Ctrl+N)"));
    m_moveAction->setEnabled(blocked.isEmpty() && one);
    m_moveAction->setToolTip(!blocked.isEmpty() ? blocked
                             : one ? tr("Point a label at v%1 (Ctrl+L)").arg(sel.front())
                                   : tr("Select one version to point a label at"));

    QString why;
    const auto promote =
        one ? m_controller->moveLabelChange(prompt, kProduction, sel.front(), &why) : std::nullopt;
    const QString promoteBlocked = m_controller->labelMoveBlockedReason(kProduction);
    m_promoteAction->setEnabled(promoteBlocked.isEmpty() && promote.has_value());
    m_promoteAction->setText(promote ? tr("Promote v%1").arg(sel.front()) : tr("Promote"));
    m_promoteAction->setToolTip(!promoteBlocked.isEmpty() ? promoteBlocked
                                : promote ? tr("Move production to v%1").arg(sel.front())
                                : one     ? why
                                          : tr("Select one version"));
    QString rollWhy;
    const auto rollback = m_controller->rollbackChange(prompt, &rollWhy);
    m_rollbackAction->setEnabled(promoteBlocked.isEmpty() && rollback.has_value());
    m_rollbackAction->setText(rollback ? tr("Roll back to v%1").arg(rollback->version)
                                       : tr("Roll back"));
    m_rollbackAction->setToolTip(!promoteBlocked.isEmpty() ? promoteBlocked
                                 : rollback ? tr("Roll production back to v%1, where it pointed "
                                                 "before its last move")
                                                  .arg(rollback->version)
                                            : rollWhy);
    if (!blocked.isEmpty())
        m_hint->setText(tr("Writing is disabled: %1.").arg(blocked));
    else if (!promoteBlocked.isEmpty())
        m_hint->setText(tr("Production cannot be moved from this console: %1. Other labels "
                           "and new versions can.")
                            .arg(promoteBlocked));
    else
        m_hint->setText(tr("Ctrl+N writes a new version · Ctrl+Alt+N a new prompt · Ctrl+L "
                           "points a label at the selected version · Ctrl+click two versions to "
                           "compare them"));
}

void PromptsPage::fillMoveMenu(QMenu *menu)
{
    menu->clear();
    const auto sel = selectedVersions();
    const QString prompt = m_controller->selectedPrompt();
    const Prompt *p = m_controller->prompt(prompt);
    if (!p || sel.size() != 1) {
        menu->addAction(tr("Select one version first"))->setEnabled(false);
        return;
    }
    const quint32 target = sel.front();
    QStringList labels{kProduction, QStringLiteral("staging")};
    for (const auto &l : p->labels) {
        if (!labels.contains(l.name))
            labels << l.name;
    }
    for (const QString &label : labels) {
        const quint32 now = labelVersion(*p, label);
        const QString text = now ? tr("%1: v%2 → v%3").arg(label).arg(now).arg(target)
                                 : tr("%1 (new) → v%2").arg(label).arg(target);
        QAction *a = menu->addAction(text, this, [this, label] { moveLabel(label); });
        a->setObjectName(QStringLiteral("move-") + label);
        const QString blocked = m_controller->labelMoveBlockedReason(label);
        QString why;
        const bool can = m_controller->moveLabelChange(prompt, label, target, &why).has_value();
        a->setEnabled(blocked.isEmpty() && can);
        a->setToolTip(!blocked.isEmpty() ? blocked : why);
    }
    menu->addSeparator();
    QAction *other = menu->addAction(tr("Another label…"), this, &PromptsPage::askNewLabel);
    other->setObjectName(QStringLiteral("move-other"));
    other->setEnabled(m_controller->writeBlockedReason().isEmpty());
    menu->setToolTipsVisible(true);
}

void PromptsPage::askNewLabel()
{
    auto *input = new QInputDialog(this);
    input->setObjectName(QStringLiteral("newLabelDialog"));
    input->setAttribute(Qt::WA_DeleteOnClose);
    input->setWindowTitle(tr("Move a label"));
    input->setLabelText(tr("Label to point at the selected version (lowercase letters, digits "
                           "and '-'; created if new):"));
    input->setTextValue(QStringLiteral("canary"));
    connect(input, &QInputDialog::textValueSelected, this,
            [this](const QString &label) { moveLabel(label.trimmed()); });
    input->open();
}

void PromptsPage::moveLabel(const QString &label)
{
    const QString blocked = m_controller->labelMoveBlockedReason(label);
    if (!blocked.isEmpty()) {
        emit m_session->message(tr("Cannot move %1: %2").arg(label, blocked));
        return;
    }
    const auto sel = selectedVersions();
    if (sel.size() != 1) {
        emit m_session->message(tr("Select one version to point %1 at").arg(label));
        return;
    }
    QString why;
    const auto change =
        m_controller->moveLabelChange(m_controller->selectedPrompt(), label, sel.front(), &why);
    if (!change) {
        emit m_session->message(why);
        return;
    }
    ask(*change);
}

void PromptsPage::rollBackProduction()
{
    const QString blocked = m_controller->labelMoveBlockedReason(kProduction);
    if (!blocked.isEmpty()) {
        emit m_session->message(tr("Cannot roll back production: %1").arg(blocked));
        return;
    }
    QString why;
    const auto change = m_controller->rollbackChange(m_controller->selectedPrompt(), &why);
    if (!change) {
        emit m_session->message(tr("Cannot roll back production: %1").arg(why));
        return;
    }
    ask(*change);
}

void PromptsPage::ask(const Change &change, const QString &conflict)
{
    GuardedChangeDialog *d =
        m_guarded->create(change, m_controller->impactOf(change), m_session->isProduction());
    // The diff from where the label points now to where it will.
    const Prompt *p = m_controller->prompt(change.object);
    const quint32 current = p ? labelVersion(*p, change.item) : 0;
    const PromptVersion *from = current ? m_controller->version(change.object, current) : nullptr;
    const PromptVersion *to = m_controller->version(change.object, change.version);
    if (from && to) {
        auto *diff = new DiffView;
        diff->setObjectName(QStringLiteral("labelMoveDiff"));
        diff->setVersions(*from, *to, tr("%1 now: v%2").arg(change.item).arg(current),
                          tr("after: v%1").arg(change.version));
        d->setDetailsWidget(diff);
    } else if (to) {
        d->setDetails(to->templateText);
    }
    if (!conflict.isEmpty()) {
        QString theirs;
        for (const auto &m : m_controller->labelMoves(change.object)) {
            if (m.label == change.item) {
                theirs = m.reason;
                break;
            }
        }
        d->setConflict(conflict, theirs);
    }
    m_guarded->open();
}

void PromptsPage::onConflict(const Change &change, const ConflictInfo &conflict)
{
    const auto again = m_controller->rebase(change);
    if (GuardedChangeHost::alreadyDone(this, again,
                                       m_controller->describeConflict(change, conflict)))
        return;
    // Described against what the user saw, before the rebase.
    ask(*again, m_controller->describeConflict(change, conflict));
}

void PromptsPage::newPrompt()
{
    const QString blocked = m_controller->writeBlockedReason();
    if (!blocked.isEmpty()) {
        emit m_session->message(tr("Cannot create a prompt: %1").arg(blocked));
        return;
    }
    if (m_editor) {
        m_editor->raise();
        return;
    }
    if (auto kept = m_controller->local()->newPromptDraft()) {
        showEditor(*kept, true); // the new prompt written last time, not lost
        return;
    }
    VersionDraft seed; // no name: the editor asks for one
    seed.newPrompt = true;
    const QStringList models = m_controller->knownModels();
    if (!models.isEmpty())
        seed.model = models.front();
    showEditor(seed, false);
}

void PromptsPage::newVersion()
{
    const QString blocked = m_controller->writeBlockedReason();
    if (!blocked.isEmpty()) {
        emit m_session->message(tr("Cannot write a version: %1").arg(blocked));
        return;
    }
    const QString prompt = m_controller->selectedPrompt();
    const Prompt *p = m_controller->prompt(prompt);
    if (!p) {
        emit m_session->message(tr("Select a prompt first"));
        return;
    }
    if (m_editor) {
        m_editor->raise();
        return;
    }
    VersionDraft seed;
    bool restored = false;
    if (auto d = m_controller->draft(prompt)) {
        seed = *d;
        restored = true;
    } else {
        const auto sel = selectedVersions();
        const quint32 from = sel.empty() ? p->latestVersion : sel.front();
        const PromptVersion *v = m_controller->version(prompt, from);
        if (!v) {
            emit m_session->message(tr("v%1 of %2 is not loaded yet").arg(from).arg(prompt));
            return;
        }
        seed = VersionDraft::from(*v, p->etag);
    }
    showEditor(seed, restored);
}

void PromptsPage::showEditor(const VersionDraft &seed, bool restored)
{
    m_editor = new VersionEditor(m_controller, seed, restored, this);
    m_editor->setAttribute(Qt::WA_DeleteOnClose);
    auto *e = m_editor;
    connect(e, &VersionEditor::saved, this, [this](const PromptVersion &v) {
        if (v.promptName != m_controller->selectedPrompt()) {
            // A new prompt: open it (the list has it already).
            m_controller->selectPrompt(v.promptName);
            const int row = m_controller->prompts()->rowOf(v.promptName);
            if (row >= 0)
                m_prompts->setCurrentIndex(
                    m_promptProxy->mapFromSource(m_controller->prompts()->index(row, 0)));
        }
        m_selectAfterReset = v.version;
        if (m_controller->versions()->rowOf(v.version) >= 0) {
            selectVersions({v.version});
            m_selectAfterReset = 0;
        }
        m_tabs->setCurrentIndex(DiffTab);
        emit m_session->message(tr("Saved v%1 of %2").arg(v.version).arg(v.promptName));
    });
    connect(e, &QDialog::finished, this, [this] {
        m_versions->setFocus();
        updateDraftBar();
    });
    connect(e, &QObject::destroyed, this, [this, e] {
        if (m_editor == e)
            m_editor = nullptr;
    });
    m_draftBar->hide();
    e->open();
}

} // namespace sb
