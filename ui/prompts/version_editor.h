#pragma once

// VersionEditor: writes a new version of a prompt, seeded from the selected
// one. The template is Mustache with `{{tags}}` highlighted; as you type, the
// editor says which variables are used but not declared (one click declares
// them) and which are declared but unused; model and parameters are
// editable; a live preview renders the template with sample values (kept
// per prompt) the way the service will. Analysis and rendering run on a
// worker thread and only the newest result is shown, so a long template
// never stalls typing. Every edit is kept as a local draft, so a crash loses
// nothing. Save (Ctrl+S) needs a message; the service's INVALID_ARGUMENT,
// which names the field, is shown under that field; a version someone else
// added meanwhile is shown before anything is saved, and the user decides.
// Opened with open(); it closes itself once the version is saved.

#include "client/rpc_error.h"
#include "core/prompt_template.h"
#include "ui/prompts/version_draft.h"

#include <QDialog>
#include <QTimer>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace sb {

class PromptsController;
class TemplateHighlighter;

class VersionEditor : public QDialog
{
    Q_OBJECT
public:
    // restored: the seed is a draft kept from an earlier session.
    VersionEditor(PromptsController *controller, const VersionDraft &seed, bool restored,
                  QWidget *parent = nullptr);

    VersionDraft draft() const;
    // The newest analysis shown (for tests).
    const TemplateAnalysis &analysis() const { return m_analysis; }
    QStringList undeclared() const { return m_undeclared; }
    QStringList unused() const { return m_unused; }
    // Waits for nothing: whether a preview for the current text is on screen.
    bool previewCurrent() const
    {
        return !m_analysisTimer.isActive() && m_shownGeneration == m_generation;
    }

    void reject() override;

signals:
    void saved(const sb::PromptVersion &version);

private:
    // Columns of the variables table.
    enum VarColumn
    {
        VarName,
        VarRequired,
        VarDefault,
        VarDescription
    };
    void buildUi(const VersionDraft &seed);
    void setVariables(const std::vector<PromptVariable> &vars);
    std::vector<PromptVariable> variables() const;
    QMap<QString, QString> samples() const;
    void edited();
    void startAnalysis();
    void showAnalysis(quint64 generation, const TemplateAnalysis &analysis,
                      const RenderResult &render);
    void syncSampleRows();
    void declare(const QString &name);
    void save();
    void keepDraft(); // locally, as typed and on close
    void onSaveFailed(const QString &requestId, const RpcError &error);
    void clearFieldErrors();
    void showFieldError(const QString &field, const QString &message);

    PromptsController *m_controller;
    QString m_prompt;
    bool m_newPrompt = false; // the first version of a prompt named here
    quint32 m_parent = 0;
    QString m_etag;
    QString m_pendingId;
    bool m_loading = true;
    bool m_discarded = false;

    QLabel *m_banner = nullptr;
    QLineEdit *m_name = nullptr;        // new prompt only
    QLineEdit *m_description = nullptr; // new prompt only
    QLabel *m_nameError = nullptr;
    QPlainTextEdit *m_template = nullptr;
    TemplateHighlighter *m_highlighter = nullptr;
    QLabel *m_templateError = nullptr;
    QLabel *m_warnings = nullptr;
    QTableWidget *m_vars = nullptr;
    QLabel *m_varsError = nullptr;
    QComboBox *m_model = nullptr;
    QLabel *m_modelError = nullptr;
    QDoubleSpinBox *m_temperature = nullptr;
    QDoubleSpinBox *m_topP = nullptr;
    QSpinBox *m_maxTokens = nullptr;
    QLabel *m_paramsError = nullptr;
    QTableWidget *m_samples = nullptr;
    QPlainTextEdit *m_preview = nullptr;
    QLabel *m_previewNote = nullptr;
    QLineEdit *m_message = nullptr;
    QLabel *m_messageError = nullptr;
    QLabel *m_saveError = nullptr;
    QPushButton *m_save = nullptr;

    QTimer m_analysisTimer;
    QTimer m_draftTimer;
    quint64 m_generation = 0;
    quint64 m_shownGeneration = 0;
    TemplateAnalysis m_analysis;
    QStringList m_undeclared;
    QStringList m_unused;
};

} // namespace sb
