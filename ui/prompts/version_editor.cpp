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

namespace {

enum VarColumn
{
    VarName,
    VarRequired,
    VarDefault,
    VarDescription
};

QLabel *errorLabel(QWidget *parent, const QString &name)
{
    auto *l = new QLabel(parent);
    l->setObjectName(name);
    l->setWordWrap(true);
    l->setStyleSheet(
        QStringLiteral("QLabel { color: %1; font-weight: bold; }").arg(palette::bad().name()));
    l->hide();
    return l;
}

QFont monospace()
{
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::TypeWriter);
    return mono;
}

} // namespace

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

void VersionEditor::buildUi(const VersionDraft &seed)
{
    auto *layout = new QVBoxLayout(this);
    layout->setSpacing(8);

    auto *title = new QLabel(m_newPrompt ? tr("<b>New prompt</b> · its first version")
                             : seed.parentVersion
                                 ? tr("<b>%1</b> · new version written from v%2")
                                       .arg(seed.prompt.toHtmlEscaped())
                                       .arg(seed.parentVersion)
                                 : tr("<b>%1</b> · first version").arg(seed.prompt.toHtmlEscaped()),
                             this);
    QFont tf = title->font();
    tf.setPointSizeF(tf.pointSizeF() * 1.2);
    title->setFont(tf);
    layout->addWidget(title);

    m_banner = new QLabel(this);
    m_banner->setObjectName(QStringLiteral("editorBanner"));
    m_banner->setWordWrap(true);
    m_banner->setTextFormat(Qt::RichText);
    m_banner->setStyleSheet(QStringLiteral("QLabel#editorBanner { background: #fff4ce; color: "
                                           "#5c4400; border: 1px solid #e6c75c; border-radius: "
                                           "3px; padding: 6px; }"));
    m_banner->hide();
    layout->addWidget(m_banner);

    if (m_newPrompt) {
        auto *form = new QFormLayout;
        m_name = new QLineEdit(this);
        m_name->setObjectName(QStringLiteral("promptNameEdit"));
        m_name->setPlaceholderText(tr("e.g. refund-reply (letters, digits and dashes)"));
        m_name->setText(seed.prompt);
        m_nameError = errorLabel(this, QStringLiteral("nameError"));
        auto *nameCol = new QVBoxLayout;
        nameCol->addWidget(m_name);
        nameCol->addWidget(m_nameError);
        auto *nameLabel = new QLabel(tr("&Name:"), this);
        nameLabel->setBuddy(m_name);
        form->addRow(nameLabel, nameCol);
        m_description = new QLineEdit(this);
        m_description->setObjectName(QStringLiteral("promptDescriptionEdit"));
        m_description->setPlaceholderText(tr("What the prompt is for (shown in the list)"));
        m_description->setText(seed.description);
        auto *descLabel = new QLabel(tr("&Description:"), this);
        descLabel->setBuddy(m_description);
        form->addRow(descLabel, m_description);
        layout->addLayout(form);
        connect(m_name, &QLineEdit::textChanged, this, [this](const QString &text) {
            m_prompt = text.trimmed();
            m_nameError->hide();
            edited();
        });
        connect(m_description, &QLineEdit::textChanged, this, &VersionEditor::edited);
    }

    auto *split = new QSplitter(Qt::Horizontal, this);

    // Left: template, variables, model and parameters.
    auto *left = new QWidget(split);
    auto *ll = new QVBoxLayout(left);
    ll->setContentsMargins(0, 0, 0, 0);
    auto *tplLabel =
        new QLabel(tr("&Template (Mustache: {{variable}}, {{#list}}…{{/list}})"), left);
    m_template = new QPlainTextEdit(left);
    m_template->setObjectName(QStringLiteral("templateEdit"));
    m_template->setFont(monospace());
    m_template->setTabChangesFocus(true);
    m_template->setPlainText(seed.templateText);
    tplLabel->setBuddy(m_template);
    m_highlighter = new TemplateHighlighter(m_template->document());
    m_templateError = errorLabel(left, QStringLiteral("templateError"));
    m_warnings = new QLabel(left);
    m_warnings->setObjectName(QStringLiteral("variableWarnings"));
    m_warnings->setWordWrap(true);
    m_warnings->setTextFormat(Qt::RichText);
    m_warnings->setStyleSheet(
        QStringLiteral("QLabel { color: %1; }").arg(palette::warn().darker(115).name()));
    connect(m_warnings, &QLabel::linkActivated, this, [this](const QString &link) {
        if (link.startsWith(QLatin1String("declare:")))
            declare(link.mid(8));
    });
    ll->addWidget(tplLabel);
    ll->addWidget(m_template, 3);
    ll->addWidget(m_templateError);
    ll->addWidget(m_warnings);

    auto *varsBox = new QGroupBox(tr("Declared &variables"), left);
    auto *vl = new QVBoxLayout(varsBox);
    m_vars = new QTableWidget(0, 4, varsBox);
    m_vars->setObjectName(QStringLiteral("variablesTable"));
    m_vars->setHorizontalHeaderLabels(
        {tr("Name"), tr("Required"), tr("Default"), tr("Description")});
    m_vars->verticalHeader()->hide();
    m_vars->horizontalHeader()->setStretchLastSection(true);
    m_vars->setSelectionBehavior(QAbstractItemView::SelectRows);
    auto *varButtons = new QHBoxLayout;
    auto *add = new QPushButton(QIcon::fromTheme(QStringLiteral("list-add")), tr("Add"), varsBox);
    auto *remove =
        new QPushButton(QIcon::fromTheme(QStringLiteral("list-remove")), tr("Remove"), varsBox);
    add->setObjectName(QStringLiteral("addVariable"));
    remove->setObjectName(QStringLiteral("removeVariable"));
    add->setAutoDefault(false);
    remove->setAutoDefault(false);
    varButtons->addWidget(add);
    varButtons->addWidget(remove);
    varButtons->addStretch(1);
    m_varsError = errorLabel(varsBox, QStringLiteral("variablesError"));
    vl->addWidget(m_vars);
    vl->addLayout(varButtons);
    vl->addWidget(m_varsError);
    ll->addWidget(varsBox, 2);
    connect(add, &QPushButton::clicked, this, [this] { declare({}); });
    connect(remove, &QPushButton::clicked, this, [this] {
        const int row = m_vars->currentRow();
        if (row >= 0) {
            m_vars->removeRow(row);
            edited();
        }
    });

    auto *modelBox = new QGroupBox(tr("Model and parameters"), left);
    auto *form = new QFormLayout(modelBox);
    m_model = new QComboBox(modelBox);
    m_model->setObjectName(QStringLiteral("modelEdit"));
    m_model->setEditable(true);
    m_model->addItems(m_controller->knownModels());
    m_model->setCurrentText(seed.model);
    m_modelError = errorLabel(modelBox, QStringLiteral("modelError"));
    auto *modelCol = new QVBoxLayout;
    modelCol->addWidget(m_model);
    modelCol->addWidget(m_modelError);
    auto *modelLabel = new QLabel(tr("&Model:"), modelBox);
    modelLabel->setBuddy(m_model);
    form->addRow(modelLabel, modelCol);
    // The lowest value of each box means "not set": the service's default.
    m_temperature = new QDoubleSpinBox(modelBox);
    m_temperature->setObjectName(QStringLiteral("temperatureEdit"));
    m_temperature->setRange(-0.05, 2.0);
    m_temperature->setSingleStep(0.05);
    m_temperature->setDecimals(2);
    m_temperature->setSpecialValueText(tr("default"));
    m_temperature->setValue(seed.params.temperature ? *seed.params.temperature : -0.05);
    m_topP = new QDoubleSpinBox(modelBox);
    m_topP->setObjectName(QStringLiteral("topPEdit"));
    m_topP->setRange(-0.05, 1.0);
    m_topP->setSingleStep(0.05);
    m_topP->setDecimals(2);
    m_topP->setSpecialValueText(tr("default"));
    m_topP->setValue(seed.params.topP ? *seed.params.topP : -0.05);
    m_maxTokens = new QSpinBox(modelBox);
    m_maxTokens->setObjectName(QStringLiteral("maxTokensEdit"));
    m_maxTokens->setRange(0, 1000000);
    m_maxTokens->setSingleStep(50);
    m_maxTokens->setSpecialValueText(tr("default"));
    m_maxTokens->setValue(seed.params.maxOutputTokens ? int(*seed.params.maxOutputTokens) : 0);
    auto *params = new QHBoxLayout;
    params->addWidget(new QLabel(tr("temperature"), modelBox));
    params->addWidget(m_temperature);
    params->addSpacing(8);
    params->addWidget(new QLabel(tr("top_p"), modelBox));
    params->addWidget(m_topP);
    params->addSpacing(8);
    params->addWidget(new QLabel(tr("max tokens"), modelBox));
    params->addWidget(m_maxTokens);
    params->addStretch(1);
    m_paramsError = errorLabel(modelBox, QStringLiteral("parametersError"));
    auto *paramCol = new QVBoxLayout;
    paramCol->addLayout(params);
    paramCol->addWidget(m_paramsError);
    form->addRow(tr("Parameters:"), paramCol);
    ll->addWidget(modelBox);

    // Right: sample values and the rendered preview.
    auto *right = new QWidget(split);
    auto *rl = new QVBoxLayout(right);
    rl->setContentsMargins(0, 0, 0, 0);
    rl->addWidget(new QLabel(tr("<b>Preview</b> — sample values, kept for this prompt"), right));
    m_samples = new QTableWidget(0, 2, right);
    m_samples->setObjectName(QStringLiteral("sampleValues"));
    m_samples->setHorizontalHeaderLabels({tr("Variable"), tr("Sample value")});
    m_samples->verticalHeader()->hide();
    m_samples->horizontalHeader()->setStretchLastSection(true);
    m_samples->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    rl->addWidget(m_samples, 2);
    m_previewNote = new QLabel(right);
    m_previewNote->setObjectName(QStringLiteral("previewNote"));
    m_previewNote->setWordWrap(true);
    m_previewNote->setStyleSheet(
        QStringLiteral("QLabel { color: %1; }").arg(palette::muted().darker(130).name()));
    rl->addWidget(m_previewNote);
    m_preview = new QPlainTextEdit(right);
    m_preview->setObjectName(QStringLiteral("previewText"));
    m_preview->setReadOnly(true);
    m_preview->setFont(monospace());
    m_preview->setPlaceholderText(tr("The rendered prompt appears here."));
    rl->addWidget(m_preview, 4);

    split->addWidget(left);
    split->addWidget(right);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    layout->addWidget(split, 1);

    auto *msgRow = new QFormLayout;
    m_message = new QLineEdit(this);
    m_message->setObjectName(QStringLiteral("messageEdit"));
    m_message->setPlaceholderText(tr("What changed and why (required)"));
    m_message->setText(seed.message);
    m_messageError = errorLabel(this, QStringLiteral("messageError"));
    auto *msgCol = new QVBoxLayout;
    msgCol->addWidget(m_message);
    msgCol->addWidget(m_messageError);
    auto *msgLabel = new QLabel(tr("M&essage:"), this);
    msgLabel->setBuddy(m_message);
    msgRow->addRow(msgLabel, msgCol);
    layout->addLayout(msgRow);
    m_saveError = errorLabel(this, QStringLiteral("saveError"));
    layout->addWidget(m_saveError);

    // Discard on the far left, away from Save; Save last, where the eye ends.
    auto *buttons = new QHBoxLayout;
    auto *discard =
        new QPushButton(QIcon::fromTheme(QStringLiteral("edit-delete")), tr("Discard draft"), this);
    discard->setObjectName(QStringLiteral("discardButton"));
    discard->setAutoDefault(false);
    auto *close = new QPushButton(tr("Close, keep the draft"), this);
    close->setObjectName(QStringLiteral("closeButton"));
    close->setAutoDefault(false);
    m_save = new QPushButton(QIcon::fromTheme(QStringLiteral("document-save")),
                             tr("Save version  (Ctrl+S)"), this);
    m_save->setObjectName(QStringLiteral("saveButton"));
    m_save->setAutoDefault(false);
    buttons->addWidget(discard);
    buttons->addStretch(1);
    buttons->addWidget(close);
    buttons->addWidget(m_save);
    layout->addLayout(buttons);
    connect(m_save, &QPushButton::clicked, this, &VersionEditor::save);
    connect(close, &QPushButton::clicked, this, &QDialog::reject);
    connect(discard, &QPushButton::clicked, this, [this] {
        m_discarded = true;
        m_draftTimer.stop();
        if (m_newPrompt)
            m_controller->local()->discardNewPromptDraft();
        else
            m_controller->discardDraft(m_prompt);
        reject();
    });
    auto *saveKey = new QShortcut(QKeySequence::Save, this);
    connect(saveKey, &QShortcut::activated, this, &VersionEditor::save);

    setVariables(seed.variables);
    // Sample values: what was used last time for this prompt, else the defaults.
    const QMap<QString, QString> kept = m_controller->sampleValues(m_prompt);
    for (auto it = kept.begin(); it != kept.end(); ++it) {
        const int row = m_samples->rowCount();
        m_samples->insertRow(row);
        auto *name = new QTableWidgetItem(it.key());
        name->setFlags(name->flags() & ~Qt::ItemIsEditable);
        m_samples->setItem(row, 0, name);
        m_samples->setItem(row, 1, new QTableWidgetItem(it.value()));
    }

    connect(m_template, &QPlainTextEdit::textChanged, this, &VersionEditor::edited);
    connect(m_vars, &QTableWidget::itemChanged, this, &VersionEditor::edited);
    connect(m_samples, &QTableWidget::itemChanged, this, [this](QTableWidgetItem *item) {
        if (item->column() == 1)
            edited();
    });
    connect(m_model, &QComboBox::currentTextChanged, this, &VersionEditor::edited);
    connect(m_temperature, &QDoubleSpinBox::valueChanged, this, &VersionEditor::edited);
    connect(m_topP, &QDoubleSpinBox::valueChanged, this, &VersionEditor::edited);
    connect(m_maxTokens, &QSpinBox::valueChanged, this, &VersionEditor::edited);
    connect(m_message, &QLineEdit::textChanged, this, [this] {
        m_messageError->hide();
        edited();
    });
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
