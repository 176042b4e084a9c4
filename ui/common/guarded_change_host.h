#pragma once

// GuardedChangeHost: how a page asks for a guarded change. One dialog at a
// time (asking again replaces the open one), the change submitted when the
// user confirms, focus back to the page's list when it closes. After a
// conflict, alreadyDone() tells the user when the other person already did
// what they wanted (nothing left to decide); otherwise the page asks again
// with the rebased change.

#include "ui/common/guarded_change_dialog.h"

#include <QObject>
#include <QPointer>
#include <functional>
#include <optional>

namespace sb {

class GuardedChangeHost : public QObject
{
    Q_OBJECT
public:
    using Submit = std::function<void(const Change &)>;

    // The dialogs are children of `page`; `focusBack` (optional) gets the
    // focus when one closes, so the next key acts at once.
    GuardedChangeHost(QWidget *page, Submit submit, QWidget *focusBack = nullptr);

    // Replaces any open dialog with a new one for `change`, to fill in
    // (conflict, details) before open().
    GuardedChangeDialog *create(const Change &change, const QString &impact, bool production);
    void open();
    GuardedChangeDialog *dialog() const { return m_dialog; }

    // True when the rebase found nothing left to do: an "Already done" box
    // says so over `parent` with `described` (the conflict in words).
    static bool alreadyDone(QWidget *parent, const std::optional<Change> &rebased,
                            const QString &described);

private:
    QWidget *m_page;
    Submit m_submit;
    QPointer<QWidget> m_focusBack;
    QPointer<GuardedChangeDialog> m_dialog;
};

} // namespace sb
