#include "ui/prompts/version_editor.h"

#include "ui/common/format.h"
#include "ui/common/palette.h"
#include "ui/prompts/prompts_controller.h"
#include "ui/prompts/template_highlighter.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QRegularExpression>
#include <QShortcut>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QThreadPool>
#include <QVBoxLayout>

namespace sb {

VersionEditor::VersionEditor(PromptsController *controller, const VersionDraft &seed, bool restored,
                             QWidget *parent)
    : QDialog(parent), m_controller(controller), m_prompt(seed.prompt), m_newPrompt(seed.newPrompt),
      m_parent(seed.parentVersion), m_etag(seed.expectedEtag)
{
    setObjectName(QStringLiteral("versionEditor"));
    setWindowTitle(m_newPrompt ? tr("New prompt") : tr("New version of %1").arg(seed.prompt));
    setModal(true);
    resize(1180, 760);
    buildUi(seed);
    if (restored && m_newPrompt) {
        m_banner->setText(tr("Restored the new prompt you were writing %1 (%2). Nothing of it is "
                             "on the service yet.")
                              .arg(formatAge(QDateTime::currentMSecsSinceEpoch() - seed.savedMs),
                                   formatTime(seed.savedMs)));
        m_banner->show();
    } else if (restored) {
        m_banner->setText(tr("Restored the draft you were writing %1 (%2), from v%3. Nothing "
                             "of it is saved on the service yet.")
                              .arg(formatAge(QDateTime::currentMSecsSinceEpoch() - seed.savedMs),
                                   formatTime(seed.savedMs))
                              .arg(seed.parentVersion));
        m_banner->show();
    }

    m_analysisTimer.setSingleShot(true);
    m_analysisTimer.setInterval(120);
    connect(&m_analysisTimer, &QTimer::timeout, this, &VersionEditor::startAnalysis);
    m_draftTimer.setSingleShot(true);
    m_draftTimer.setInterval(600);
    connect(&m_draftTimer, &QTimer::timeout, this, [this] {
        keepDraft();
        m_controller->setSampleValues(m_prompt, samples());
    });
    connect(m_controller, &PromptsController::versionSaved, this,
            [this](const QString &requestId, const PromptVersion &v) {
                if (requestId != m_pendingId)
                    return;
                m_pendingId.clear();
                m_draftTimer.stop();
                if (m_newPrompt)
                    m_controller->local()->discardNewPromptDraft();
                else
                    m_controller->discardDraft(m_prompt);
                emit saved(v);
                accept();
            });
    connect(m_controller, &PromptsController::versionSaveFailed, this,
            &VersionEditor::onSaveFailed);
    m_loading = false;
    startAnalysis();
    if (m_name)
        m_name->setFocus();
    else
        m_template->setFocus();
}

void VersionEditor::setVariables(const std::vector<PromptVariable> &vars)
{
    const bool was = m_loading;
    m_loading = true;
    m_vars->setRowCount(0);
    for (const auto &v : vars) {
        const int row = m_vars->rowCount();
        m_vars->insertRow(row);
        m_vars->setItem(row, VarName, new QTableWidgetItem(v.name));
        auto *req = new QTableWidgetItem;
        req->setFlags(Qt::ItemIsUserCheckable | Qt::ItemIsEnabled | Qt::ItemIsSelectable);
        req->setCheckState(v.required ? Qt::Checked : Qt::Unchecked);
        m_vars->setItem(row, VarRequired, req);
        m_vars->setItem(row, VarDefault, new QTableWidgetItem(v.defaultValue));
        m_vars->setItem(row, VarDescription, new QTableWidgetItem(v.description));
    }
    m_vars->resizeColumnsToContents();
    m_loading = was;
}

std::vector<PromptVariable> VersionEditor::variables() const
{
    std::vector<PromptVariable> out;
    for (int r = 0; r < m_vars->rowCount(); ++r) {
        auto text = [&](int c) {
            auto *i = m_vars->item(r, c);
            return i ? i->text() : QString();
        };
        PromptVariable v;
        v.name = text(VarName).trimmed();
        if (v.name.isEmpty())
            continue;
        auto *req = m_vars->item(r, VarRequired);
        v.required = req && req->checkState() == Qt::Checked;
        v.defaultValue = text(VarDefault);
        v.description = text(VarDescription);
        out.push_back(v);
    }
    return out;
}

QMap<QString, QString> VersionEditor::samples() const
{
    QMap<QString, QString> out;
    for (int r = 0; r < m_samples->rowCount(); ++r) {
        auto *name = m_samples->item(r, 0);
        auto *value = m_samples->item(r, 1);
        if (name && value && !value->text().isEmpty())
            out.insert(name->text(), value->text());
    }
    return out;
}

void VersionEditor::reject()
{
    // Esc, Close or the window's close button: the draft is kept, at once
    // (not a moment later, when the dialog is gone).
    m_draftTimer.stop();
    if (!m_discarded)
        keepDraft();
    QDialog::reject();
}

void VersionEditor::keepDraft()
{
    if (m_newPrompt) {
        m_controller->local()->saveNewPromptDraft(draft());
        return; // sample values are kept once the prompt has its name
    }
    m_controller->saveDraft(draft());
    m_controller->setSampleValues(m_prompt, samples());
}

VersionDraft VersionEditor::draft() const
{
    VersionDraft d;
    d.prompt = m_prompt;
    d.newPrompt = m_newPrompt;
    d.parentVersion = m_parent;
    d.expectedEtag = m_etag;
    d.templateText = m_template->toPlainText();
    d.model = m_model->currentText().trimmed();
    if (m_temperature->value() >= 0)
        d.params.temperature = m_temperature->value();
    if (m_topP->value() >= 0)
        d.params.topP = m_topP->value();
    if (m_maxTokens->value() > 0)
        d.params.maxOutputTokens = quint32(m_maxTokens->value());
    d.variables = variables();
    d.message = m_message->text().trimmed();
    if (m_description)
        d.description = m_description->text().trimmed();
    return d;
}

void VersionEditor::edited()
{
    if (m_loading)
        return;
    m_analysisTimer.start();
    m_draftTimer.start();
}

void VersionEditor::startAnalysis()
{
    const quint64 generation = ++m_generation;
    const QString text = m_template->toPlainText();
    QList<TemplateVariable> declared;
    for (const auto &v : variables())
        declared.append({v.name, v.required, v.defaultValue});
    const QMap<QString, QString> values = samples();
    // Parsing and rendering a long template can take milliseconds: off the
    // GUI thread, and only the newest answer is shown.
    QPointer<VersionEditor> self(this);
    QThreadPool::globalInstance()->start([self, generation, text, declared, values] {
        const TemplateAnalysis a = analyzeTemplate(text);
        const RenderResult r = renderTemplate(text, values, declared);
        QMetaObject::invokeMethod(
            qApp,
            [self, generation, a, r] {
                if (self)
                    self->showAnalysis(generation, a, r);
            },
            Qt::QueuedConnection);
    });
}

void VersionEditor::showAnalysis(quint64 generation, const TemplateAnalysis &a,
                                 const RenderResult &r)
{
    if (generation != m_generation)
        return; // a newer edit is being analysed
    m_shownGeneration = generation;
    m_analysis = a;
    QStringList declaredNames;
    for (const auto &v : variables())
        declaredNames << v.name;
    QStringList fields;
    for (const auto &f : a.fields)
        fields << f;
    m_highlighter->setNames(declaredNames, fields, a.ok());

    m_undeclared.clear();
    m_unused.clear();
    if (a.ok()) {
        for (const QString &n : a.variables) {
            if (!declaredNames.contains(n))
                m_undeclared << n;
        }
        for (const QString &n : declaredNames) {
            if (!a.variables.contains(n) && !fields.contains(n))
                m_unused << n;
        }
    }
    QStringList lines;
    if (!m_undeclared.isEmpty()) {
        QStringList links;
        for (const QString &n : m_undeclared)
            links << QStringLiteral("<b>%1</b> (<a href=\"declare:%1\">declare</a>)")
                         .arg(n.toHtmlEscaped());
        lines << tr("⚠ Used but not declared: %1 — the service refuses a version with "
                    "undeclared variables.")
                     .arg(links.join(QStringLiteral(", ")));
    }
    if (!m_unused.isEmpty())
        lines << tr("⚠ Declared but not used: %1.")
                     .arg(m_unused.join(QStringLiteral(", ")).toHtmlEscaped());
    for (auto it = a.fields.begin(); it != a.fields.end(); ++it)
        lines << tr("Fields of each %1 item: %2.")
                     .arg(it.key().toHtmlEscaped(), it.value().join(QStringLiteral(", ")));
    m_warnings->setText(lines.join(QStringLiteral("<br>")));
    m_warnings->setVisible(!lines.isEmpty());

    if (!a.ok()) {
        m_templateError->setText(tr("Template: %1").arg(a.error));
        m_templateError->show();
    } else if (m_templateError->property("fromService").toBool() == false) {
        m_templateError->hide();
    }

    syncSampleRows();
    m_preview->setPlainText(a.ok() ? r.text : QString());
    QStringList notes;
    if (!a.ok())
        notes << tr("No preview until the template parses.");
    if (!r.missing.isEmpty())
        notes << tr("No sample for %1: rendered empty.").arg(r.missing.join(QStringLiteral(", ")));
    if (!r.defaulted.isEmpty())
        notes << tr("Defaults used for %1.").arg(r.defaulted.join(QStringLiteral(", ")));
    if (!a.sections.isEmpty())
        notes << tr("A section's sample may be a JSON list, e.g. [{\"q\": \"…\", \"a\": \"…\"}].");
    m_previewNote->setText(notes.join(QLatin1Char(' ')));
}

void VersionEditor::syncSampleRows()
{
    // One row per variable the template uses; values typed for a variable
    // that is gone stay (hidden) so renaming back restores them.
    const bool was = m_loading;
    m_loading = true;
    QSet<QString> have;
    for (int r = 0; r < m_samples->rowCount(); ++r) {
        auto *name = m_samples->item(r, 0);
        if (!name)
            continue;
        have.insert(name->text());
        m_samples->setRowHidden(r, !m_analysis.variables.contains(name->text()));
    }
    for (const QString &n : m_analysis.variables) {
        if (have.contains(n))
            continue;
        const int row = m_samples->rowCount();
        m_samples->insertRow(row);
        auto *name = new QTableWidgetItem(n);
        name->setFlags(name->flags() & ~Qt::ItemIsEditable);
        m_samples->setItem(row, 0, name);
        m_samples->setItem(row, 1, new QTableWidgetItem);
    }
    // Template order.
    for (int i = 0; i < m_analysis.variables.size(); ++i) {
        for (int r = 0; r < m_samples->rowCount(); ++r) {
            auto *name = m_samples->item(r, 0);
            if (name && name->text() == m_analysis.variables[i]) {
                auto *req = m_samples->item(r, 0);
                bool required = false;
                for (const auto &v : variables())
                    required = required || (v.name == name->text() && v.required);
                QFont f = req->font();
                f.setBold(required);
                req->setFont(f);
                req->setToolTip(required ? tr("required") : tr("optional"));
            }
        }
    }
    m_loading = was;
}

void VersionEditor::declare(const QString &name)
{
    const int row = m_vars->rowCount();
    m_loading = true;
    m_vars->insertRow(row);
    m_vars->setItem(row, VarName, new QTableWidgetItem(name));
    auto *req = new QTableWidgetItem;
    req->setFlags(Qt::ItemIsUserCheckable | Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    req->setCheckState(Qt::Unchecked);
    m_vars->setItem(row, VarRequired, req);
    m_vars->setItem(row, VarDefault, new QTableWidgetItem);
    m_vars->setItem(row, VarDescription, new QTableWidgetItem);
    m_loading = false;
    m_vars->setCurrentCell(row, name.isEmpty() ? VarName : VarDescription);
    if (name.isEmpty())
        m_vars->editItem(m_vars->item(row, VarName));
    edited();
}

void VersionEditor::save()
{
    if (!m_pendingId.isEmpty())
        return; // one save at a time
    clearFieldErrors();
    const VersionDraft d = draft();
    if (m_newPrompt) {
        if (d.prompt.isEmpty()) {
            showFieldError(QStringLiteral("prompt_name"), tr("Name the prompt."));
            return;
        }
        if (m_controller->prompt(d.prompt)) {
            showFieldError(
                QStringLiteral("prompt_name"),
                tr("%1 exists already: select it and write a new version (Ctrl+N).").arg(d.prompt));
            return;
        }
    }
    if (d.message.isEmpty()) {
        showFieldError(QStringLiteral("message"), tr("Say what changed and why; it is the "
                                                     "version's history."));
        return;
    }
    m_draftTimer.stop();
    if (m_newPrompt)
        m_controller->local()->saveNewPromptDraft(d);
    else
        m_controller->saveDraft(d);
    m_controller->setSampleValues(m_prompt, samples());
    m_save->setEnabled(false);
    m_save->setText(tr("Saving…"));
    m_pendingId = m_controller->saveVersion(d);
}

void VersionEditor::clearFieldErrors()
{
    for (QLabel *l : {m_nameError, m_templateError, m_varsError, m_modelError, m_paramsError,
                      m_messageError, m_saveError}) {
        if (!l)
            continue;
        l->hide();
        l->setProperty("fromService", false);
    }
}

void VersionEditor::showFieldError(const QString &field, const QString &message)
{
    QLabel *label = m_saveError;
    QWidget *focus = nullptr;
    if ((field == QLatin1String("prompt_name") || field == QLatin1String("description")) &&
        m_nameError) {
        label = m_nameError;
        focus =
            field == QLatin1String("prompt_name") ? static_cast<QWidget *>(m_name) : m_description;
    } else if (field == QLatin1String("template")) {
        label = m_templateError;
        focus = m_template;
    } else if (field.startsWith(QLatin1String("variables"))) {
        label = m_varsError;
        focus = m_vars;
        static const QRegularExpression index(QStringLiteral("^variables\\[(\\d+)\\]"));
        if (const auto m = index.match(field); m.hasMatch()) {
            // The service counts declared variables; rows with no name are not sent.
            int want = m.captured(1).toInt();
            for (int r = 0; r < m_vars->rowCount(); ++r) {
                auto *i = m_vars->item(r, VarName);
                if (!i || i->text().trimmed().isEmpty())
                    continue;
                if (want-- == 0) {
                    m_vars->setCurrentCell(r, VarName);
                    break;
                }
            }
        }
    } else if (field == QLatin1String("model")) {
        label = m_modelError;
        focus = m_model;
    } else if (field.startsWith(QLatin1String("parameters"))) {
        label = m_paramsError;
        if (field.endsWith(QLatin1String("top_p")))
            focus = m_topP;
        else if (field.endsWith(QLatin1String("max_output_tokens")))
            focus = m_maxTokens;
        else
            focus = m_temperature;
    } else if (field == QLatin1String("message")) {
        label = m_messageError;
        focus = m_message;
    }
    label->setText(message);
    label->setProperty("fromService", true);
    label->show();
    if (focus)
        focus->setFocus(Qt::OtherFocusReason);
}

void VersionEditor::onSaveFailed(const QString &requestId, const RpcError &error)
{
    if (requestId != m_pendingId)
        return;
    m_pendingId.clear();
    m_save->setEnabled(true);
    m_save->setText(tr("Save version  (Ctrl+S)"));
    if (error.code == RpcCode::InvalidArgument) {
        // "template: unclosed section ..." -> next to the template.
        static const QRegularExpression field(QStringLiteral("^([a-z_\\.\\[\\]0-9]+):\\s*(.*)$"),
                                              QRegularExpression::DotMatchesEverythingOption);
        const auto m = field.match(error.message);
        if (m.hasMatch())
            showFieldError(m.captured(1),
                           QStringLiteral("%1: %2").arg(m.captured(1), m.captured(2)));
        else
            showFieldError({}, error.message);
        return;
    }
    if (error.code == RpcCode::FailedPrecondition && error.conflict) {
        const auto *p = std::get_if<Prompt>(&error.conflict->current);
        const QString who =
            error.conflict->updatedBy.isEmpty() ? tr("someone") : error.conflict->updatedBy;
        QString what;
        if (p && p->latestVersion > m_parent)
            what = tr("%1 changed %2 while you were editing (it is at v%3 now, at %4; you "
                      "started from v%5).")
                       .arg(who, m_prompt)
                       .arg(p->latestVersion)
                       .arg(formatClock(error.conflict->updatedMs))
                       .arg(m_parent);
        else
            what = tr("%1 changed %2 while you were editing (at %3).")
                       .arg(who, m_prompt, formatClock(error.conflict->updatedMs));
        m_banner->setText(tr("<b>Not saved.</b> %1 Nothing was overwritten: compare with the "
                             "newest version on the page, then Save again to add yours "
                             "as the next version, still written from v%2.")
                              .arg(what.toHtmlEscaped())
                              .arg(m_parent));
        m_banner->show();
        // Deciding again means saving against the prompt as it is now.
        m_etag = error.conflict->currentEtag;
        m_save->setText(tr("Save anyway as the next version  (Ctrl+S)"));
        return;
    }
    showFieldError({},
                   error.code == RpcCode::PermissionDenied
                       ? tr("Not saved: your role cannot create versions (%1).").arg(error.message)
                       : tr("Not saved: %1").arg(error.describe()));
}

} // namespace sb
